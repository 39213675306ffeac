"""Uploads end in a state with a message, cancel always works, and files with personal data do
not outlive their use (issue 7 items 3 and 8)."""

import datetime as dt
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from children import services
from children.models import Child, RosterRow, RosterUpload
from huzhou_care.orgs.models import School

from . import hostile
from .conftest import leftovers


def _upload(client, user, school, data, name="a.xlsx"):
    client.force_login(user)
    client.post(
        reverse("children:roster_upload"),
        {"school": school.pk, "file": SimpleUploadedFile(name, data)},
    )
    return school.rosters.latest("pk")


def _file_path(upload) -> Path:
    return Path(upload.file.path)


def test_a_nul_that_reaches_postgresql_ends_the_upload_failed_with_a_message(
    client, carol, wuxing_school, monkeypatch
):
    """The cleaning removes NUL (tests/security/test_hostile_files.py); if one still reached
    the database, the check ends failed with a message instead of staying 正在检查."""
    if connection.vendor != "postgresql":
        pytest.skip("only PostgreSQL refuses NUL in text")
    from children.roster import normalize

    # The cleaning bypassed: the preview row's name keeps the literal NUL.
    monkeypatch.setattr(normalize, "clean_name", lambda value: value)
    monkeypatch.setattr(normalize, "clean_text", lambda value, **kw: value)
    data = hostile.xlsx([hostile.HEADER, ["PLACEHOLDER", "bad-id", "双亲外出务工", "祖辈监护"]])
    data = hostile._rewrite_sheet(data, lambda xml: xml.replace(b"PLACEHOLDER", b"x\x00"))
    upload = _upload(client, carol, wuxing_school, data)
    assert upload.status == RosterUpload.Status.FAILED
    assert upload.message == services.MSG_CHECK_FAILED
    assert not RosterRow.objects.exists() and not upload.file
    page = client.get(reverse("children:roster_detail", args=[upload.pk])).content.decode()
    assert "系统出错" in page


@pytest.mark.parametrize(
    "status",
    [
        RosterUpload.Status.PENDING,
        RosterUpload.Status.PARSING,
        RosterUpload.Status.PREVIEW,
        RosterUpload.Status.FAILED,
        RosterUpload.Status.IMPORTING,
    ],
)
def test_cancel_works_in_every_state_before_done_and_deletes_the_file(
    client, carol, wuxing_school, status
):
    data = hostile.xlsx([hostile.HEADER, ["王芳", hostile.ID_NUMBER, "双亲外出务工", "祖辈监护"]])
    upload = _upload(client, carol, wuxing_school, data)
    path = _file_path(upload)
    assert path.exists()
    RosterUpload.objects.filter(pk=upload.pk).update(status=status)
    response = client.post(reverse("children:roster_cancel", args=[upload.pk]), follow=True)
    assert "已取消本次上传" in response.content.decode()
    upload.refresh_from_db()
    assert upload.status == RosterUpload.Status.CANCELLED and not upload.file
    assert not path.exists() and not RosterRow.objects.filter(upload=upload).exists()
    # A worker that picks the upload up afterwards does nothing.
    services.roster_preview_build(upload.pk)
    services.roster_import_run(upload.pk)
    upload.refresh_from_db()
    assert upload.status == RosterUpload.Status.CANCELLED and not Child.objects.exists()


def test_cancelling_an_imported_upload_says_why_it_cannot(client, carol, wuxing_school):
    data = hostile.xlsx([hostile.HEADER, ["王芳", hostile.ID_NUMBER, "双亲外出务工", "祖辈监护"]])
    upload = _upload(client, carol, wuxing_school, data)
    client.post(reverse("children:roster_confirm", args=[upload.pk]))
    response = client.post(reverse("children:roster_cancel", args=[upload.pk]), follow=True)
    assert "当前状态为“已导入”，不能再取消" in response.content.decode()


def test_a_failed_upload_loses_its_file_at_once(client, carol, wuxing_school):
    upload = _upload(client, carol, wuxing_school, hostile.xlsx_entity_bomb())
    assert upload.status == RosterUpload.Status.FAILED and not upload.file


def test_imported_files_are_deleted_after_the_keeping_period_and_the_rows_stay(
    client, settings, carol, wuxing_school
):
    settings.ROSTER_FILE_KEEP_DAYS = 30
    data = hostile.xlsx([hostile.HEADER, ["王芳", hostile.ID_NUMBER, "双亲外出务工", "祖辈监护"]])
    old = _upload(client, carol, wuxing_school, data)
    client.post(reverse("children:roster_confirm", args=[old.pk]))
    recent = _upload(client, carol, wuxing_school, data, name="b.xlsx")
    RosterUpload.objects.filter(pk=old.pk).update(
        confirmed_at=timezone.now() - dt.timedelta(days=31)
    )
    old_path, recent_path = _file_path(old), _file_path(recent)

    out = StringIO()
    call_command("purge_roster_files", "--json", stdout=out)
    assert json.loads(out.getvalue()) == {"deleted": 1, "keep_days": 30}
    old.refresh_from_db()
    assert not old.file and not old_path.exists() and recent_path.exists()
    assert old.status == RosterUpload.Status.DONE and old.new == 1
    assert Child.objects.count() == 1
    # The error sheet of an upload whose file is gone still downloads.
    assert client.get(reverse("children:roster_errors", args=[old.pk])).status_code == 200


def test_the_purge_is_a_task_on_the_beat_schedule(settings):
    from children.tasks import roster_files_purge_task

    entry = settings.CELERY_BEAT_SCHEDULE["children.roster_files_purge"]
    assert entry["task"] == roster_files_purge_task.name == "children.roster_files_purge"


def test_the_admin_school_import_leaves_nothing_in_tmp(client, city_admin, private_tmp):
    client.force_login(city_admin)
    page = client.get("/admin/orgs/school/import/")
    formats = dict((label, value) for value, label in page.context["form"].fields["format"].choices)
    csv_format = next(value for label, value in formats.items() if str(label).lower() == "csv")
    bad = "学校标识码,学校名称,学校类型,区县代码,乡镇代码\n3305020101,织里镇晟舍小学,primary,999,999\n"
    response = client.post(
        "/admin/orgs/school/import/",
        {
            "format": csv_format,
            "import_file": SimpleUploadedFile("schools.csv", bad.encode()),
            "resource": 0,
        },
    )
    assert response.status_code == 200
    assert (
        response.context["result"].has_validation_errors()
        or response.context["result"].has_errors()
    )
    assert not School.objects.filter(code="3305020101").exists()
    assert leftovers(private_tmp) == []
