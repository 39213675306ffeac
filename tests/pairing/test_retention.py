"""Retention reaches the apps above the registry: when a leaver is de-identified, the free
text that pairing and the programmes keep about the child is cleared in the same run, and
the records the counts read stay."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from campaign.programmes.models import AidRecord, Wish
from children import choices as c
from children.retention import leavers_deidentify
from children.services import child_leave
from huzhou_care.audit.services import ChangeSource
from pairing.models import ChildPairing, FeedbackMessage, PairingKind, Visit, VisitKind
from pairing.retention import CLEARED_MESSAGE, CLEARED_REASON

from ..factories import ChildFactory


@pytest.fixture(autouse=True)
def _three_years(settings):
    settings.CHILD_RETENTION_YEARS = 3


def _records_of(child, author):
    place = {"county_id": child.county_id, "township_id": child.township_id}
    pairing = ChildPairing.objects.create(
        child=child,
        person=author,
        kind=PairingKind.STAFF,
        started_on=dt.date(2021, 3, 1),
        ended_on=dt.date(2022, 6, 30),
        end_reason=f"{child.name}随父母迁往上海",
        last_contact_on=dt.date(2021, 5, 1),
        created_by=author,
        **place,
    )
    Visit.objects.create(
        child=child,
        pairing=pairing,
        author=author,
        kind=VisitKind.HOME,
        visited_on=dt.date(2021, 5, 1),
        duration_minutes=60,
        notes=f"{child.name}的奶奶腿脚不便，父亲王建国在深圳打工",
        follow_up_note="联系村医上门",
        **place,
    )
    FeedbackMessage.objects.create(
        child=child, author=author, body=f"{child.name}这学期进步很大", **place
    )
    Wish.objects.create(
        child=child,
        item="书包",
        estimated_value=Decimal("80"),
        story=f"我叫{child.name}，想要一个新书包",
        collected_by=author,
    )
    AidRecord.objects.create(
        child=child,
        kind=AidRecord.Kind.OTHER,
        amount=Decimal("500"),
        given_on=dt.date(2021, 9, 1),
        source=AidRecord.Source.DONATION,
        note=f"{child.name}家低保",
        created_by=author,
    )


def _texts(child):
    visit = Visit.objects.get(child=child)
    return {
        "visit": (visit.notes, visit.follow_up_note),
        "end_reason": ChildPairing.objects.get(child=child).end_reason,
        "message": FeedbackMessage.objects.get(child=child).body,
        "story": Wish.objects.get(child=child).story,
        "aid_note": AidRecord.objects.get(child=child).note,
    }


def test_a_leavers_visit_notes_messages_and_wish_story_are_cleared_and_the_records_stay(
    alice, wuxing_school
):
    today = timezone.localdate()
    leaver = ChildFactory(school=wuxing_school, name="李小芳", registered_on=dt.date(2019, 9, 1))
    staying = ChildFactory(school=wuxing_school, name="王小明", registered_on=dt.date(2019, 9, 1))
    for child in (leaver, staying):
        _records_of(child, alice)
    child_leave(
        child=leaver,
        on=today.replace(year=today.year - 4),
        reason=c.LeaveReason.MOVED_AWAY,
        note="",
        source=ChangeSource(None),
    )
    before_staying = _texts(staying)

    assert leavers_deidentify(on=today) == 1

    assert _texts(leaver) == {
        "visit": ("", ""),
        "end_reason": CLEARED_REASON,
        "message": CLEARED_MESSAGE,
        "story": "",
        "aid_note": "",
    }
    assert _texts(staying) == before_staying  # a child still registered keeps everything
    # What the counts read is kept: the visit, its date and length; the aid and its amount.
    visit = Visit.objects.get(child=leaver)
    assert (visit.visited_on, visit.duration_minutes) == (dt.date(2021, 5, 1), 60)
    assert AidRecord.objects.get(child=leaver).amount == Decimal("500")
    assert Wish.objects.filter(child=leaver, item="书包").exists()
    # A second run finds nothing to do and leaves the cleared texts as they are.
    assert leavers_deidentify(on=today) == 0
    assert _texts(leaver)["message"] == CLEARED_MESSAGE
