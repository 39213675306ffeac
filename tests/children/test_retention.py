"""The retention job: children who left more than CHILD_RETENTION_YEARS ago are de-identified,
their history with them; the counts the evaluation reads stay as they were."""

import datetime as dt
import io
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db.models import Count

from campaign.evaluation.measures import Context, registry_completeness
from children import choices as c
from children.models import Child, RosterRow, RosterUpload, TransferRequest
from children.retention import leavers_deidentify
from children.services import child_leave, child_restore, child_update
from children.tasks import retention_deidentify_task
from huzhou_care.audit.models import ChangeRecord
from huzhou_care.audit.services import ChangeSource, change_history

from ..factories import ChildFactory, SchoolFactory, stored_ids

TODAY = dt.date(2026, 11, 28)  # three years back: 2023-11-28
PAST = [dt.date(2020, 12, 1), dt.date(2021, 12, 1), dt.date(2023, 6, 1), TODAY]


@pytest.fixture(autouse=True)
def _three_years(settings):
    settings.CHILD_RETENTION_YEARS = 3


def _child(school, *, left_on=None, renamed="", **extra):
    child = ChildFactory(
        school=school,
        registered_on=dt.date(2019, 9, 1),
        hukou_address="浙江省湖州市吴兴区八里店镇潘店村12号",
        current_address="浙江省湖州市吴兴区织里镇利济路88号",
        village="潘店村",
        health=c.Health.ILL,
        disability_category="哮喘",
        notes="奶奶身体不好，住村东头",
        **extra,
    )
    if left_on:
        child_update(
            child=child,
            data={"name": renamed, "guardian_phone": "13811112222", "notes": "父亲王建国在深圳"},
            source=ChangeSource(None),
        )
        child_leave(
            child=child,
            on=left_on,
            reason=c.LeaveReason.MOVED_AWAY,
            note=f"{renamed}随父母迁往上海",
            source=ChangeSource(None),
        )
    return Child.objects.get(pk=child.pk)


@pytest.fixture
def leaver(carol, wuxing_school):
    return _child(wuxing_school, name="王小明", renamed="王晓明", left_on=dt.date(2022, 6, 30))


@pytest.fixture
def recent_leaver(wuxing_school):
    return _child(wuxing_school, name="李思彤", renamed="李思桐", left_on=dt.date(2024, 1, 10))


@pytest.fixture
def active(changxing_school):
    return _child(changxing_school, name="陈小红")


def _id_number(child) -> str:
    return str(next(iter(stored_ids(Child.objects.filter(pk=child.pk)))))


def _snapshot(child):
    row = Child.objects.filter(pk=child.pk).values().get()
    row.pop("updated_at")
    return row


def _counts():
    return [
        sorted(Child.objects.as_of(day).values_list("county_id").annotate(n=Count("pk")))
        for day in PAST
    ]


def test_a_leaver_past_the_period_is_de_identified_field_by_field(leaver):
    id_number = _id_number(leaver)
    assert leavers_deidentify(on=TODAY) == 1

    child = Child.objects.get(pk=leaver.pk)
    # Reduced
    assert child.name == "王某"
    assert child.guardian_name == "王某"
    assert child.birth_date == leaver.birth_date.replace(month=1, day=1)
    assert child.hukou_address == child.hukou_address_masked == "浙江省湖州市吴兴区****"
    assert child.current_address == child.current_address_masked == "浙江省湖州市吴兴区****"
    # Cleared, with the companions of the encrypted fields
    assert child.id_number == f"DEIDENTIFIED-{child.pk}" and child.id_number_masked == ""
    for who in ("guardian", "father", "mother"):
        assert getattr(child, f"{who}_phone") == ""
        assert getattr(child, f"{who}_phone_bidx") == getattr(child, f"{who}_phone_masked") == ""
    for name in (
        "father_name",
        "mother_name",
        "father_work_place",
        "mother_work_place",
        "village",
        "class_name",
        "disability_category",
        "notes",
    ):
        assert getattr(child, name) == "", name
    # Kept
    for name in (
        "county_id",
        "township_id",
        "school_id",
        "gender",
        "ethnicity",
        "grade",
        "left_behind_type",
        "guardianship_type",
        "guardianship_assessment",
        "guardian_relation",
        "health",
        "registered_on",
        "left_on",
        "status",
        "leave_reason",
    ):
        assert getattr(child, name) == getattr(leaver, name), name
    assert child.deidentified_on == TODAY
    assert not Child.objects.filter(id_number=id_number).exists()


def test_a_leaver_within_the_period_and_an_active_child_are_untouched(recent_leaver, active):
    before = [_snapshot(recent_leaver), _snapshot(active)]
    history = list(ChangeRecord.objects.values("pk", "changes", "reason"))
    assert leavers_deidentify(on=TODAY) == 0
    assert [_snapshot(recent_leaver), _snapshot(active)] == before
    assert list(ChangeRecord.objects.values("pk", "changes", "reason")) == history


def test_the_history_no_longer_holds_the_name_or_the_id_in_clear(leaver, recent_leaver):
    id_number = _id_number(leaver)
    masked_phone = "138****2222"
    dumped = json.dumps(
        list(change_history(leaver).values("changes", "reason")), ensure_ascii=False
    )
    assert "王晓明" in dumped and "王建国" in dumped and masked_phone in dumped

    leavers_deidentify(on=TODAY)

    records = list(change_history(leaver))
    dumped = json.dumps([(r.changes, r.reason) for r in records], ensure_ascii=False)
    for personal in ("王小明", "王晓明", "王建国", "小明", id_number, id_number[-4:], masked_phone):
        assert personal not in dumped, personal
    update = next(r for r in records if r.action == "update" and r.source == "form")
    assert update.changes["name"] == ["王某", "王某"]
    assert update.changes["guardian_phone"] == ["", ""]
    leave = next(r for r in records if r.action == "leave")
    assert leave.changes["status"] == ["active", "left"] and leave.reason == ""
    # One entry per child says what happened, by the system, found by the run's ref.
    entry = records[-1]
    assert (entry.action, entry.source, entry.actor) == ("update", "system", None)
    assert entry.source_ref == "retention:2026-11-28" and "去标识化" in entry.reason
    # The other leaver's history is its own still.
    assert "李思桐随父母迁往上海" in json.dumps(
        list(change_history(recent_leaver).values_list("reason", flat=True)), ensure_ascii=False
    )


