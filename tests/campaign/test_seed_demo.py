"""manage.py seed_demo (campaign/ composes the core's accounts and each app's demo builder):
accounts for every role, valid and unique children, idempotent runs."""

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from children import choices as c
from children.identity import age_on, resident_id_parse
from children.models import Child
from huzhou_care.accounts.models import Role, User
from huzhou_care.audit.models import ChangeRecord
from huzhou_care.demo import catalog
from huzhou_care.orgs.models import Organization, School
from tests.factories import stored_ids

N = 300


def seed(**options) -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out, **{"children": N, "seed": 7, **options})
    return out.getvalue()


@pytest.fixture
def seeded(db):
    return seed()


def test_every_role_has_an_account_with_its_scope(seeded):
    users = {
        u.username: u for u in User.objects.select_related("district", "school", "organization")
    }
    assert {u.role for u in users.values()} == set(Role.values)
    admin = users["city_admin"]
    assert admin.is_staff and admin.is_superuser and admin.check_password("Huzhou-Demo-2026")
    assert users["city_officer"].district is None and users["city_officer"].school is None
    assert users["wuxing_staff"].district.name == "吴兴区"
    assert users["changxing_staff"].district.name == "长兴县"
    zhili, meishan = users["zhili_school"], users["meishan_school"]
    assert zhili.school.name == "织里镇中心小学" and zhili.district == zhili.school.county
    assert meishan.school.name == "煤山镇中心小学" and meishan.district.name == "长兴县"
    assert users["org_hutc"].organization.name == "湖州师范学院团委"
    assert users["volunteer_1"].organization is not None
    for user in users.values():
        user.full_clean()  # each account satisfies the role/scope rules of User.clean


def test_schools_and_organisations_cover_all_five_counties(seeded):
    counties = set(School.objects.values_list("county__name", flat=True))
    assert counties == {"吴兴区", "南浔区", "德清县", "长兴县", "安吉县"}
    for school in School.objects.select_related("township"):
        assert school.township.parent_id == school.county_id
    assert Organization.objects.filter(name="湖州市交通投资集团团委").exists()


def test_children_have_valid_unique_ids_in_their_county(seeded):
    children = list(Child.objects.select_related("county", "township", "school"))
    assert len(children) == N
    assert len({ch.id_number for ch in children}) == N
    today = timezone.localdate()
    for child in children:
        parsed = resident_id_parse(child.id_number)
        assert parsed.birth_date == child.birth_date
        assert parsed.gender == child.gender
        assert child.id_number[:6] == child.county.division_prefix
        assert 3 <= age_on(child.birth_date, today) <= 15
        assert child.township.parent_id == child.county_id


def test_children_schools_fit_their_age_and_place(seeded):
    for child in Child.objects.select_related("school"):
        if child.school is None:
            assert child.schooling in (
                c.SchoolingStage.NOT_IN_KINDERGARTEN,
                c.SchoolingStage.DROPPED_OUT,
            )
            continue
        assert child.township_id == child.school.township_id
        assert child.county_id == child.school.county_id
        if child.schooling == c.SchoolingStage.PRIMARY:
            assert 1 <= child.grade <= 6
        elif child.schooling == c.SchoolingStage.JUNIOR:
            assert 7 <= child.grade <= 9
        if child.status == c.ChildStatus.LEFT:
            assert child.left_on > child.registered_on and child.leave_reason


def test_most_children_live_with_grandparents(seeded):
    grandparents = Child.objects.filter(guardianship_type=c.GuardianshipType.GRANDPARENT).count()
    assert 0.8 * N < grandparents < 0.97 * N


def _seed_records():
    return ChangeRecord.objects.filter(
        source=ChangeRecord.Source.SEED,
        source_ref__startswith="seed:7@",
        content_type__model="child",
    )


