"""The reminder job in a real Celery worker process through Redis (not eager): end to end,
twice, and killed with SIGKILL in the middle then restarted. Needs REDIS_URL and PostgreSQL."""

import datetime as dt
import os
import re
import signal
import time

import pytest
from django.db.models import Count
from django.utils import timezone

from children.models import RosterUpload
from huzhou_care.notify.models import Delivery, Notification, Reminder
from huzhou_care.notify.tasks import send_reminders_task

from ..worker import needs_worker, purge_queue, start_worker, stop_worker, wait_until

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True), needs_worker]

RUN_DATE = "2026-12-08"


def _waiting_uploads(school, user, count):
    RosterUpload.objects.bulk_create(
        RosterUpload(
            school=school,
            uploaded_by=user,
            original_name=f"名册{n}.xlsx",
            size=1,
            sha256="0" * 64,
            file="rosters/test",
            status=RosterUpload.Status.PREVIEW,
            rows=10,
        )
        for n in range(count)
    )
    RosterUpload.objects.update(uploaded_at=timezone.make_aware(dt.datetime(2026, 12, 1, 9, 0)))


def _mailed_links(mail_dir) -> list[str]:
    """The roster link of every e-mail the worker's file backend wrote."""
    links = []
    for path in sorted(mail_dir.iterdir()):
        links += re.findall(r"/children/rosters/(\d+)/", path.read_text(encoding="utf-8"))
    return links


@pytest.fixture
def mailbox(tmp_path):
    path = tmp_path / "mail"
    path.mkdir()
    return path


@pytest.fixture
def carol_by_mail(carol):
    carol.email = "cai@example.cn"
    carol.save()
    return carol


def test_a_real_worker_sends_the_reminders_and_a_second_run_sends_none(
    carol_by_mail, wuxing_school, mailbox
):
    _waiting_uploads(wuxing_school, carol_by_mail, 5)
    purge_queue()
    worker = start_worker(EMAIL_URL=f"filemail:///{mailbox}")
    try:
        first = send_reminders_task.delay(RUN_DATE).get(timeout=90)
        second = send_reminders_task.delay(RUN_DATE).get(timeout=90)
    finally:
        output = stop_worker(worker)
    assert "Traceback" not in output, output
    from huzhou_care.notify.registry import all_rules

    idle = {r.code: 0 for r in all_rules() if r.collect is not None}  # every app's rules
    assert first == {"sent": 5, "by_rule": {**idle, "children.roster_waiting": 5}}
    assert second["sent"] == 0
    assert Reminder.objects.count() == Notification.objects.count() == 5
    links = _mailed_links(mailbox)
    assert sorted(links) == sorted(
        str(pk) for pk in RosterUpload.objects.values_list("pk", flat=True)
    )


def test_a_worker_killed_mid_run_is_redelivered_and_each_reminder_goes_once(
    carol_by_mail, wuxing_school, mailbox
):
    total = 1500
    _waiting_uploads(wuxing_school, carol_by_mail, total)
    purge_queue()
    # A short visibility timeout so that the restarted worker takes the unacknowledged task
    # back at once (in production it is an hour, above the hard time limit).
    env = {"EMAIL_URL": f"filemail:///{mailbox}", "CELERY_VISIBILITY_TIMEOUT": "2"}
    worker = start_worker(**env)
    try:
        send_reminders_task.delay(RUN_DATE)
        wait_until(lambda: Reminder.objects.count() >= 30, what="the run under way")
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)
    finally:
        stop_worker(worker)
    sent_before_kill = Reminder.objects.count()
    assert 30 <= sent_before_kill < total, "the worker was not killed in the middle"
    time.sleep(2.5)  # past the visibility timeout: the message counts as abandoned

    worker = start_worker(**env)
    try:
        wait_until(
            lambda: (
                Reminder.objects.count() == total
                and not Delivery.objects.filter(status="pending").exists()
            ),
            timeout=180,
            what="the redelivered run finished",
        )
        time.sleep(1)
    finally:
        output = stop_worker(worker)
    assert "Traceback" not in output, output

    assert Reminder.objects.count() == Notification.objects.count() == total
    assert Notification.objects.filter(reminder__isnull=True).count() == 0
    links = _mailed_links(mailbox)
    assert len(links) == len(set(links)), "an e-mail went twice"
    # At most one e-mail was claimed and lost with the killed process, never sent twice.
    statuses = dict(Delivery.objects.values_list("status").annotate(n=Count("pk")))
    assert statuses.get("sent", 0) == len(links)
    assert (
        statuses.get("sending", 0) <= 1
        and statuses.get("sent", 0) + statuses.get("sending", 0) == total
    )
