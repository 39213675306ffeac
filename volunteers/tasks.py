"""Celery tasks: thin wrappers that take ids and call one service. Safe to run twice."""

from celery import shared_task

from children.tasks import TASK_OPTIONS

from . import services


@shared_task(name="volunteers.upload_preview", **TASK_OPTIONS)
def upload_preview_task(upload_id: int) -> None:
    services.upload_preview_build(upload_id)


@shared_task(name="volunteers.upload_import", **TASK_OPTIONS)
def upload_import_task(upload_id: int) -> None:
    services.upload_import_run(upload_id)