def test_transfer_requests_and_roster_rows_of_the_child_are_de_identified_too(
    leaver, carol, alice, wuxing_school
):
    id_number = _id_number(leaver)
    upload = RosterUpload.objects.create(
        school=wuxing_school,
        uploaded_by=carol,
        original_name="名册.xlsx",
        size=1,
        sha256="0" * 64,
        status=RosterUpload.Status.DONE,
    )
    row = RosterRow.objects.create(
        upload=upload, row_number=2, outcome="unchanged", name="王小明", id_number=id_number
    )
    other = RosterRow.objects.create(
        upload=upload, row_number=3, outcome="new", name="张三", id_number="330502201601010011"
    )
    request = TransferRequest.objects.create(
        child=leaver,
        to_school=SchoolFactory(),
        asked_name="王小明",
        note="王小明转来本校",
        requested_by=carol,
        status=TransferRequest.Status.DECLINED,
        decision_note="王小明已离开",
    )

    leavers_deidentify(on=TODAY)

    row.refresh_from_db()
    assert (row.name, row.id_number, row.id_number_bidx, row.id_number_masked) == (
        "王某",
        "",
        "",
        "",
    )
    other.refresh_from_db()
    assert other.name == "张三" and other.id_number == "330502201601010011"
    request.refresh_from_db()
    assert (request.asked_name, request.note, request.decision_note) == ("王某", "", "")


def test_a_second_run_changes_nothing(leaver, recent_leaver, active):
    assert leavers_deidentify(on=TODAY) == 1
    before = [_snapshot(x) for x in (leaver, recent_leaver, active)]
    history = list(ChangeRecord.objects.values("pk", "changes", "reason"))
    assert leavers_deidentify(on=TODAY) == 0
    assert retention_deidentify_task.delay(TODAY.isoformat()).get() == 0
    assert [_snapshot(x) for x in (leaver, recent_leaver, active)] == before
    assert list(ChangeRecord.objects.values("pk", "changes", "reason")) == history


def test_the_beat_task_de_identifies_as_of_its_date(leaver, recent_leaver):
    assert retention_deidentify_task.delay("2027-02-01").get() == 2
    assert set(Child.objects.values_list("name", flat=True)) == {"王某", "李某"}


def test_the_command_prints_the_count_as_json(leaver, recent_leaver):
    out = io.StringIO()
    call_command("deidentify_leavers", "--date", "2026-11-28", "--json", stdout=out)
    assert json.loads(out.getvalue()) == {"children": 1}
    out = io.StringIO()
    call_command("deidentify_leavers", "--date", "2026-11-28", "--json", stdout=out)
    assert json.loads(out.getvalue()) == {"children": 0}


def test_a_dry_run_counts_and_writes_nothing(leaver, active):
    before = [_snapshot(leaver), _snapshot(active)]
    records = ChangeRecord.objects.count()
    out = io.StringIO()
    call_command("deidentify_leavers", "--date", "2026-11-28", "--dry-run", "--json", stdout=out)
    assert json.loads(out.getvalue()) == {"children": 1}
    out = io.StringIO()
    call_command("deidentify_leavers", "--date", "2026-11-28", "--dry-run", stdout=out)
    assert "待去标识化 1 名" in out.getvalue() and "试运行" in out.getvalue()
    assert [_snapshot(leaver), _snapshot(active)] == before
    assert ChangeRecord.objects.count() == records


def test_the_as_of_counts_by_county_and_the_completeness_measure_are_unchanged(
    leaver, recent_leaver, active
):
    # Recorded long ago, so that the measure's "recorded by then" bound keeps them.
    Child.objects.update(created_at=dt.datetime(2019, 9, 1, tzinfo=dt.UTC))
    ctx = Context(year=2021, as_of=dt.date(2021, 12, 1))
    counts, completeness = _counts(), registry_completeness(ctx)
    assert sum(n for _, n in counts[1]) == 3

    leavers_deidentify(on=TODAY)

    assert _counts() == counts
    assert registry_completeness(ctx) == completeness


def test_a_de_identified_record_cannot_be_restored_or_edited(leaver):
    leavers_deidentify(on=TODAY)
    child = Child.objects.get(pk=leaver.pk)
    with pytest.raises(ValidationError, match="去标识化"):
        child_restore(child=child, note="误操作", source=ChangeSource(None))
    with pytest.raises(ValidationError, match="去标识化"):
        child_update(child=child, data={"name": "王小明"}, source=ChangeSource(None))
    assert Child.objects.get(pk=leaver.pk).name == "王某"


def test_de_identified_records_load_and_save_without_clashing_on_the_unique_id(
    leaver, recent_leaver
):
    leavers_deidentify(on=dt.date(2027, 2, 1))
    for child in Child.objects.all():
        child.save()  # the unique ID-number index holds: each keeps its own placeholder
    assert Child.objects.values("id_number_bidx").distinct().count() == 2
    assert set(Child.objects.values_list("id_number_masked", flat=True)) == {""}
