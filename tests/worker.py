"""A real Celery worker process for the integration tests (marked celery_worker): it talks to
the Redis of REDIS_URL and to the test database (PostgreSQL, so both processes share it)."""

import os
import subprocess
import sys
import time
from contextlib import contextmanager

import pytest
from django.conf import settings
from django.db import connection

needs_worker = pytest.mark.skipif(
    not os.environ.get("REDIS_URL") or "postgres" not in os.environ.get("DATABASE_URL", ""),
    reason="needs REDIS_URL and PostgreSQL, shared with a worker process",
)


def queue_name() -> str:
    """One queue per pytest-xdist process, so that two test processes sharing a Redis database
    never run each other's tasks (each against its own test database)."""
    return f"celery-test-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"


@contextmanager
def own_queue():
    """Publish to this process's queue while the block runs (the AMQP helper caches routes:
    it is rebuilt on both sides of the block)."""
    from huzhou_care.celery import app

    previous = app.conf.task_default_queue
    app.conf.task_default_queue = queue_name()
    app.__dict__.pop("amqp", None)
    try:
        yield queue_name()
    finally:
        app.conf.task_default_queue = previous
        app.__dict__.pop("amqp", None)


def worker_env(**extra) -> dict:
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    return {
        **os.environ,
        "DATABASE_URL": url,
        "REDIS_URL": os.environ["REDIS_URL"],
        "DJANGO_MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "CELERY_QUEUE": queue_name(),
        **extra,
    }


def start_worker(**extra_env) -> subprocess.Popen:
    """``celery worker --pool=solo``: one process, so SIGKILL to it kills the task it runs."""
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "huzhou_care",
            "worker",
            "--pool=solo",
            "--loglevel=warning",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-Q",
            queue_name(),
        ],
        cwd=settings.BASE_DIR,
        env=worker_env(**extra_env),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def stop_worker(worker: subprocess.Popen) -> str:
    """Stop it (warm shutdown) and return what it printed."""
    if worker.poll() is None:
        worker.terminate()
    return worker.communicate(timeout=60)[0]


def purge_queue() -> None:
    """Leave no message of an earlier, failed run in this process's queue."""
    from huzhou_care.celery import app

    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge(app.conf.task_default_queue)


def wait_until(predicate, *, timeout=120, every=0.2, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"{what} not reached after {timeout}s")
