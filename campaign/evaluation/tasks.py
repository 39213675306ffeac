"""The roll-up task: a year and an ISO date (and a job id) only. Safe to run twice and to
be redelivered after a worker dies: the snapshot is written in one insert at the end, and
the (year, as_of) unique constraint keeps exactly one."""

import datetime as dt

from celery import shared_task
from django.utils import timezone

from huzhou_care.celery import TASK_OPTIONS

from . import counts, services


@shared_task(name="campaign.evaluation_rollup", **TASK_OPTIONS)
def evaluation_rollup(job_id: int) -> dict:
    """The job row says which year and date (ids only in messages)."""
    snapshot, created = services.run_job(job_id)
    # The dashboards' pre-aggregated figures are taken after the roll-up, too.
    fresh = counts.refresh()
    return {"snapshot": snapshot.pk, "created": created, "counts": fresh.pk}


@shared_task(name="campaign.dashboard_counts_refresh", **TASK_OPTIONS)
def dashboard_counts_refresh() -> int:
    """The dashboards' pre-aggregated figures, taken now (counts.py): queued by city_admin's
    "立即刷新" and by a dashboard that finds them stale. Safe to run twice."""
    from django.core.cache import cache

    try:
        return counts.refresh().pk
    finally:
        cache.delete(counts.LOCK_KEY)


# Nightly from 1 to 20 December (beat at 00:30 from the 2nd to the 21st): the day that has
# just ended, so the snapshot of each as-of date is taken once that day is complete.
@shared_task(name="campaign.nightly_rollup", **TASK_OPTIONS)
def nightly_rollup() -> dict | None:
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    if yesterday.month != 12 or not 1 <= yesterday.day <= 20:
        return None
    job = services.nightly_job(yesterday)
    return evaluation_rollup(job.pk)
