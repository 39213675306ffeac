"""Roster tasks: idempotent, all-or-nothing, and really run by a Celery worker process
through Redis (the integration test needs REDIS_URL and a database the worker can reach)."""

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from children import services
from children.models import Child, RosterUpload
from huzhou_care.audit.models import ChangeRecord

from ..worker import needs_worker, purge_queue, start_worker, stop_worker
from .roster_files import roster_xlsx


def _large_upload(school, user, rows=2500):
    data = roster_xlsx(rows=rows, division=school.county.code[:6], township=school.township.name)
    assert len(data) > services.ROSTER_INLINE_MAX_BYTES
    return services.roster_upload_create(
        school=school, actor=user, uploaded=SimpleUploadedFile("大名册.xlsx", data)
    )


def test_a_large_file_is_checked_by_the_task_and_imported_once_even_if_run_twice(
    carol, wuxing_school, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        upload = _large_upload(wuxing_school, carol)
    upload.refresh_from_db()
    assert (upload.status, upload.new) == ("preview", 2500)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.roster_confirm(upload=upload, actor=carol)
    services.roster_import_run(upload.pk)  # a redelivered task: no second effect
    services.roster_preview_build(upload.pk)  # a late preview task: no effect either
    upload.refresh_from_db()
    assert upload.status == "done"
    assert Child.objects.count() == 2500
    assert ChangeRecord.objects.filter(source_ref=upload.ref).count() == 2500


def test_an_import_that_fails_midway_writes_nothing(carol, wuxing_school, monkeypatch):
    upload = services.roster_upload_create(
        school=wuxing_school,
        actor=carol,
        uploaded=SimpleUploadedFile(
            "a.xlsx", roster_xlsx(rows=50, division="330502", township=wuxing_school.township.name)
        ),
    )
    from children.roster import plan

    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(plan, "_apply_updates", broken)
    services.roster_confirm(upload=upload, actor=carol)  # recorded on the upload, not raised
    assert not Child.objects.exists() and not ChangeRecord.objects.exists()
    upload.refresh_from_db()
    assert upload.status == "preview"  # the clerk may confirm again; nothing half-written
    assert "未作任何修改" in upload.message


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
@needs_worker
def test_a_real_worker_checks_and_imports_a_large_roster(carol, wuxing_school):
    purge_queue()
    worker = start_worker()
    try:
        upload = _large_upload(wuxing_school, carol)
        assert _wait_for(upload, "preview").new == 2500
        assert not Child.objects.exists()
        services.roster_confirm(upload=RosterUpload.objects.get(pk=upload.pk), actor=carol)
        done = _wait_for(upload, "done")
        assert done.new == 2500 and Child.objects.count() == 2500
    finally:
        output = stop_worker(worker)
    assert "Traceback" not in output, output


def _wait_for(upload, status, timeout=90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        current = RosterUpload.objects.get(pk=upload.pk)
        if current.status == status:
            return current
        assert current.status != "failed", current.message
        time.sleep(0.3)
    raise AssertionError(f"upload still {current.status} after {timeout}s")


def test_an_unexpected_error_while_checking_marks_the_upload_failed_not_stuck(
    carol, wuxing_school, monkeypatch
):
    from children.roster import plan

    def broken(*args, **kwargs):
        raise RuntimeError("bug")

    monkeypatch.setattr(services, "roster_plan", broken)
    data = roster_xlsx(rows=5, division="330502", township=wuxing_school.township.name)
    upload = services.roster_upload_create(
        school=wuxing_school, actor=carol, uploaded=SimpleUploadedFile("a.xlsx", data)
    )
    upload.refresh_from_db()
    assert upload.status == "failed" and "系统出错" in upload.message
    assert plan.roster_plan is not broken  # only the service's reference was replaced
