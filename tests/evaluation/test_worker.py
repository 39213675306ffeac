"""The roll-up in a real Celery worker process through Redis (not eager): end to end with the
hand-computed values, and a worker killed with SIGKILL in the middle of the roll-up, then
restarted: exactly one correct snapshot. Needs REDIS_URL and PostgreSQL.

The kill lands mid-roll-up without any hook in the code: the test holds an exclusive lock on
the table the last measure reads (volunteer hours), so the worker has computed the other
measures (the job shows their progress) and waits inside the roll-up when it is killed."""

import os
import signal
import time

import pytest
from django.db import connection, transaction

from campaign.evaluation.tasks import evaluation_rollup
from campaign.models import RollupJob, Snapshot

from ..worker import needs_worker, purge_queue, start_worker, stop_worker, wait_until
from . import builders as b

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True), needs_worker]


@pytest.fixture
def fixture(wuxing, changxing, wuxing_school, changxing_school, city_admin):
    return b.build(wuxing, changxing, wuxing_school, changxing_school, city_admin)


def _wuxing(snapshot):
    return next(d for d in snapshot.results["districts"] if d["name"] == "吴兴区")


def _check(snapshot):
    wx = _wuxing(snapshot)
    got = {code: (c["value"], c["score"]) for code, c in wx["indicators"].items()}
    assert got == b.EXPECTED_WUXING and wx["score"] == b.EXPECTED_WUXING_SCORE


def test_a_real_worker_rolls_up_and_a_second_run_creates_nothing(fixture, city_admin):
    purge_queue()
    worker = start_worker()
    try:
        first = RollupJob.objects.create(year=b.YEAR, as_of=b.AS_OF, requested_by=city_admin)
        evaluation_rollup.delay(first.pk)
        wait_until(lambda: RollupJob.objects.get(pk=first.pk).status == "done", what="roll-up")
        second = RollupJob.objects.create(year=b.YEAR, as_of=b.AS_OF, requested_by=city_admin)
        evaluation_rollup.delay(second.pk)
        wait_until(lambda: RollupJob.objects.get(pk=second.pk).status == "done", what="rerun")
    finally:
        output = stop_worker(worker)
    assert "Traceback" not in output, output
    (snapshot,) = Snapshot.objects.all()
    _check(snapshot)
    assert RollupJob.objects.get(pk=second.pk).snapshot_id == snapshot.pk
    assert RollupJob.objects.get(pk=second.pk).message.startswith("该日期的快照已存在")


def test_a_worker_killed_mid_rollup_then_restarted_leaves_one_correct_snapshot(fixture, city_admin):
    env = {"CELERY_VISIBILITY_TIMEOUT": "2"}
    job = RollupJob.objects.create(year=b.YEAR, as_of=b.AS_OF, requested_by=city_admin)
    purge_queue()
    worker = start_worker(**env)
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("LOCK TABLE volunteers_servicerecord IN ACCESS EXCLUSIVE MODE")
            evaluation_rollup.delay(job.pk)
            wait_until(
                lambda: RollupJob.objects.filter(pk=job.pk, progress__gte=50).exists(),
                what="the roll-up under way",
            )
            time.sleep(0.5)  # the worker now waits on the lock, inside the roll-up
            assert not Snapshot.objects.exists()
            os.kill(worker.pid, signal.SIGKILL)
            worker.wait(timeout=30)
    finally:
        stop_worker(worker)
    running = RollupJob.objects.get(pk=job.pk)
    assert running.status == "running" and 50 <= running.progress < 100
    assert not Snapshot.objects.exists(), "nothing is written before the roll-up ends"
    time.sleep(2.5)  # past the visibility timeout: the message counts as abandoned

    worker = start_worker(**env)
    try:
        wait_until(
            lambda: RollupJob.objects.get(pk=job.pk).status == "done",
            timeout=180,
            what="the redelivered roll-up",
        )
        time.sleep(1)
    finally:
        output = stop_worker(worker)
    assert "Traceback" not in output, output
    (snapshot,) = Snapshot.objects.all()
    _check(snapshot)
    assert RollupJob.objects.get(pk=job.pk).snapshot_id == snapshot.pk
