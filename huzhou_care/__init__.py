"""The 我们在一起 campaign portal: project package and shared core."""

from .celery import app as celery_app

__all__ = ("celery_app",)
