"""A transfer request reveals nothing of a child registered elsewhere and refuses a roster row
that does not name the registered child (issue 7 item 4)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from children import services
from children.models import TransferRequest

from ..factories import ChildFactory, SchoolFactory, UserFactory
from . import hostile


@pytest.fixture
def held(changxing_school):
    """A child of 长兴县 at dave's school."""
    return ChildFactory(school=changxing_school, name="陈小红")


def _ask(client, user, school, name, id_number, row=2):
    client.force_login(user)
    data = hostile.xlsx([hostile.HEADER, [name, id_number, "双亲外出务工", "祖辈监护"]])
    client.post(
        reverse("children:roster_upload"),
        {"school": school.pk, "file": SimpleUploadedFile("a.xlsx", data)},
    )
    upload = school.rosters.latest("pk")
    response = client.post(
        reverse("children:roster_transfer_request", args=[upload.pk, row]),
        {"note": "该生已转入本校就读"},
        follow=True,
    )
    return response.content.decode()


def test_a_made_up_name_under_a_real_id_number_is_refused_and_reveals_nothing(
    client, carol, wuxing_school, held
):
    page = _ask(client, carol, wuxing_school, "张三", held.id_number)
    assert services.MSG_TRANSFER_MISMATCH in page
    assert not TransferRequest.objects.exists()
    listing = client.get(reverse("children:transfer_requests")).content.decode()
    for secret in (held.name, held.school.name):
        assert secret not in page and secret not in listing


def test_the_asking_side_sees_only_what_it_typed_and_the_holder_sees_who_asked(
    client, carol, bob, wuxing_school, held
):
    _ask(client, carol, wuxing_school, "陈 小红", held.id_number)
    request = TransferRequest.objects.get()
    assert request.asked_name == "陈小红"
    listing = client.get(reverse("children:transfer_requests")).content.decode()
    assert "陈小红" in listing and held.school.name not in listing  # what carol typed, no more

    client.force_login(bob)
    holder = client.get(reverse("children:transfer_requests")).content.decode()
    assert held.school.name in holder and "蔡老师" in holder and "carol" in holder
    assert wuxing_school.name in holder


def test_a_school_holds_a_limited_number_of_pending_requests(
    client, settings, carol, wuxing_school, changxing_school
):
    settings.TRANSFER_MAX_PENDING_PER_SCHOOL = 1
    first, second = ChildFactory(school=changxing_school), ChildFactory(school=changxing_school)
    _ask(client, carol, wuxing_school, first.name, first.id_number)
    page = _ask(client, carol, wuxing_school, second.name, second.id_number)
    assert "待处理的转学申请已有 1 份（上限 1 份）" in page
    assert list(TransferRequest.objects.values_list("child", flat=True)) == [first.pk]


def test_the_loser_of_two_requests_for_one_child_at_once_gets_a_message(
    client, carol, wuxing_school, held, monkeypatch
):
    """Both requests passed the pending check before either was saved: the unique
    constraint decides, and the loser is told in Chinese (no 500)."""
    other_school = SchoolFactory(county=wuxing_school.county)
    other = UserFactory(
        username="gina", role="school_staff", school=other_school, district=other_school.county
    )
    _ask(client, other, other_school, held.name, held.id_number)
    assert TransferRequest.objects.count() == 1
    real_filter = TransferRequest.objects.filter

    class Stale:
        """The pending-request check as read just before the winner committed."""

        def __init__(self, qs):
            self.qs = qs

        def exists(self):
            return False

        def count(self):
            return self.qs.count()

    monkeypatch.setattr(
        TransferRequest.objects,
        "filter",
        lambda *a, **kw: Stale(real_filter(*a, **kw)) if "child" in kw else real_filter(*a, **kw),
    )
    page = _ask(client, carol, wuxing_school, held.name, held.id_number)
    monkeypatch.undo()
    assert services.MSG_TRANSFER_PENDING in page
    assert TransferRequest.objects.count() == 1
