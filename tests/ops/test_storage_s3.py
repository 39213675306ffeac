"""Uploads in S3-compatible object storage (django-storages), chosen by environment.

moto's S3 server stands in for MinIO or a cloud's OSS (the one mock: no object store can run
here); it is a real HTTP server on a free loopback port, spoken to by boto3 as any bucket."""

import json
import os
import subprocess

import boto3
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from children import services
from children.models import Child, RosterUpload

from ..children.roster_files import roster_xlsx
from .conftest import BUCKET, PYTHON, ROOT


@pytest.fixture
def s3_storage(settings, s3_endpoint):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": s3_endpoint,
                "location": "media",
                "default_acl": "private",
                "file_overwrite": False,
                "addressing_style": "path",
            },
        },
    }
    return boto3.client("s3", endpoint_url=s3_endpoint)


def test_the_settings_choose_s3_from_the_environment():
    env = {
        **os.environ,
        "DJANGO_S3_BUCKET": "roster-bucket",
        "DJANGO_S3_ENDPOINT_URL": "https://oss-cn-hangzhou.example.com",
        "DJANGO_S3_REGION": "cn-hangzhou",
    }
    script = (
        "import json; from django.conf import settings; "
        "from django.core.files.storage import default_storage as s; s.bucket_name; "
        "print(json.dumps([type(s._wrapped).__name__, settings.STORAGES['default']['OPTIONS']]))"
    )
    result = subprocess.run(
        [PYTHON, "manage.py", "shell", "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    backend, options = json.loads(result.stdout.strip().splitlines()[-1])
    assert backend == "S3Storage"
    assert options["bucket_name"] == "roster-bucket"
    assert options["endpoint_url"] == "https://oss-cn-hangzhou.example.com"
    assert options["region_name"] == "cn-hangzhou"
    assert options["default_acl"] == "private" and options["file_overwrite"] is False


def test_without_a_bucket_uploads_stay_on_the_local_disk(settings):
    assert settings.STORAGES["default"]["BACKEND"].endswith("FileSystemStorage")


def test_a_roster_goes_to_the_bucket_is_read_back_for_its_preview_and_imported(
    s3_storage, carol, wuxing_school, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media-must-stay-empty"
    data = roster_xlsx(rows=12, division="330502", township=wuxing_school.township.name)
    upload = services.roster_upload_create(
        school=wuxing_school, actor=carol, uploaded=SimpleUploadedFile("名册.xlsx", data)
    )
    upload = RosterUpload.objects.get(pk=upload.pk)
    assert upload.status == "preview" and upload.new == 12  # parsed from the bucket's copy

    stored = s3_storage.get_object(Bucket=BUCKET, Key=f"media/{upload.file.name}")
    assert stored["Body"].read() == data
    acl = s3_storage.get_object_acl(Bucket=BUCKET, Key=f"media/{upload.file.name}")
    assert [g["Permission"] for g in acl["Grants"]] == ["FULL_CONTROL"]  # private: owner only
    assert not settings.MEDIA_ROOT.exists()

    assert services.roster_confirm(upload=upload, actor=carol)
    assert Child.objects.filter(school=wuxing_school).count() == 12
