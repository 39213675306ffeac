"""The one Celery app. Configuration comes from Django settings under the CELERY_ prefix
(acks_late, prefetch 1, JSON only, time limits, the beat schedule: see settings.py)."""

import os

from celery import Celery
from django.db import InterfaceError, OperationalError

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huzhou_care.settings")

app = Celery("huzhou_care")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


# The options every task of the portal uses: acknowledged after it ran (a worker that dies
# mid-task gets it redelivered), retries with exponential backoff for transient errors only
# (the database restarting, a lost connection): a bad file or a bug is not retried.
# (django.db imports without settings, so this module may load before Django is set up.)
TASK_OPTIONS = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": (OperationalError, InterfaceError),
    "retry_backoff": 5,
    "retry_backoff_max": 300,
    "retry_jitter": True,
    "max_retries": 6,
}
