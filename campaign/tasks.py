"""Celery tasks of campaign/ (found by autodiscovery)."""

from .evaluation.tasks import evaluation_rollup, nightly_rollup  # noqa: F401
