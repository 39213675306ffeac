"""The hostile-file corpus (issue 7): each file is built by the test, uploaded through the
page, and must give its message, write nothing to the registry and leave no file behind
(neither a temporary file nor the stored upload)."""

import datetime as dt
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from children.models import Child, RosterRow, RosterUpload
from children.roster.reader import MSG_CORRUPT, MSG_UNKNOWN_TYPE, MSG_XML_DOCTYPE
from huzhou_care.spreadsheets import FORMULA_TRIGGERS

from . import hostile
from .conftest import leftovers

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures" / "rosters"
SMALL_CAP = 50


def _upload(client, school, name, data):
    return client.post(
        reverse("children:roster_upload"),
        {"school": school.pk, "file": SimpleUploadedFile(name, data)},
    )


def _stored_files() -> list[str]:
    root = Path(django_settings.MEDIA_ROOT) / "rosters"
    return [str(p) for p in root.rglob("*") if p.is_file()] if root.exists() else []


# (case, file name, builder, fragment of the message, refused before anything is stored)
CORPUS = [
    ("ods row-repeat bomb", "名册.ods", hostile.ods_row_bomb, "行数太多", False),
    (
        "xlsx over the row cap",
        "名册.xlsx",
        lambda: hostile.xlsx_rows(SMALL_CAP + 5),
        "行数太多",
        False,
    ),
    (
        "csv over the row cap",
        "名册.csv",
        lambda: hostile.csv_rows(SMALL_CAP + 5),
        "行数太多",
        False,
    ),
    (
        "xls over the row cap",
        "名册.xls",
        lambda: (FIXTURES / "messy-a.xls").read_bytes(),
        "行数太多",
        False,
    ),
    ("xlsx entity bomb", "名册.xlsx", hostile.xlsx_entity_bomb, MSG_XML_DOCTYPE, False),
    ("xlsx zip bomb", "名册.xlsx", hostile.xlsx_zip_bomb, "压缩比异常", False),
    ("truncated xlsx", "名册.xlsx", hostile.truncated_xlsx, MSG_CORRUPT, True),
    ("png renamed .xlsx", "名册.xlsx", hostile.renamed_png, MSG_UNKNOWN_TYPE, True),
    (
        "csv with a literal NUL",
        "名册.csv",
        lambda: hostile.csv_with_controls().replace(b"\x01", b"\x00"),
        MSG_UNKNOWN_TYPE,
        True,
    ),
    (
        "xlsx renamed .ods",
        "名册.ods",
        lambda: hostile.xlsx_rows(SMALL_CAP + 5),
        "行数太多",
        False,
    ),
]


@pytest.mark.parametrize(
    ("name", "builder", "message", "before_storing"),
    [case[1:] for case in CORPUS],
    ids=[case[0] for case in CORPUS],
)
def test_a_hostile_file_gets_its_message_writes_nothing_and_leaves_no_file(
    client, settings, carol, wuxing_school, private_tmp, name, builder, message, before_storing
):
    settings.ROSTER_MAX_ROWS = SMALL_CAP
    if builder is hostile.ods_row_bomb:  # the bomb is refused by the default cap itself
        settings.ROSTER_MAX_ROWS = 20_000
    client.force_login(carol)
    files_before = _stored_files()

    response = _upload(client, wuxing_school, name, builder())

    if before_storing:
        assert response.status_code == 200
        assert message in response.content.decode()
        assert not RosterUpload.objects.exists()
    else:
        upload = RosterUpload.objects.get()
        assert response.status_code == 302
        assert upload.status == RosterUpload.Status.FAILED
        assert message in upload.message
        assert not upload.file
        page = client.get(reverse("children:roster_detail", args=[upload.pk])).content.decode()
        assert message in page
    assert not Child.objects.exists() and not RosterRow.objects.exists()
    assert _stored_files() == files_before
    assert leftovers(private_tmp) == []


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("literal NUL.xlsx", hostile.xlsx_with_cell(b"\x00")),
        ("escaped NUL.xlsx", hostile.xlsx_with_cell(b"_x0000_")),
        ("controls.xlsx", hostile.xlsx_with_cell(b"_x0001_\x01\x1b")),
        ("controls.csv", hostile.csv_with_controls()),
    ],
)
def test_control_characters_in_a_roster_are_cleaned_before_anything_is_stored(
    client, carol, wuxing_school, private_tmp, name, data
):
    client.force_login(carol)
    _upload(client, wuxing_school, name, data)
    upload = RosterUpload.objects.get()
    assert upload.status == RosterUpload.Status.PREVIEW, upload.message
    row = RosterRow.objects.get()
    assert row.name in ("王", "王芳") and row.id_number == hostile.ID_NUMBER
    client.post(reverse("children:roster_confirm", args=[upload.pk]))
    child = Child.objects.get()
    assert child.name in ("王", "王芳")
    assert leftovers(private_tmp) == []


