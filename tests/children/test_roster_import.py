"""Roster import, through the command and through the upload pages: the fixture outcomes,
idempotency, updates with history, conflicts with another school."""

import datetime as dt
import io
import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from children.models import Child, RosterUpload
from huzhou_care.audit.models import ChangeRecord
from tests.factories import stored_ids

from ..factories import SchoolFactory

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "rosters"
EXPECTED = json.loads((FIXTURES / "expected.json").read_text(encoding="utf-8"))
# Which county each fixture's children belong to (by the ID numbers' division code).
FIXTURE_COUNTY = {
    "clean-200.xlsx": "wuxing",
    "messy-a.xlsx": "wuxing",
    "messy-a.xls": "wuxing",
    "messy-b-gb18030.csv": "changxing",
}


@pytest.fixture(autouse=True)
def _fixed_today(monkeypatch):
    """The fixtures' ages are relative to 2026-11-28."""
    import datetime as dt

    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: dt.date(2026, 11, 28))


def _school_for(name, wuxing_school, changxing_school):
    return wuxing_school if FIXTURE_COUNTY[name] == "wuxing" else changxing_school


def _run(path, school, *extra):
    out = io.StringIO()
    call_command("import_roster", str(path), *extra, school=school.code, json=True, stdout=out)
    return json.loads(out.getvalue())


def _rejected(report):
    rows = {}
    for error in report["errors"]:
        rows.setdefault(str(error["row"]), set()).add(error["code"])
    return rows


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_the_command_gives_exactly_the_expected_outcome(name, wuxing_school, changxing_school):
    school = _school_for(name, wuxing_school, changxing_school)
    report = _run(FIXTURES / name, school)
    expected = EXPECTED[name]
    assert stored_ids() == set(expected["accept"])
    rejected = _rejected(report)
    assert set(rejected) == set(expected["reject"])
    for row, reason in expected["reject"].items():
        assert reason in rejected[row], (row, rejected[row])
    assert report["created"] == len(expected["accept"]) and report["rejected"] == len(
        expected["reject"]
    )


def test_a_dry_run_writes_nothing(wuxing_school):
    report = _run(FIXTURES / "messy-a.xlsx", wuxing_school, "--dry-run")
    assert report["created"] == 53
    assert not Child.objects.exists() and not ChangeRecord.objects.exists()


def test_every_error_names_the_row_the_column_and_says_what_to_do(wuxing_school):
    report = _run(FIXTURES / "messy-a.xlsx", wuxing_school, "--dry-run")
    numeric = next(e for e in report["errors"] if e["code"] == "id_numeric")
    assert numeric["row"] == 4 and numeric["column"] == "公民身份号码"
    assert "文本" in numeric["message"]
    dup = next(e for e in report["errors"] if e["code"] == "dup_in_file")
    assert dup["row"] == 20 and "第" in dup["message"]  # names the earlier row


def test_importing_the_same_file_twice_changes_nothing_the_second_time(wuxing_school):
    _run(FIXTURES / "clean-200.xlsx", wuxing_school)
    records = ChangeRecord.objects.count()
    second = _run(FIXTURES / "clean-200.xlsx", wuxing_school)
    assert (second["created"], second["updated"], second["unchanged"]) == (0, 0, 200)
    assert ChangeRecord.objects.count() == records


