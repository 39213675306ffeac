"""Celery messages carry ids (and ISO dates), never personal data: every task's signature is
checked, and real messages published by the portal's flows are captured and inspected."""

import datetime as dt
import inspect
import json
import typing

import pytest
from celery.signals import before_task_publish
from django.core.files.uploadedfile import SimpleUploadedFile

from huzhou_care.celery import app

from .children.roster_files import roster_xlsx
from .worker import own_queue, purge_queue, queue_name

ALLOWED = {int, list[int], str | None, str}


def _portal_tasks():
    app.loader.import_default_modules()
    return {name: task for name, task in app.tasks.items() if not name.startswith("celery.")}


def test_every_task_takes_only_ids_or_an_iso_date():
    tasks = _portal_tasks()
    assert {"children.roster_preview", "children.roster_import", "notify.send_reminders"} <= set(
        tasks
    )
    offenders = []
    for name, task in tasks.items():
        hints = typing.get_type_hints(task.run)
        for param in inspect.signature(task.run).parameters.values():
            ok_name = param.name.endswith(("_id", "_ids")) or (
                param.name.endswith("_date") and hints.get(param.name) in (str, str | None)
            )
            if not ok_name or hints.get(param.name) not in ALLOWED:
                offenders.append(f"{name}({param.name}: {hints.get(param.name)})")
    assert offenders == []


def test_every_task_is_acked_late_and_retries_only_transient_errors():
    from django.db import InterfaceError, OperationalError

    for name, task in _portal_tasks().items():
        assert task.acks_late and task.reject_on_worker_lost, name
        assert OperationalError in task.autoretry_for and InterfaceError in task.autoretry_for
        assert Exception not in task.autoretry_for, name
        assert task.retry_backoff and task.max_retries, name


@pytest.fixture
def published():
    """Messages really published to the broker (not run in-process), as JSON bodies."""
    bodies = []

    def capture(sender=None, body=None, headers=None, routing_key=None, **kwargs):
        assert routing_key == queue_name()  # never the shared default queue
        bodies.append((sender, json.dumps(body, ensure_ascii=False), headers))

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = False
    before_task_publish.connect(capture)
    try:
        with own_queue():
            yield bodies
            purge_queue()
    finally:
        before_task_publish.disconnect(capture)
        app.conf.task_always_eager = previous


def test_the_messages_of_real_flows_hold_ids_and_dates_only(
    published, carol, wuxing_school, django_capture_on_commit_callbacks
):
    from children import services as children_services
    from huzhou_care.notify import services as notify_services
    from huzhou_care.notify.tasks import send_reminders_task

    carol.email = "cai@example.cn"
    carol.phone = "13912345678"
    carol.save()
    data = roster_xlsx(rows=2500, division="330502", township=wuxing_school.township.name)
    with django_capture_on_commit_callbacks(execute=True):
        children_services.roster_upload_create(
            school=wuxing_school, actor=carol, uploaded=SimpleUploadedFile("大名册.xlsx", data)
        )
        notify_services.notify(recipient=carol, rule="children.roster_waiting", text="蔡老师请确认")
    send_reminders_task.delay(dt.date(2026, 12, 8).isoformat())

    names = {sender for sender, _, _ in published}
    assert names == {"children.roster_preview", "notify.send_deliveries", "notify.send_reminders"}
    for sender, body, headers in published:
        args, kwargs, _ = json.loads(body)
        for value in [*args, *kwargs.values()]:
            assert (
                isinstance(value, int)
                or (isinstance(value, list) and all(isinstance(v, int) for v in value))
                or dt.date.fromisoformat(value)
            ), (sender, value)
        text = body + json.dumps(headers, ensure_ascii=False, default=str)
        for personal in ("蔡老师", "13912345678", "cai@example.cn", "大名册", "carol"):
            assert personal not in text, (sender, personal)


def test_the_worker_settings_are_the_reliable_ones(settings):
    conf = app.conf
    assert conf.task_acks_late and conf.task_reject_on_worker_lost
    assert conf.worker_prefetch_multiplier == 1
    assert conf.task_serializer == conf.result_serializer == "json"
    assert list(conf.accept_content) == ["json"]
    visibility = conf.broker_transport_options["visibility_timeout"]
    assert 0 < conf.task_soft_time_limit < conf.task_time_limit < visibility
    beat = conf.beat_schedule
    assert sorted(entry["task"] for entry in beat.values()) == [
        "campaign.dashboard_counts_refresh",
        "campaign.nightly_rollup",
        "children.retention_deidentify",
        "children.roster_files_purge",
        "notify.send_reminders",
    ]


def test_a_reminder_run_stopped_by_the_soft_time_limit_is_retried_not_dropped():
    from celery.exceptions import SoftTimeLimitExceeded

    from huzhou_care.notify.tasks import deliveries_send_task, send_reminders_task

    assert SoftTimeLimitExceeded in send_reminders_task.autoretry_for
    assert SoftTimeLimitExceeded not in deliveries_send_task.autoretry_for