def test_rejected_rows_kept_per_upload_are_capped(client, settings, carol, wuxing_school):
    settings.ROSTER_MAX_REJECTED_ROWS = 5
    client.force_login(carol)
    _upload(client, wuxing_school, "bad.xlsx", hostile.xlsx_rows(12))  # every ID is invalid
    upload = RosterUpload.objects.get()
    assert upload.status == RosterUpload.Status.IN_STEP  # nothing to import: closed itself
    assert upload.rejected == 12
    assert RosterRow.objects.filter(upload=upload).count() == 5
    assert any("只列出并可下载前 5 行" in w for w in upload.warnings)


BOMB_SCRIPT = """
import datetime as dt, os, resource, sys
limit = 2 * 1024 ** 3  # the main branch needed 5.6 GB: it dies here instead of on the machine
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huzhou_care.settings")
import django
django.setup()
from children.roster.parse import parse_roster
from children.roster.reader import RosterFileError
data = open(sys.argv[1], "rb").read()
try:
    parse_roster(data, "bomb.ods", today=dt.date(2026, 11, 28))
    print("READ")
except RosterFileError as exc:
    print("REFUSED", exc.message)
# VmHWM is this process image's own peak; ru_maxrss would carry the parent's across exec
hwm = next(l for l in open("/proc/self/status") if l.startswith("VmHWM:"))
print(int(hwm.split()[1]) // 1024)
"""


