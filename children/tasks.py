"""Celery tasks: thin wrappers that take ids and call one service. Safe to run twice."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from . import services

# Retry what is transient (the database restarting, a lost connection), with backoff; a bad
# file is not transient: the service records it on the upload and returns.
TASK_OPTIONS = {
    "acks_late": True,
    "autoretry_for": (OperationalError, InterfaceError),
    "retry_backoff": 5,
    "retry_backoff_max": 300,
    "max_retries": 6,
}


@shared_task(name="children.roster_preview", **TASK_OPTIONS)
def roster_preview_task(upload_id: int) -> None:
    services.roster_preview_build(upload_id)


@shared_task(name="children.roster_import", **TASK_OPTIONS)
def roster_import_task(upload_id: int) -> None:
    services.roster_import_run(upload_id)


@shared_task(name="children.roster_files_purge", **TASK_OPTIONS)
def roster_files_purge_task() -> int:
    return services.roster_files_purge()
