"""Celery tasks: thin wrappers that take ids and call one service. Safe to run twice."""

import datetime as dt

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded

from huzhou_care.celery import TASK_OPTIONS

from . import retention, services


@shared_task(name="children.roster_preview", **TASK_OPTIONS)
def roster_preview_task(upload_id: int) -> None:
    services.roster_preview_build(upload_id)


@shared_task(name="children.roster_import", **TASK_OPTIONS)
def roster_import_task(upload_id: int) -> None:
    services.roster_import_run(upload_id)


@shared_task(name="children.roster_files_purge", **TASK_OPTIONS)
def roster_files_purge_task() -> int:
    return services.roster_files_purge()


# A run cut short by the soft time limit is continued by a retry: each batch commits on its
# own and the de-identified children are not picked again.
@shared_task(
    name="children.retention_deidentify",
    **{**TASK_OPTIONS, "autoretry_for": (*TASK_OPTIONS["autoretry_for"], SoftTimeLimitExceeded)},
)
def retention_deidentify_task(run_date: str | None = None) -> int:
    """The beat job (no argument: today in Asia/Shanghai) and on-demand runs (an ISO date)."""
    day = dt.date.fromisoformat(run_date) if run_date else None
    return retention.leavers_deidentify(on=day)