def test_the_repeated_rows_ods_is_refused_with_peak_memory_under_300_mb(tmp_path):
    """The 1 KB file of the issue, parsed in a fresh process under an address-space limit;
    its peak resident memory is read back from the kernel."""
    path = tmp_path / "bomb.ods"
    data = hostile.ods_row_bomb()
    assert len(data) < 1100
    path.write_bytes(data)
    env = {k: v for k, v in os.environ.items() if k != "ROSTER_MAX_ROWS"}
    result = subprocess.run(
        [sys.executable, "-c", BOMB_SCRIPT, str(path)],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    verdict, peak_mb = result.stdout.strip().splitlines()
    assert verdict.startswith("REFUSED") and "行数太多" in verdict
    assert int(peak_mb) < 300


def test_a_csv_over_the_cap_stops_being_read_at_the_cap(settings):
    from children.roster.reader import RosterFileError, read_rows

    settings.ROSTER_MAX_ROWS = 10
    assert len(read_rows(hostile.csv_rows(9)).rows) == 10  # header + 9
    with pytest.raises(RosterFileError, match="行数太多"):
        read_rows(hostile.csv_rows(10))


def test_the_row_cap_counts_header_and_data_rows_of_a_real_roster(settings):
    from children.roster.parse import parse_roster

    settings.ROSTER_MAX_ROWS = 201
    data = (FIXTURES / "clean-200.xlsx").read_bytes()
    assert len(parse_roster(data, "clean-200.xlsx", today=dt.date(2026, 11, 28)).rows) == 200


# --- Formula cells (formula injection) ------------------------------------------------------------
# What must hold: an upload never stores a formula. The import reads each cell as the value
# the spreadsheet showed (calamine gives a formula cell's saved result, never its expression);
# a formula with no saved result (a file written by a script, not saved by Excel or WPS) reads
# as an empty cell, so a required column is refused by row and column and an optional one is
# stored empty. Text beginning with = + - @ (a saved result, a cell typed after an apostrophe,
# a CSV) is kept as the text it is, and every export gives it back as a text cell with a quote
# in front, never as a formula Excel would run.


def _sheet_cells(data: bytes) -> tuple[list[tuple], bytes]:
    """The rows of a downloaded workbook's first sheet, with each cell's (value, data type),
    and that sheet's raw XML."""
    from zipfile import ZipFile

    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    rows = [tuple((c.value, c.data_type) for c in row) for row in sheet.iter_rows()]
    archive = ZipFile(io.BytesIO(data))
    xml = b"".join(
        archive.read(n) for n in archive.namelist() if n.startswith("xl/worksheets/sheet")
    )
    return rows, xml


def _assert_inert(rows, xml) -> None:
    """No formula anywhere, and no text cell a spreadsheet would read as one."""
    assert b"<f>" not in xml and b"<f " not in xml
    for row in rows:
        for value, data_type in row:
            assert data_type != "f", value
            if isinstance(value, str):
                assert not value.startswith(FORMULA_TRIGGERS), value


def _text_values(obj) -> list[str]:
    return [
        getattr(obj, f.name)
        for f in obj._meta.concrete_fields
        if f.get_internal_type() in ("CharField", "TextField")
        and isinstance(getattr(obj, f.name), str)
    ]


def _download(response) -> bytes:
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def test_formula_cells_saved_by_excel_are_imported_as_the_text_shown_and_exported_inert(
    client, carol, wuxing_school, private_tmp
):
    client.force_login(carol)
    _upload(client, wuxing_school, "名册.xlsx", hostile.roster_with_saved_formulas())
    upload = RosterUpload.objects.get()
    assert upload.status == RosterUpload.Status.PREVIEW, upload.message
    assert upload.rejected == 0
    client.post(reverse("children:roster_confirm", args=[upload.pk]))

    child = Child.objects.get()
    assert child.name == "王芳"  # what the HYPERLINK showed, not the formula
    assert child.village == hostile.DDE  # a saved result that is itself DDE text: kept as text
    assert child.guardian_name.startswith("@") and child.father_work_place.startswith("+")
    assert child.notes == "2"
    stored = _text_values(child) + [
        t for row in RosterRow.objects.all() for t in _text_values(row) if t
    ]
    assert not any("HYPERLINK" in text or "evil.example" in text for text in stored)

    shown = {  # the columns each layout has for these fields
        "list": (child.village, child.guardian_name, child.father_work_place),
        "national": (child.father_work_place,),  # the village only after the township's name
    }
    for layout, texts in shown.items():
        rows, xml = _sheet_cells(
            _download(client.post(reverse("children:export"), {"layout": layout}))
        )
        _assert_inert(rows, xml)
        values = {value for row in rows for value, _type in row}
        assert "王芳" in values
        for text in texts:
            assert "'" + text in values, (layout, text)
    assert leftovers(private_tmp) == []


def test_formula_cells_without_a_saved_result_are_never_stored_as_formulas(
    client, carol, wuxing_school, private_tmp
):
    client.force_login(carol)
    _upload(client, wuxing_school, "名册.xlsx", hostile.roster_with_bare_formulas())
    upload = RosterUpload.objects.get()
    assert upload.status == RosterUpload.Status.PREVIEW, upload.message

    # The name of row 2 is a formula with nothing saved: refused, by row and column, in Chinese.
    refused = RosterRow.objects.get(outcome=RosterRow.Outcome.REJECTED)
    assert refused.row_number == 2
    assert [(e["column"], e["code"]) for e in refused.errors] == [("姓名", "missing_name")]
    assert "「姓名」列为空" in refused.errors[0]["message"]
    page = client.get(reverse("children:roster_detail", args=[upload.pk])).content.decode()
    assert "第 2 行" in page and "「姓名」列为空" in page

    client.post(reverse("children:roster_confirm", args=[upload.pk]))
    child = Child.objects.get()  # row 3: its optional formula cells stored empty
    assert child.name == "李雷" and child.village == "" and child.notes == ""
    stored = [t for obj in (child, *RosterRow.objects.all()) for t in _text_values(obj)]
    assert not any(text.startswith("=") or "HYPERLINK" in text or "cmd|" in text for text in stored)
    rows, xml = _sheet_cells(
        _download(client.get(reverse("children:roster_errors", args=[upload.pk])))
    )
    _assert_inert(rows, xml)
    assert [v for v, _t in rows[1][:2]] == [2, refused.errors[0]["message"]]
    assert leftovers(private_tmp) == []


def test_the_roster_error_sheet_gives_formula_like_text_back_as_text(
    client, carol, wuxing_school, private_tmp
):
    client.force_login(carol)
    _upload(client, wuxing_school, "名册.csv", hostile.roster_csv_with_formula_texts())
    upload = RosterUpload.objects.get()
    assert upload.rejected == 1 and not Child.objects.exists()
    rows, xml = _sheet_cells(
        _download(client.get(reverse("children:roster_errors", args=[upload.pk])))
    )
    _assert_inert(rows, xml)
    given_back = [value for value, _type in rows[1][2:]]
    assert given_back[0] == "'" + hostile.DDE
    for text in hostile.FORMULA_TEXTS[1:]:
        assert "'" + text in given_back, text
    assert "'" + hostile.DDE in given_back  # typed after an apostrophe: given back as it was
    assert leftovers(private_tmp) == []


def test_formula_cells_in_an_hours_export_are_stored_as_text_and_given_back_inert(
    client, olga, org, private_tmp
):
    from tests.volunteers.factories import MembershipFactory, TeamFactory
    from volunteers.models import ServiceRecord, VolunteerUpload, VolunteerUploadRow

    team = TeamFactory(code="HUTC-01", name="湖师院志愿服务队", organization=org)
    volunteer = MembershipFactory(team=team).volunteer
    client.force_login(olga)
    response = client.post(
        reverse("volunteers:upload"),
        {
            "team": team.pk,
            "kind": "hours",
            "file": SimpleUploadedFile(
                "志愿汇导出.xlsx",
                hostile.hours_with_formulas(volunteer.zyh_account, volunteer.name),
            ),
        },
    )
    assert response.status_code == 302
    upload = VolunteerUpload.objects.get()
    assert upload.status == VolunteerUpload.Status.PREVIEW, upload.message
    refused = {
        row.row_number: {(e["column"], e["code"]) for e in row.errors}
        for row in upload.preview_rows.filter(outcome=VolunteerUploadRow.Outcome.REJECTED)
    }
    assert set(refused) == {4, 5}
    assert ("活动名称", "missing_activity") in refused[4]  # a bare formula: nothing saved
    assert ("姓名", "name_mismatch") in refused[5]  # "@SUM(...)" is not the account's name
    assert not ServiceRecord.objects.exists()

    client.post(reverse("volunteers:upload_confirm", args=[upload.pk]))
    records = ServiceRecord.objects.order_by("service_date")
    assert [r.activity_name for r in records] == [hostile.DDE, "周末学业辅导"]
    stored = [t for r in records for t in _text_values(r)] + [
        t for row in upload.preview_rows.all() for t in _text_values(row)
    ]
    assert not any("HYPERLINK" in text or "evil.example" in text for text in stored)
    assert not any(text.startswith("=") for text in stored if text != hostile.DDE)

    rows, xml = _sheet_cells(
        _download(client.get(reverse("volunteers:upload_errors", args=[upload.pk])))
    )
    _assert_inert(rows, xml)
    by_row = {row[0][0]: [value for value, _type in row] for row in rows[1:]}
    assert set(by_row) == {4, 5}
    assert by_row[5][2:] == [
        "'" + hostile.FORMULA_TEXTS[3],
        volunteer.zyh_account,
        "'-2+3",
        "2026-10-12 08:00",
        "2026-10-12 09:00",
        "'+1",
    ]
    assert leftovers(private_tmp) == []
