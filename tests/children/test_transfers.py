"""A school asks to receive a child its roster found registered at another school; the
district holding the child decides."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from children import services
from children.models import Child, TransferRequest
from huzhou_care.audit.services import change_history

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


def test_a_clerk_asks_for_a_child_and_the_holding_district_approves(
    client, held_by_dave, roster, carol, bob, wuxing_school, changxing_school
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
    client.post(
        reverse("children:transfer_decide", args=[request.pk]),
        {"decision": "approve", "note": "同意"},
    )
    request.refresh_from_db()
    child = request.child
    child.refresh_from_db()
    assert request.status == "approved" and child.school == wuxing_school
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
    assert response.status_code == 404
    request.refresh_from_db()
    assert request.status == "pending"


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