def test_each_child_has_one_create_record_dated_its_registration(seeded):
    creates = _seed_records().filter(action=ChangeRecord.Action.CREATE)
    assert creates.count() == N
    assert set(creates.values_list("object_id", flat=True)) == set(
        Child.objects.values_list("pk", flat=True)
    )
    for child in Child.objects.all():
        record = creates.get(object_id=child.pk)
        assert timezone.localtime(record.at).date() == child.registered_on
        assert record.changes["id_number"] == [None, child.id_number_masked]
        assert record.changes["registered_on"] == [None, child.registered_on.isoformat()]
        assert record.changes["status"] == [None, "active"]  # on the registry when registered


def test_children_have_histories_spread_over_the_past_years(seeded):
    from children.selectors import child_as_of

    records = _seed_records()
    anchor = timezone.localdate()
    assert len({d.year for d in Child.objects.values_list("registered_on", flat=True)}) >= 6
    assert records.count() > 2 * N  # school years, guardians, transfers, leaving
    changed = {
        key for changes in records.exclude(action="create").values_list("changes", flat=True)
        for key in changes
    }  # fmt: skip
    assert {"grade", "school", "guardianship_type", "guardian_name", "status"} <= changed
    assert records.filter(action="transfer").exists() and records.filter(action="leave").exists()
    assert all(r.at.date() <= anchor for r in records)
    # Each history leads from the create record to the record as it is now: rolled back to the
    # registration day, the child is what the create record says.
    for child in Child.objects.all():
        first = records.get(object_id=child.pk, action="create").changes
        then = child_as_of(child, child.registered_on).child
        assert then.school_id == (first.get("school") or [None, None])[1], child.pk
        assert then.grade == (first.get("grade") or [None, None])[1], child.pk
        assert then.guardianship_type == first["guardianship_type"][1], child.pk
        later = records.filter(object_id=child.pk).exclude(action="create")
        assert all(timezone.localtime(r.at).date() > child.registered_on for r in later)
    # A pupil's grade went up each September.
    pupil = Child.objects.filter(grade__gte=4, registered_on__lt=dt.date(anchor.year - 2, 6, 1))
    child = pupil.first()
    two_years_ago = dt.date(anchor.year - 2, anchor.month, min(anchor.day, 28))
    assert child_as_of(child, two_years_ago).child.grade == child.grade - 2


def test_running_twice_creates_nothing_new(seeded):
    counts = [m.objects.count() for m in (Child, ChangeRecord, User, School, Organization)]
    ids = stored_ids()
    output = seed()
    assert [m.objects.count() for m in (Child, ChangeRecord, User, School, Organization)] == counts
    assert stored_ids() == ids
    assert "儿童新建 0（已存在 300" in output


def test_a_larger_number_adds_only_the_difference(seeded):
    before = stored_ids()
    seed(children=N + 40)
    after = stored_ids()
    assert before < after and len(after) == N + 40
    creates = _seed_records().filter(action="create")
    assert creates.count() == N + 40


def test_accounts_json_lists_every_account_with_its_scope_names(db, tmp_path):
    path = tmp_path / "accounts.json"
    output = seed(children=5, accounts_json=str(path))
    accounts = json.loads(path.read_text(encoding="utf-8"))
    assert len(accounts) == len(catalog.ACCOUNTS)
    assert all(
        set(a) == {"username", "role", "district", "school", "organization"} for a in accounts
    )
    by_name = {a["username"]: a for a in accounts}
    assert by_name["city_admin"] == {
        "username": "city_admin",
        "role": "city_admin",
        "district": None,
        "school": None,
        "organization": None,
    }
    assert by_name["zhili_school"]["school"] == "织里镇中心小学"
    assert by_name["zhili_school"]["district"] == "吴兴区"
    assert "zhili_school" in output and "Huzhou-Demo-2026" in output


def test_a_weak_password_is_refused_before_anything_is_written(db):
    with pytest.raises(CommandError, match="密码"):
        seed(password="12345678")
    assert not User.objects.exists()
