import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from children import choices as c
from children.identity import resident_id_build
from children.models import Child
from children.services import (
    child_leave,
    child_register,
    child_restore,
    child_transfer,
    child_update,
)
from huzhou_care.audit.models import ChangeRecord
from huzhou_care.audit.services import ChangeSource, change_history

TODAY = dt.date(2026, 11, 28)


def _data(school, **overrides):
    data = {
        "name": "沈一诺",
        "id_number": resident_id_build("330502", dt.date(2016, 5, 3), 24),
        "school": school,
        "township": school.township,
        "left_behind_type": c.LeftBehindType.BOTH_AWAY,
        "guardianship_type": c.GuardianshipType.GRANDPARENT,
        "grade": 4,
        "class_name": "1班",
    }
    return {**data, **overrides}


def test_it_registers_a_child_with_birth_date_and_gender_from_the_id(carol, wuxing_school):
    child = child_register(data=_data(wuxing_school), source=ChangeSource(carol), today=TODAY)
    assert child.birth_date == dt.date(2016, 5, 3)
    assert child.gender == c.Gender.FEMALE  # order 024: even
    assert child.county == wuxing_school.county
    record = change_history(child).get()
    assert (record.action, record.actor, record.source) == ("create", carol, "form")


def test_it_refuses_a_second_registration_of_the_same_id(carol, wuxing_school):
    child_register(data=_data(wuxing_school), source=ChangeSource(carol), today=TODAY)
    with pytest.raises(ValidationError) as exc:
        child_register(
            data=_data(wuxing_school, name="别人"), source=ChangeSource(carol), today=TODAY
        )
    assert "已在信息库中登记" in str(exc.value)
    assert Child.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"birth_date": dt.date(2016, 5, 4)}, "birth_date", "出生日期与身份证号不一致"),
        ({"gender": c.Gender.MALE}, "gender", "性别与身份证号不一致"),
        (
            {"id_number": resident_id_build("330502", dt.date(2009, 1, 1), 11)},
            "id_number",
            "已满17周岁，不在登记范围内（农村留守儿童指不满16周岁的未成年人）",
        ),
        ({"id_number": "330502201605030241"}, "id_number", "校验位"),
    ],
)
def test_it_refuses_an_identity_that_does_not_hold_together(
    carol, wuxing_school, overrides, field, message
):
    with pytest.raises(ValidationError) as exc:
        child_register(
            data=_data(wuxing_school, **overrides), source=ChangeSource(carol), today=TODAY
        )
    assert message in " ".join(exc.value.message_dict[field])
    assert not Child.objects.exists()


def test_an_update_records_old_and_new_values_and_who(carol, wuxing_child):
    changes = child_update(
        child=wuxing_child,
        data={"guardian_phone": "13900000000", "name": wuxing_child.name},
        source=ChangeSource(carol),
    )
    assert changes == {"guardian_phone": ["13812345678", "13900000000"]}
    record = change_history(wuxing_child).get(action="update")
    # The history records that the protected field changed, masked old and new, no clear value.
    assert record.changes == {"guardian_phone": ["138****5678", "139****0000"]}
    assert record.actor == carol


def test_an_update_that_changes_nothing_writes_no_history(carol, wuxing_child):
    assert (
        child_update(
            child=wuxing_child, data={"name": wuxing_child.name}, source=ChangeSource(carol)
        )
        == {}
    )
    assert not change_history(wuxing_child).exists()


def test_leaving_is_a_dated_status_change_not_a_deletion(alice, wuxing_child):
    child_leave(
        child=wuxing_child,
        on=TODAY,
        reason=c.LeaveReason.PARENTS_RETURNED,
        note="父母回乡创业",
        source=ChangeSource(alice),
    )
    wuxing_child.refresh_from_db()
    assert (wuxing_child.status, wuxing_child.left_on, wuxing_child.leave_reason) == (
        "left",
        TODAY,
        "parents_returned",
    )
    assert change_history(wuxing_child).get(action="leave").reason == "父母回乡创业"
    with pytest.raises(ValidationError):
        child_leave(
            child=wuxing_child,
            on=TODAY,
            reason=c.LeaveReason.OTHER,
            note="",
            source=ChangeSource(alice),
        )


