"""The notification service (the core API other apps call) and the reminder run.

- ``notify(recipient=, rule=, text=, target=, url=, period=)``: one notification, in-app and
  by the rule's outside channels the user has not turned off. With ``period`` (and a target)
  it is a reminder: sent at most once per (rule, target, recipient, period), enforced by the
  database; a repeat returns None.
- ``reminders_send(run_date)``: every registered rule's due reminders for that date, each in
  its own transaction (a killed run keeps what it sent; the rerun sends the rest, once).
  The beat task and ``manage.py send_reminders`` both call it.
- ``deliveries_send()``: hands pending e-mail/SMS deliveries to their channel, each claimed
  with a conditional update first, so a redelivered task never sends one twice.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections import Counter

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from huzhou_care.text import clean_text

from . import channels
from .models import ChannelOptOut, Delivery, Notification, Reminder
from .registry import CHANNELS, Due, all_rules, get_rule

logger = logging.getLogger("huzhou_care.notify")

MAX_ATTEMPTS = 5
TEXT_MAX = Notification._meta.get_field("text").max_length


def _clean(text: str) -> str:
    return clean_text(str(text), multiline=True).strip()[:TEXT_MAX]


def _channels_for(user, rule) -> list[str]:
    if rule.mandatory:
        return list(rule.channels)
    off = set(
        ChannelOptOut.objects.filter(recipient=user, rule=rule.code).values_list(
            "channel", flat=True
        )
    )
    return [c for c in rule.channels if c == "in_app" or c not in off]


@transaction.atomic
def notify(
    *,
    recipient,
    rule: str,
    text: str,
    target=None,
    url: str = "",
    period: str | None = None,
    run_date: dt.date | None = None,
) -> Notification | None:
    """Notify one user. ``rule`` must be registered (``registry.register``). With ``period``
    the notification is a reminder logged in ``Reminder``: the same (rule, target, recipient,
    period) a second time sends nothing and returns None."""
    rule_obj = get_rule(rule)
    if not recipient.is_active:
        return None
    target_type = ContentType.objects.get_for_model(type(target)) if target is not None else None
    reminder = None
    if period is not None:
        if target is None:
            raise ValueError("a reminder (with period) needs a target")
        try:
            with transaction.atomic():
                reminder = Reminder.objects.create(
                    rule=rule_obj.code,
                    target_type=target_type,
                    target_id=target.pk,
                    recipient=recipient,
                    period=period,
                    run_date=run_date or timezone.localdate(),
                )
        except IntegrityError:
            return None  # sent before (or by a concurrent run): the database decided
    notification = Notification.objects.create(
        recipient=recipient,
        rule=rule_obj.code,
        target_type=target_type,
        target_id=target.pk if target is not None else None,
        text=_clean(text),
        url=url,
    )
    if reminder is not None:
        Reminder.objects.filter(pk=reminder.pk).update(notification=notification)
    outside = []
    for channel in _channels_for(recipient, rule_obj):
        # "has a phone?" reads the stored masked form: no decryption to test for empty.
        if channel == "email" and recipient.email or channel == "sms" and recipient.phone_masked:
            outside.append(Delivery(notification=notification, channel=channel))
    Delivery.objects.bulk_create(outside)
    if outside and not _in_reminder_run.active:
        from .tasks import deliveries_send_task

        transaction.on_commit(lambda: deliveries_send_task.delay([notification.pk]))
    return notification


class _RunFlag(threading.local):
    active = False


# While a reminder run is going (in this thread), it delivers each notification itself right
# after committing it (no task per notification).
_in_reminder_run = _RunFlag()


def reminders_send(run_date: dt.date) -> dict:
    """Send every registered rule's due reminders for ``run_date``. Safe to repeat: a
    reminder already sent is refused by the unique constraint and not counted again.
    Returns {"sent": n, "by_rule": {rule: n}} (every registered rule with a collector)."""
    from huzhou_care.accounts.models import User

    by_rule: Counter = Counter()
    rules = [r for r in all_rules() if r.collect is not None]
    _in_reminder_run.active = True
    try:
        for rule in rules:
            dues = list(rule.collect(run_date))
            users = User.objects.in_bulk({d.recipient_id for d in dues})
            for due in dues:
                recipient = users.get(due.recipient_id)
                if recipient is None:
                    continue
                notification = _send_one(rule.code, due, recipient, run_date)
                if notification is not None:
                    by_rule[rule.code] += 1
                    deliveries_send(notification_ids=[notification.pk])
        # What a killed earlier run committed but did not deliver yet.
        deliveries_send()
    finally:
        _in_reminder_run.active = False
    result = {
        "sent": sum(by_rule.values()),
        "by_rule": {r.code: by_rule.get(r.code, 0) for r in rules},
    }
    logger.info("reminders %s: %s", run_date.isoformat(), result)
    return result


def _send_one(rule_code: str, due: Due, recipient, run_date):
    return notify(
        recipient=recipient,
        rule=rule_code,
        text=due.text,
        target=due.target,
        url=due.url,
        period=due.period,
        run_date=run_date,
    )


def _absolute(url: str) -> str:
    if not url or "://" in url:
        return url
    return settings.PORTAL_BASE_URL.rstrip("/") + url


def _deliver(delivery: Delivery) -> None:
    notification = delivery.notification
    rule = get_rule(notification.rule)
    user = notification.recipient
    ref = f"notification:{notification.pk}"
    if delivery.channel == Delivery.Channel.EMAIL:
        body = f"{notification.text}\n\n{_absolute(notification.url)}\n\n{settings.PORTAL_NAME}"
        channels.email_send(address=user.email, subject=f"【我们在一起】{rule.label}", body=body)
    else:
        channels.sms_gateway().send(
            phone=user.phone, text=f"【我们在一起】{notification.text}", ref=ref
        )


def deliveries_send(*, notification_ids: list[int] | None = None) -> int:
    """Hand pending deliveries to their channel; returns how many were sent. A delivery is
    claimed (pending -> sending, by a conditional update) before it is handed over: if the
    process dies in between it stays 'sending' and is never sent twice. A transient error
    puts it back to pending (up to MAX_ATTEMPTS) and raises TransientDeliveryError at the end
    so the task retries with backoff."""
    pending = Delivery.objects.filter(status=Delivery.Status.PENDING).select_related(
        "notification__recipient"
    )
    if notification_ids is not None:
        pending = pending.filter(notification_id__in=notification_ids)
    sent = 0
    transient = 0
    for delivery in pending.order_by("pk")[:1000]:
        claimed = Delivery.objects.filter(pk=delivery.pk, status=Delivery.Status.PENDING).update(
            status=Delivery.Status.SENDING, attempts=F("attempts") + 1
        )
        if not claimed:
            continue
        try:
            _deliver(delivery)
        except channels.TRANSIENT_ERRORS as exc:
            again = delivery.attempts + 1 < MAX_ATTEMPTS
            Delivery.objects.filter(pk=delivery.pk).update(
                status=Delivery.Status.PENDING if again else Delivery.Status.FAILED,
                error=type(exc).__name__,
            )
            transient += again
            logger.warning("delivery %s: %s", delivery.pk, type(exc).__name__)
        except Exception as exc:  # a bad address, a refused message: recorded, not retried
            Delivery.objects.filter(pk=delivery.pk).update(
                status=Delivery.Status.FAILED, error=type(exc).__name__
            )
            logger.warning("delivery %s failed: %s", delivery.pk, type(exc).__name__)
        else:
            Delivery.objects.filter(pk=delivery.pk).update(
                status=Delivery.Status.SENT, sent_at=timezone.now(), error=""
            )
            sent += 1
    if transient:
        raise channels.TransientDeliveryError(f"{transient} deliveries will be retried")
    return sent


# --- the notification centre ------------------------------------------------------------------


def notification_mark_read(*, user, notification_id: int) -> bool:
    """Mark one of the user's notifications read; False if it was already (or is not theirs)."""
    return bool(
        Notification.objects.filter(
            pk=notification_id, recipient=user, read_at__isnull=True
        ).update(read_at=timezone.now())
    )


def notifications_mark_all_read(*, user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


@transaction.atomic
def channel_preferences_set(*, user, enabled: set[tuple[str, str]]) -> None:
    """Store which (rule, channel) pairs the user keeps; every other optional pair of the
    rules they may receive is turned off. Mandatory rules and in-app stay on."""
    from .registry import rules_for

    off = [
        ChannelOptOut(recipient=user, rule=rule.code, channel=channel)
        for rule in rules_for(user)
        if not rule.mandatory
        for channel in rule.channels
        if channel != "in_app" and (rule.code, channel) not in enabled
    ]
    ChannelOptOut.objects.filter(recipient=user).delete()
    ChannelOptOut.objects.bulk_create(off)


__all__ = [
    "CHANNELS",
    "channel_preferences_set",
    "deliveries_send",
    "notification_mark_read",
    "notifications_mark_all_read",
    "notify",
    "reminders_send",
]
