"""A school asks to receive a child its roster found registered at another school; the
district holding the child decides, and for a move into another county the receiving
district too (issue 6 item 2)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from children import services
from children.models import Child, TransferRequest
from huzhou_care.audit.services import change_history
from huzhou_care.notify.models import Notification

from ..factories import UserFactory, county
from .roster_files import roster_xlsx


@pytest.fixture
def roster():
    # Children of 长兴县 (by ID); no township column values, so any school may list them.
    return roster_xlsx(rows=3, division="330522", township="")


@pytest.fixture
def held_by_dave(roster, dave, changxing_school):
    upload = services.roster_upload_create(
        school=changxing_school, actor=dave, uploaded=SimpleUploadedFile("a.xlsx", roster)
    )
    services.roster_confirm(upload=upload, actor=dave)
    assert Child.objects.filter(school=changxing_school).count() == 3


def _carol_uploads(client, carol, wuxing_school, roster):
    client.force_login(carol)
    response = client.post(
        reverse("children:roster_upload"),
        {"school": wuxing_school.pk, "file": SimpleUploadedFile("b.xlsx", roster)},
    )
    upload = wuxing_school.rosters.get()
    assert response.status_code == 302 and upload.rejected == 3
    return upload


def test_a_clerk_asks_for_a_child_and_both_districts_approve(
    client, held_by_dave, roster, carol, bob, alice, wuxing_school, changxing_school
):
    upload = _carol_uploads(client, carol, wuxing_school, roster)
    page = client.get(reverse("children:roster_detail", args=[upload.pk])).content.decode()
    assert "申请转入本校" in page
    # The row's message points to the button next to it, not to a phone call.
    assert "请点本行的“申请转入本校”按钮" in page and "请联系区县团委" not in page
    assert upload.status == "in_step"  # nothing to import: closed, but rows may still ask
    response = client.post(
        reverse("children:roster_transfer_request", args=[upload.pk, 2]), {"note": "随父母回乡就读"}
    )
    assert response.status_code == 302
    request = TransferRequest.objects.get()
    assert (request.to_school, request.from_school, request.status) == (
        wuxing_school,
        changxing_school,
        "pending",
    )

    client.force_login(bob)
    listing = client.get(reverse("children:transfer_requests"))
    assert request.pk in listing.context["decidable"]
    response = client.post(
        reverse("children:transfer_decide", args=[request.pk]),
        {"decision": "approve", "note": "同意", "stage": "holding"},
        follow=True,
    )
    # 长兴县 → 吴兴区 crosses counties: 吴兴区 says yes next; the child has not moved.
    assert "还需吴兴区团委同意后办理" in response.content.decode()
    request.refresh_from_db()
    child = Child.objects.get(pk=request.child_id)
    assert (request.status, request.stage, request.released_by) == ("pending", "receiving", bob)
    assert child.school == changxing_school
    # Bob again (a second tab): not his to decide any more, a message and no change.
    again = client.post(
        reverse("children:transfer_decide", args=[request.pk]),
        {"decision": "decline", "stage": "holding"},
        follow=True,
    )
    assert "该申请已处理过" in again.content.decode()
    assert TransferRequest.objects.get(pk=request.pk).status == "pending"

    client.force_login(alice)  # the receiving district heard of it at once
    assert Notification.objects.filter(
        recipient=alice, rule="children.transfer_to_decide", target_id=request.pk
    ).exists()
    assert request.pk in client.get(reverse("children:transfer_requests")).context["decidable"]
    client.post(
        reverse("children:transfer_decide", args=[request.pk]),
        {"decision": "approve", "note": "同意转入", "stage": "receiving"},
    )
    request.refresh_from_db()
    child.refresh_from_db()
    assert request.status == "approved" and request.decided_by == alice
    assert child.school == wuxing_school and child.county == wuxing_school.county
    assert change_history(child).filter(action="transfer").exists()

    client.force_login(carol)  # the receiving school now holds the child: its row imports
    again = client.post(
        reverse("children:roster_upload"),
        {"school": wuxing_school.pk, "file": SimpleUploadedFile("c.xlsx", roster)},
    )
    assert again.status_code == 302
    assert wuxing_school.rosters.latest("pk").rejected == 2


def test_the_receiving_school_cannot_decide_its_own_request(
    client, held_by_dave, roster, carol, wuxing_school
):
    upload = _carol_uploads(client, carol, wuxing_school, roster)
    client.post(reverse("children:roster_transfer_request", args=[upload.pk, 2]), {"note": "转入"})
    request = TransferRequest.objects.get()
    alice = UserFactory(username="alice2", role="district_staff", district=county("吴兴区"))
    client.force_login(alice)
    assert request.pk not in client.get(reverse("children:transfer_requests")).context["decidable"]
    response = client.post(
        reverse("children:transfer_decide", args=[request.pk]), {"decision": "approve"}
    )
    # The receiving district sees the request; its turn comes after the holding district's.
    assert response.status_code == 302
    request.refresh_from_db()
    assert (request.status, request.stage) == ("pending", "holding")


def test_a_declined_request_leaves_the_child_where_it_is(
    client, held_by_dave, roster, carol, bob, wuxing_school, changxing_school
):
    upload = _carol_uploads(client, carol, wuxing_school, roster)
    client.post(reverse("children:roster_transfer_request", args=[upload.pk, 2]), {"note": "转入"})
    request = TransferRequest.objects.get()
    client.force_login(bob)
    client.post(
        reverse("children:transfer_decide", args=[request.pk]),
        {"decision": "decline", "note": "核实未转学"},
    )
    request.refresh_from_db()
    request.child.refresh_from_db()
    assert request.status == "declined" and request.child.school == changxing_school


def test_one_pending_request_per_child_and_only_for_other_school_rows(
    client, held_by_dave, roster, carol, wuxing_school
):
    upload = _carol_uploads(client, carol, wuxing_school, roster)
    client.post(reverse("children:roster_transfer_request", args=[upload.pk, 2]), {"note": "转入"})
    client.post(reverse("children:roster_transfer_request", args=[upload.pk, 2]), {"note": "再次"})
    assert TransferRequest.objects.count() == 1
    client.post(
        reverse("children:roster_transfer_request", args=[upload.pk, 99]), {"note": "不存在的行"}
    )
    assert TransferRequest.objects.count() == 1


def test_a_district_not_involved_sees_no_request(
    client, held_by_dave, roster, carol, wuxing_school
):
    upload = _carol_uploads(client, carol, wuxing_school, roster)
    client.post(reverse("children:roster_transfer_request", args=[upload.pk, 2]), {"note": "转入"})
    nanxun = UserFactory(username="nanxun", role="district_staff", district=county("南浔区"))
    client.force_login(nanxun)
    assert list(client.get(reverse("children:transfer_requests")).context["page"].object_list) == []


def test_a_district_moving_a_child_into_another_county_waits_for_that_district(
    client, alice, bob, wuxing_school, changxing_school
):
    from ..factories import ChildFactory

    child = ChildFactory(school=changxing_school, grade=3, class_name="1班", village="大河村")
    home = (child.township_id, child.village, child.current_address)
    client.force_login(bob)
    response = client.post(
        reverse("children:transfer", args=[child.pk]),
        {"to_school": wuxing_school.pk, "grade": 4, "class_name": "2班", "note": "随父母迁居"},
        follow=True,
    )
    assert "需吴兴区团委同意后办理" in response.content.decode()
    child.refresh_from_db()
    assert child.school == changxing_school  # nothing moved yet
    request = TransferRequest.objects.get()
    assert (request.stage, request.released_by, request.grade) == ("receiving", bob, 4)
    # A second move while this one waits gets a message, not a second request.
    client.post(
        reverse("children:transfer", args=[child.pk]),
        {"to_school": wuxing_school.pk, "note": "再次"},
    )
    assert TransferRequest.objects.count() == 1

    client.force_login(alice)
    client.post(
        reverse("children:transfer_decide", args=[request.pk]),
        {"decision": "approve", "note": "", "stage": "receiving"},
    )
    child.refresh_from_db()
    assert (child.school, child.grade, child.class_name) == (wuxing_school, 4, "2班")
    assert (child.township_id, child.village, child.current_address) == home  # home untouched
    assert child.township_id != wuxing_school.township_id


def test_a_move_within_the_county_needs_no_request(client, bob, changxing_school):
    from huzhou_care.orgs.models import School

    from ..factories import ChildFactory

    child = ChildFactory(school=changxing_school)
    other = School.objects.filter(county=changxing_school.county, is_active=True).exclude(
        pk=changxing_school.pk
    ).first() or School.objects.create(
        name="长兴县第二小学", code="CX-TEST-2", county=changxing_school.county,
        township=changxing_school.township,
    )  # fmt: skip
    client.force_login(bob)
    client.post(reverse("children:transfer", args=[child.pk]), {"to_school": other.pk, "note": "x"})
    child.refresh_from_db()
    assert child.school == other and not TransferRequest.objects.exists()


def test_the_receiving_district_may_decline_and_the_child_stays(
    client, alice, bob, wuxing_school, changxing_school
):
    from ..factories import ChildFactory

    child = ChildFactory(school=changxing_school)
    request = services.transfer_out_request(
        child=child, to_school=wuxing_school, grade=None, class_name="", note="x", actor=bob
    )
    client.force_login(alice)
    client.post(
        reverse("children:transfer_decide", args=[request.pk]),
        {"decision": "decline", "note": "未在本区就读", "stage": "receiving"},
    )
    request.refresh_from_db()
    child.refresh_from_db()
    assert request.status == "declined" and child.school == changxing_school


def test_the_city_admin_decides_a_cross_county_move_alone(
    client, held_by_dave, roster, carol, city_admin, wuxing_school
):
    upload = _carol_uploads(client, carol, wuxing_school, roster)
    client.post(reverse("children:roster_transfer_request", args=[upload.pk, 2]), {"note": "转入"})
    request = TransferRequest.objects.get()
    client.force_login(city_admin)
    client.post(
        reverse("children:transfer_decide", args=[request.pk]),
        {"decision": "approve", "stage": "holding"},
    )
    request.refresh_from_db()
    assert request.status == "approved"
    assert Child.objects.get(pk=request.child_id).school == wuxing_school


def test_the_waiting_reminder_goes_to_the_district_whose_turn_it_is(
    alice, bob, wuxing_school, changxing_school
):
    import datetime as dt

    from django.utils import timezone

    from children.reminders import transfer_waiting

    from ..factories import ChildFactory

    child = ChildFactory(school=changxing_school)
    request = services.transfer_out_request(
        child=child, to_school=wuxing_school, grade=None, class_name="", note="x", actor=bob
    )
    today = timezone.localdate()
    assert list(transfer_waiting(today)) == []  # not waited yet
    due = list(transfer_waiting(today + dt.timedelta(days=3)))
    assert [(d.recipient_id, d.period) for d in due] == [(alice.pk, "r3")]
    TransferRequest.objects.filter(pk=request.pk).update(stage="holding")
    due = list(transfer_waiting(today + dt.timedelta(days=3)))
    assert [(d.recipient_id, d.period) for d in due] == [(bob.pk, "d3")]
