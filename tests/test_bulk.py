"""RowInserter stores plain dicts exactly as the ORM would."""

import datetime as dt

from django.contrib.contenttypes.models import ContentType
from django.forms.models import model_to_dict
from django.utils import timezone

from children.identity import resident_id_build
from children.models import Child
from huzhou_care.audit.models import ChangeRecord
from huzhou_care.bulk import RowInserter
from tests.factories import ChildFactory


def test_a_child_row_reads_back_like_the_orm_row_it_copies(db):
    original = ChildFactory(
        notes="第一行\n第二行\t制表 \\N 反斜杠",
        left_on=dt.date(2025, 7, 1),
        status="left",
        leave_reason="other",
        boarding=True,
    )
    row = {f.attname: getattr(original, f.attname) for f in Child._meta.concrete_fields}
    for name in ("id", "created_at", "updated_at", "hukou_registered"):
        del row[name]  # left out: the pk, auto_now fields and a defaulted field
    row["id_number"] = resident_id_build("330502", original.birth_date, 999)

    RowInserter(Child).insert([row])

    copy = Child.objects.get(id_number=row["id_number"])
    skip = ["id", "id_number"]
    assert model_to_dict(copy, exclude=skip) == model_to_dict(original, exclude=skip)
    assert copy.hukou_registered is True
    assert abs(copy.created_at - timezone.now()) < dt.timedelta(minutes=1)


def test_json_and_default_datetimes_are_stored_as_the_orm_stores_them(db):
    changes = {
        "name": [None, "王小明\t\\n"],
        "registered_on": [None, "2024-03-01"],
        "grade": [None, 3],
    }
    RowInserter(ChangeRecord).insert(
        [{"content_type_id": ContentType.objects.get_for_model(Child).pk, "object_id": 7,
          "action": "create", "source": "seed", "source_ref": "seed:1", "changes": changes}]
    )  # fmt: skip
    record = ChangeRecord.objects.get()
    assert record.changes == changes
    assert record.actor is None and record.reason == ""
    assert timezone.is_aware(record.at) and abs(record.at - timezone.now()) < dt.timedelta(
        minutes=1
    )


def test_empty_text_stays_empty_and_none_stays_null_and_csv_quotes_survive(db):
    original = ChildFactory(notes="", name='王"小,明', left_on=None, class_name="", grade=None)
    row = {
        f.attname: getattr(original, f.attname)
        for f in Child._meta.concrete_fields
        if f.attname not in ("id", "created_at", "updated_at")
    }
    row["id_number"] = resident_id_build("330502", original.birth_date, 998)
    RowInserter(Child).insert([row])
    copy = Child.objects.get(id_number=row["id_number"])
    assert (copy.notes, copy.name, copy.class_name) == ("", '王"小,明', "")
    assert copy.left_on is None and copy.grade is None


def test_allocated_ids_never_reuse_a_deleted_childs_id_and_the_orm_continues_after_them(db):
    from huzhou_care.bulk import allocate_ids

    ChildFactory()
    deleted = ChildFactory()
    last = deleted.pk
    deleted.delete()  # its id must not come back: history rows may still name it

    ids = allocate_ids(Child, 3)
    assert len(set(ids)) == 3 and min(ids) > last

    template = ChildFactory.build()
    rows = []
    for n, pk in enumerate(ids):
        row = {
            f.attname: getattr(template, f.attname)
            for f in Child._meta.concrete_fields
            if f.attname not in ("id", "created_at", "updated_at")
        }
        row.update(id=pk, id_number=resident_id_build("330502", template.birth_date, 900 + n))
        rows.append(row)
    RowInserter(Child, with_pk=True).insert(rows)

    assert sorted(Child.objects.filter(pk__in=ids).values_list("pk", flat=True)) == sorted(ids)
    assert ChildFactory().pk > max(ids)  # the table's own counter moved past them
