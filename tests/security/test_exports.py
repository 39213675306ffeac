"""Exports cannot fail on a cell's content and leave no temporary file (issue 7 item 2)."""

import io

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from openpyxl import load_workbook

from children.models import Child, RosterRow, RosterUpload
from huzhou_care.text import clean_text

from ..factories import ChildFactory
from .conftest import leftovers

# PostgreSQL cannot store NUL at all (that is issue 7 item 3); SQLite can.
CONTROLS = "\x01\x02\x08\x0b\x0c\x0e\x1b\x1f\x7f\u202e"
TEXT_FIELDS = [
    f.name
    for f in Child._meta.get_fields()
    if getattr(f, "get_internal_type", lambda: "")() in ("CharField", "TextField")
    and not f.choices
    and f.name != "id_number"
]


def _hostile_child(school):
    from django.db import connection

    controls = CONTROLS if connection.vendor == "postgresql" else "\x00" + CONTROLS
    child = ChildFactory(school=school)
    # As if stored before the cleaning existed (the data migration cleans such rows too).
    Child.objects.filter(pk=child.pk).update(
        **{name: f"{controls[:3]}王{controls}芳"[:20] for name in TEXT_FIELDS}
    )
    return child


@pytest.mark.parametrize("layout", ["list", "national"])
@pytest.mark.parametrize("who", ["carol", "alice", "city_admin"])
def test_an_export_of_children_with_control_characters_in_every_field_succeeds(
    client, request, wuxing_school, private_tmp, layout, who
):
    child = _hostile_child(wuxing_school)
    client.force_login(request.getfixturevalue(who))
    response = client.post(reverse("children:export"), {"layout": layout})
    assert response.status_code == 200
    data = b"".join(response.streaming_content)
    cells = [
        value
        for row in load_workbook(io.BytesIO(data), read_only=True).active.iter_rows(
            values_only=True
        )
        for value in row
        if isinstance(value, str)
    ]
    assert "王芳" in cells and not any(clean_text(v, multiline=True) != v for v in cells)
    assert Child.objects.filter(pk=child.pk).exists()
    assert leftovers(private_tmp) == []


def test_the_error_sheet_of_a_row_with_control_characters_downloads(
    client, carol, wuxing_school, private_tmp
):
    upload = RosterUpload.objects.create(
        school=wuxing_school,
        uploaded_by=carol,
        original_name="名册\x01.csv",
        size=1,
        sha256="0" * 64,
        status=RosterUpload.Status.PREVIEW,
        rejected=1,
        header=["姓名\x01", "身份证号"],
    )
    # The error sheet reads the rejected rows' cells from the stored file.
    upload.file.save("roster.csv", ContentFile("姓名,身份证号\n王\x01芳,3305\x0b\n".encode()))
    RosterRow.objects.create(
        upload=upload,
        row_number=2,
        outcome=RosterRow.Outcome.REJECTED,
        name="王\x01芳",
        errors=[{"column": "姓名", "code": "x", "message": "有误\x02"}],
    )
    client.force_login(carol)
    response = client.get(reverse("children:roster_errors", args=[upload.pk]))
    assert response.status_code == 200
    rows = list(
        load_workbook(
            io.BytesIO(b"".join(response.streaming_content)), read_only=True
        ).active.iter_rows(values_only=True)
    )
    assert rows[0][:3] == ("原行号", "未导入原因", "姓名") and rows[1][2] == "王芳"
    assert leftovers(private_tmp) == []


def test_a_failed_export_leaves_no_temporary_file(wuxing_school, private_tmp):
    from huzhou_care.spreadsheets import StreamingSheet

    sheet = StreamingSheet("名单")
    sheet.append(["王芳", "13812345678"])

    class Boom(Exception):
        pass

    def rows():
        yield ["李雷"]
        raise Boom

    with pytest.raises(Boom):
        for row in rows():
            sheet.append(row)
    sheet.discard()
    assert leftovers(private_tmp) == []


def test_the_roster_template_download_leaves_no_temporary_file(client, carol, private_tmp):
    client.force_login(carol)
    response = client.get(reverse("children:roster_template"))
    data = b"".join(response.streaming_content)
    assert load_workbook(io.BytesIO(data)).sheetnames[0]
    assert leftovers(private_tmp) == []