def _with_changed_phones(source: Path, rows: dict[int, str]) -> bytes:
    workbook = load_workbook(source)
    sheet = workbook.active
    header_row = next(
        r
        for r in range(1, 10)
        if any(c.value and "监护人" in str(c.value) and "电话" in str(c.value) for c in sheet[r])
    )
    column = next(
        c.column
        for c in sheet[header_row]
        if c.value and "监护人" in str(c.value) and "电话" in str(c.value)
    )
    for row, phone in rows.items():
        sheet.cell(row=row, column=column, value=phone)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_a_changed_guardian_phone_updates_exactly_those_rows_with_history(
    client, carol, wuxing_school
):
    client.force_login(carol)
    first = _upload(
        client, wuxing_school, "clean-200.xlsx", (FIXTURES / "clean-200.xlsx").read_bytes()
    )
    client.post(reverse("children:roster_confirm", args=[first.pk]))
    changed = _with_changed_phones(
        FIXTURES / "clean-200.xlsx", {5: "13911112222", 9: "13933334444"}
    )
    second = _upload(client, wuxing_school, "clean-200-v2.xlsx", changed)
    assert (second.new, second.updated, second.unchanged) == (0, 2, 198)
    client.post(reverse("children:roster_confirm", args=[second.pk]))
    updates = ChangeRecord.objects.filter(action="update")
    assert updates.count() == 2
    assert {r.source_ref for r in updates} == {f"roster:{second.pk}"}
    # The history keeps masked values only; the registry holds the new numbers.
    assert {r.changes["guardian_phone"][1] for r in updates} == {"139****2222", "139****4444"}
    assert Child.objects.filter(guardian_phone="13911112222").count() == 1
    assert Child.objects.filter(guardian_phone="139 3333 4444").count() == 1
    assert all(r.actor == carol and r.source == "import" for r in updates)


def test_a_child_registered_at_another_school_is_rejected_not_moved(wuxing_school):
    other = SchoolFactory(county=wuxing_school.county, name="八里店镇中心小学", code="3305020002")
    _run(FIXTURES / "clean-200.xlsx", other)
    report = _run(FIXTURES / "clean-200.xlsx", wuxing_school)
    assert report["rejected"] == 200 and {e["code"] for e in report["errors"]} == {"other_school"}
    assert "转学" in report["errors"][0]["message"]
    assert Child.objects.filter(school=other).count() == 200


