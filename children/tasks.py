"""Celery tasks: thin wrappers that take ids and call one service. Safe to run twice."""

from celery import shared_task

from huzhou_care.celery import TASK_OPTIONS

from . import services


@shared_task(name="children.roster_preview", **TASK_OPTIONS)
def roster_preview_task(upload_id: int) -> None:
    services.roster_preview_build(upload_id)


@shared_task(name="children.roster_import", **TASK_OPTIONS)
def roster_import_task(upload_id: int) -> None:
    services.roster_import_run(upload_id)


@shared_task(name="children.roster_files_purge", **TASK_OPTIONS)
def roster_files_purge_task() -> int:
    return services.roster_files_purge()
