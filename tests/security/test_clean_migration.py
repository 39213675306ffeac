"""The data migration cleans text stored before the cleaning existed (issue 7 item 2)."""

import importlib

from django.apps import apps

from children.models import Child, RosterRow, RosterUpload

from ..factories import ChildFactory

migration = importlib.import_module("children.migrations.0008_clean_stored_text")


def test_the_migration_cleans_stored_children_and_previews(carol, wuxing_school):
    dirty = ChildFactory(school=wuxing_school)
    clean = ChildFactory(school=wuxing_school, name="李雷")
    Child.objects.filter(pk=dirty.pk).update(
        name="王\u200b芳\x1f",
        village="大河\x01村\u202e",
        notes="第一行\r\n第二行\x0b",
        guardian_phone="1381234\x085678",
    )
    upload = RosterUpload.objects.create(
        school=wuxing_school,
        uploaded_by=carol,
        original_name="名\x01册.xlsx",
        size=1,
        sha256="0" * 64,
        header=["姓名\x02"],
    )
    row = RosterRow.objects.create(upload=upload, row_number=2, outcome="rejected", name="王\x03")
    before = Child.objects.get(pk=clean.pk).updated_at

    migration.clean_stored_text(apps, None)

    dirty.refresh_from_db()
    assert (dirty.name, dirty.village, dirty.notes) == ("王芳", "大河村", "第一行\n第二行")
    assert dirty.guardian_phone == "13812345678"
    assert Child.objects.get(pk=clean.pk).updated_at == before
    upload.refresh_from_db()
    row.refresh_from_db()
    assert (upload.original_name, upload.header) == ("名册.xlsx", ["姓名"])
    assert row.name == "王"