def _upload(client, school, name, data):
    response = client.post(
        reverse("children:roster_upload"),
        {"school": school.pk, "file": SimpleUploadedFile(name, data)},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return RosterUpload.objects.get(pk=response["Location"].rstrip("/").split("/")[-1])


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_the_upload_page_gives_exactly_the_expected_outcome(
    client, city_admin, name, wuxing_school, changxing_school
):
    school = _school_for(name, wuxing_school, changxing_school)
    client.force_login(city_admin)
    upload = _upload(client, school, name, (FIXTURES / name).read_bytes())
    assert upload.status == "preview"
    assert not Child.objects.exists()  # nothing is written before the clerk confirms
    rejected = {
        str(r.row_number): {e["code"] for e in r.errors}
        for r in upload.preview_rows.filter(outcome="rejected")
    }
    assert set(rejected) == set(EXPECTED[name]["reject"])
    page = client.get(reverse("children:roster_detail", args=[upload.pk])).content.decode()
    for row in EXPECTED[name]["reject"]:
        assert f"第 {row} 行" in page
    client.post(reverse("children:roster_confirm", args=[upload.pk]))
    upload.refresh_from_db()
    assert upload.status == "done"
    assert stored_ids() == set(EXPECTED[name]["accept"])
    assert ChangeRecord.objects.filter(source_ref=upload.ref, action="create").count() == len(
        EXPECTED[name]["accept"]
    )


def test_confirming_twice_imports_once(client, carol, wuxing_school):
    client.force_login(carol)
    upload = _upload(
        client, wuxing_school, "clean-200.xlsx", (FIXTURES / "clean-200.xlsx").read_bytes()
    )
    client.post(reverse("children:roster_confirm", args=[upload.pk]))
    client.post(reverse("children:roster_confirm", args=[upload.pk]))
    assert Child.objects.count() == 200
    assert ChangeRecord.objects.filter(action="create").count() == 200


def test_the_error_sheet_holds_the_rejected_rows_with_reasons(client, carol, wuxing_school):
    client.force_login(carol)
    upload = _upload(
        client, wuxing_school, "messy-a.xlsx", (FIXTURES / "messy-a.xlsx").read_bytes()
    )
    response = client.get(reverse("children:roster_errors", args=[upload.pk]))
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 1 + 7
    assert [r[0] for r in rows[1:]] == sorted(int(k) for k in EXPECTED["messy-a.xlsx"]["reject"])
    assert all(r[1] for r in rows[1:])


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("名册.xlsx", b"\x89PNG\r\n\x1a\n" + b"\x00" * 100),
        ("名册.xlsx", '{"rows": [["姓名", "身份证号"]]}'.encode()),  # a .json renamed
        ("名册.xls", bytes((i * 97 + 31) % 127 + 129 for i in range(4000))),  # junk bytes
    ],
)
def test_a_file_that_is_not_a_spreadsheet_is_refused_at_upload_as_the_wrong_format(
    client, carol, wuxing_school, name, data
):
    client.force_login(carol)
    response = client.post(
        reverse("children:roster_upload"),
        {"school": wuxing_school.pk, "file": SimpleUploadedFile(name, data)},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "文件格式不对" in body and ".xlsx" in body and ".csv" in body
    assert "未找到表头" not in body
    assert not RosterUpload.objects.exists()


def test_a_clerk_cannot_upload_for_another_school(client, carol, changxing_school):
    client.force_login(carol)
    response = client.post(
        reverse("children:roster_upload"),
        {
            "school": changxing_school.pk,
            "file": SimpleUploadedFile("a.xlsx", (FIXTURES / "clean-200.xlsx").read_bytes()),
        },
    )
    assert response.status_code == 200 and "school" in response.context["form"].errors
    assert not RosterUpload.objects.exists()


def test_the_template_has_canonical_headers_dropdowns_and_a_text_id_column(client, carol):
    client.force_login(carol)
    response = client.get(reverse("children:roster_template"))
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = workbook.active
    headers = [c.value for c in sheet[1]]
    assert headers[:4] == ["姓名", "性别", "民族", "身份证号"]
    assert sheet.cell(row=3, column=4).number_format == "@"
    assert any("双亲外出务工" in v.formula1 for v in sheet.data_validations.dataValidation)
    assert sheet.cell(row=2, column=1).value.startswith("示例")


def test_the_template_imports_cleanly_without_its_example_row(client, carol, wuxing_school):
    client.force_login(carol)
    data = b"".join(client.get(reverse("children:roster_template")).streaming_content)
    upload = _upload(client, wuxing_school, "模板.xlsx", data)
    assert (upload.rows, upload.rejected) == (0, 0)


def test_the_error_sheet_keeps_the_files_headers_and_can_be_uploaded_again_once_fixed(
    client, dave, changxing_school
):
    client.force_login(dave)
    upload = _upload(
        client, changxing_school, "messy-b.csv", (FIXTURES / "messy-b-gb18030.csv").read_bytes()
    )
    response = client.get(reverse("children:roster_errors", args=[upload.pk]))
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = workbook.active
    header = [c.value for c in sheet[1]]
    assert header[:4] == ["原行号", "未导入原因", "学生姓名", "性 别"]
    # The clerk fixes the birth date of the dob_mismatch row (26) and uploads the sheet again.
    id_column = header.index("身份证号码") + 1
    dob_column = header.index("出生年月日") + 1
    for row in range(2, sheet.max_row + 1):
        if sheet.cell(row=row, column=1).value == 26:
            number = str(sheet.cell(row=row, column=id_column).value)
            sheet.cell(
                row=row, column=dob_column, value=f"{number[6:10]}-{number[10:12]}-{number[12:14]}"
            )
    fixed = io.BytesIO()
    workbook.save(fixed)
    again = _upload(client, changxing_school, "fixed.xlsx", fixed.getvalue())
    rejected = dict(
        again.preview_rows.filter(outcome="rejected").values_list("row_number", "errors")
    )
    assert again.rows == 2 and len(rejected) == 1
    assert next(iter(rejected.values()))[0]["code"] == "id_checksum"


def test_the_error_sheet_holds_rows_rejected_by_the_registry_with_their_cells(
    client, carol, wuxing_school
):
    other = SchoolFactory(county=wuxing_school.county, name="八里店镇中心小学", code="3305020002")
    _run(FIXTURES / "clean-200.xlsx", other)
    client.force_login(carol)
    upload = _upload(
        client, wuxing_school, "clean-200.xlsx", (FIXTURES / "clean-200.xlsx").read_bytes()
    )
    assert upload.rejected == 200
    response = client.get(reverse("children:roster_errors", args=[upload.pk]))
    rows = list(
        load_workbook(
            io.BytesIO(b"".join(response.streaming_content)), read_only=True
        ).active.iter_rows(values_only=True)
    )
    assert len(rows) == 201
    first = dict(zip(rows[0], rows[1], strict=False))
    assert first["原行号"] == 2 and "其他学校" in first["未导入原因"]
    assert first["姓名"] and len(str(first["身份证号"])) == 18


def test_a_roster_with_nothing_new_or_changed_closes_itself_as_in_step(
    client, carol, wuxing_school
):
    from .roster_files import roster_xlsx

    data = roster_xlsx(rows=3, division="330502", township="")
    client.force_login(carol)
    client.post(
        reverse("children:roster_upload"),
        {"school": wuxing_school.pk, "file": SimpleUploadedFile("a.xlsx", data)},
    )
    first = RosterUpload.objects.get()
    client.post(reverse("children:roster_confirm", args=[first.pk]))
    response = client.post(
        reverse("children:roster_upload"),
        {"school": wuxing_school.pk, "file": SimpleUploadedFile("b.xlsx", data)},
        follow=True,
    )
    again = RosterUpload.objects.latest("pk")
    assert (again.status, again.unchanged, again.new, again.updated) == ("in_step", 3, 0, 0)
    body = response.content.decode()
    assert "名册与信息库一致，无需导入" in body and "无需导入" in again.get_status_display()
    assert 'data-testid="confirm-import"' not in body and "待确认" not in body
    # Nothing is left waiting: it cannot be confirmed later either.
    client.post(reverse("children:roster_confirm", args=[again.pk]))
    again.refresh_from_db()
    assert again.status == "in_step" and again.confirmed_at is None


def test_a_reimport_finds_an_address_that_differs_behind_the_same_masked_form(wuxing_school):
    """Addresses have no blind index: equal masked forms are decrypted to compare."""
    _run(FIXTURES / "clean-200.xlsx", wuxing_school)
    child = Child.objects.exclude(current_address_masked="").order_by("pk").first()
    in_file = child.current_address
    child.current_address = in_file + "之一"
    child.save()
    assert Child.objects.get(pk=child.pk).current_address_masked == child.current_address_masked
    second = _run(FIXTURES / "clean-200.xlsx", wuxing_school)
    assert (second["updated"], second["unchanged"]) == (1, 199)
    assert Child.objects.get(pk=child.pk).current_address == in_file
    record = ChangeRecord.objects.get(action="update", object_id=child.pk)
    assert in_file not in json.dumps(record.changes, ensure_ascii=False)


def test_the_command_refused_by_a_concurrent_import_says_so_and_writes_nothing(
    wuxing_school, monkeypatch
):
    """Between the command's check and its write, another writer registers one of the file's
    children: the unique index refuses the batch, the command ends with a Chinese message
    (no traceback) and the registry holds only the other writer's child."""
    from django.core.management.base import CommandError

    from children.management.commands import import_roster as command
    from children.roster.plan import roster_apply

    def apply_after_someone_else(plan, **kwargs):
        first = next(p for p in plan.rows if p.outcome == "new")
        Child.objects.create(
            **first.values,
            school=wuxing_school,
            county_id=wuxing_school.county_id,
            registered_on=dt.date(2026, 11, 1),
        )
        return roster_apply(plan, **kwargs)

    monkeypatch.setattr(command, "roster_apply", apply_after_someone_else)
    with pytest.raises(CommandError, match="其他名册同时导入了本名册中的部分儿童"):
        _run(FIXTURES / "clean-200.xlsx", wuxing_school)
    assert Child.objects.count() == 1
    assert not ChangeRecord.objects.filter(source=ChangeRecord.Source.IMPORT).exists()
