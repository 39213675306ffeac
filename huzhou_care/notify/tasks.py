"""Reminder and delivery tasks: thin, ids (or an ISO date) only, safe to run twice."""

import datetime as dt

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.utils import timezone

from huzhou_care.celery import TASK_OPTIONS

from . import services
from .channels import TransientDeliveryError


# A run cut short by the soft time limit is continued by a retry: each reminder commits on its
# own and the sent ones are skipped, so the retry picks up where the run stopped.
@shared_task(
    name="notify.send_reminders",
    **{**TASK_OPTIONS, "autoretry_for": (*TASK_OPTIONS["autoretry_for"], SoftTimeLimitExceeded)},
)
def send_reminders_task(run_date: str | None = None) -> dict:
    """The beat job (no argument: today in Asia/Shanghai) and on-demand runs (an ISO date)."""
    day = dt.date.fromisoformat(run_date) if run_date else timezone.localdate()
    return services.reminders_send(day)


@shared_task(
    name="notify.send_deliveries",
    **{
        **TASK_OPTIONS,
        "autoretry_for": (*TASK_OPTIONS["autoretry_for"], TransientDeliveryError),
    },
)
def deliveries_send_task(notification_ids: list[int]) -> int:
    return services.deliveries_send(notification_ids=notification_ids)
