"""The one Celery app. Configuration comes from Django settings under the CELERY_ prefix."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huzhou_care.settings")

app = Celery("huzhou_care")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