def test_a_restore_brings_the_child_back_and_keeps_the_leave_in_history(alice, wuxing_child):
    child_leave(
        child=wuxing_child,
        on=TODAY,
        reason=c.LeaveReason.OTHER,
        note="",
        source=ChangeSource(alice),
    )
    child_restore(child=wuxing_child, note="误操作", source=ChangeSource(alice))
    wuxing_child.refresh_from_db()
    assert wuxing_child.status == "active" and wuxing_child.left_on is None
    assert list(change_history(wuxing_child).values_list("action", flat=True)) == [
        "leave",
        "restore",
    ]


def test_a_transfer_moves_school_and_county_and_keeps_the_old_school_in_history(
    alice, wuxing_child, changxing_school
):
    old_school = wuxing_child.school_id
    changes = child_transfer(
        child=wuxing_child,
        to_school=changxing_school,
        grade=None,
        class_name="3班",
        note="随祖父母迁居",
        actor=alice,
    )
    wuxing_child.refresh_from_db()
    assert (
        wuxing_child.school == changxing_school and wuxing_child.county == changxing_school.county
    )
    assert changes["school"] == [old_school, changxing_school.pk]
    record = change_history(wuxing_child).get(action="transfer")
    assert record.source == ChangeRecord.Source.TRANSFER and record.reason == "随祖父母迁居"


def test_a_transfer_keeps_the_childs_township_and_village(alice, wuxing, wuxing_child):
    """The defect: the child's township became the new school's while the village stayed."""
    from huzhou_care.orgs.models import OrgUnit

    from ..factories import SchoolFactory

    home = wuxing_child.township
    wuxing_child.village = "义皋村"
    wuxing_child.save()
    elsewhere = OrgUnit.objects.filter(parent=wuxing, level="township").exclude(pk=home.pk).first()
    new_school = SchoolFactory(county=wuxing, township=elsewhere, name="八里店镇中心小学")
    changes = child_transfer(
        child=wuxing_child, to_school=new_school, grade=None, class_name="", note="", actor=alice
    )
    wuxing_child.refresh_from_db()
    assert wuxing_child.school == new_school
    assert (wuxing_child.township, wuxing_child.village) == (home, "义皋村")
    assert "township" not in changes and "village" not in changes


def test_after_a_transfer_to_another_county_the_home_stays_and_the_record_can_be_edited(
    bob, wuxing_child, changxing_school
):
    home = wuxing_child.township
    child_transfer(
        child=wuxing_child,
        to_school=changxing_school,
        grade=None,
        class_name="",
        note="",
        actor=bob,
    )
    wuxing_child.refresh_from_db()
    assert wuxing_child.county == changxing_school.county and wuxing_child.township == home
    # The receiving district edits something else: the home in 吴兴区 is not a reason to refuse.
    changes = child_update(child=wuxing_child, data={"notes": "已转入"}, source=ChangeSource(bob))
    wuxing_child.refresh_from_db()
    assert changes == {"notes": ["", "已转入"]} and wuxing_child.township == home
    assert wuxing_child in Child.objects.visible_to(bob)


def test_the_registry_as_of_a_past_date_counts_who_was_on_it(alice, wuxing_child):
    wuxing_child.registered_on = dt.date(2026, 3, 1)
    wuxing_child.save()
    child_leave(
        child=wuxing_child,
        on=dt.date(2026, 10, 1),
        reason=c.LeaveReason.OTHER,
        note="",
        source=ChangeSource(alice),
    )
    assert Child.objects.as_of(dt.date(2026, 9, 30)).filter(pk=wuxing_child.pk).exists()
    assert not Child.objects.as_of(dt.date(2026, 10, 1)).filter(pk=wuxing_child.pk).exists()
    assert not Child.objects.as_of(dt.date(2026, 2, 28)).filter(pk=wuxing_child.pk).exists()


def test_an_edit_that_empties_birth_date_and_gender_takes_them_from_the_id(carol, wuxing_child):
    born, gender = wuxing_child.birth_date, wuxing_child.gender
    changes = child_update(
        child=wuxing_child, data={"birth_date": None, "gender": ""}, source=ChangeSource(carol)
    )
    wuxing_child.refresh_from_db()
    assert (wuxing_child.birth_date, wuxing_child.gender) == (born, gender)
    assert changes == {}
