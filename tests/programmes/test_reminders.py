"""Reminders for wishes claimed but not confirmed or not fulfilled, through the notify registry."""

import datetime as dt

import pytest
from django.utils import timezone

from campaign.programmes import reminders, services
from campaign.programmes.models import WishClaim
from huzhou_care.notify.models import Notification
from huzhou_care.notify.registry import get_rule
from huzhou_care.notify.services import reminders_send

from .conftest import make_wish

pytestmark = pytest.mark.django_db


def _claimed(carol, alice, child, *, confirm=True):
    wish = make_wish(child, carol)
    services.wish_review(wish=wish, approve=True, user=alice)
    services.wish_claim(wish_id=wish.pk, kind="public", name="张", phone="13912345678")
    if confirm:
        services.claim_decide(wish=wish, confirm=True, user=alice)
    return wish


def test_the_rules_are_registered():
    assert get_rule(reminders.NOT_FULFILLED_RULE).collect is not None
    assert get_rule(reminders.CLAIM_PENDING_RULE).collect is not None


def test_a_claimed_wish_not_fulfilled_reminds_the_district_once_per_step(
    carol, alice, bob, wuxing_child
):
    wish = _claimed(carol, alice, wuxing_child)
    today = timezone.localdate()
    assert list(reminders.not_fulfilled(today + dt.timedelta(days=20))) == []
    due = list(reminders.not_fulfilled(today + dt.timedelta(days=21)))
    assert [(d.recipient_id, d.period) for d in due] == [(alice.pk, "d21")]
    assert wuxing_child.name not in due[0].text and wish.item in due[0].text
    reminders_send(today + dt.timedelta(days=21))
    reminders_send(today + dt.timedelta(days=22))
    sent = Notification.objects.filter(rule=reminders.NOT_FULFILLED_RULE)
    assert sent.count() == 1 and sent.get().recipient == alice
    reminders_send(today + dt.timedelta(days=31))
    assert sent.count() == 2 and "释放" in sent.order_by("pk").last().text
    # fulfilled wishes are not reminded
    WishClaim.objects.filter(wish=wish).update(status=WishClaim.Status.FULFILLED)
    assert list(reminders.not_fulfilled(today + dt.timedelta(days=40))) == []


def test_a_pending_public_claim_reminds_the_district(carol, alice, wuxing_child):
    _claimed(carol, alice, wuxing_child, confirm=False)
    today = timezone.localdate()
    assert list(reminders.claim_pending(today + dt.timedelta(days=2))) == []
    due = list(reminders.claim_pending(today + dt.timedelta(days=3)))
    assert [(d.recipient_id, d.period) for d in due] == [(alice.pk, "d3")]
