"""Every file in tests/fixtures/hours gives exactly its expected.json, through the commands
and through the upload pages; a re-import is all unchanged; the same hours file in a team
without these volunteers creates nothing."""

import io
import json
import zoneinfo
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from tests.volunteers.factories import TeamFactory
from volunteers.models import Membership, ServiceRecord, Volunteer, VolunteerUpload

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "hours"
EXPECTED = json.loads((FIXTURES / "expected.json").read_text(encoding="utf-8"))
TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
REPORT_KEYS = {"rows", "created", "updated", "unchanged", "rejected", "errors"}


def _command(kind, name, team, *extra):
    out = StringIO()
    command = "import_volunteers" if kind == "volunteers" else "import_hours"
    call_command(command, str(FIXTURES / name), "--team", team.code, "--json", *extra, stdout=out)
    return json.loads(out.getvalue())


def _accepted(kind, team):
    if kind == "volunteers":
        return set(
            Membership.objects.filter(team=team, state=Membership.State.ACTIVE).values_list(
                "volunteer__zyh_account", flat=True
            )
        )
    keys = set()
    for account, signed_in, day in ServiceRecord.objects.filter(team=team).values_list(
        "volunteer__zyh_account", "signed_in_at", "service_date"
    ):
        when = f"{signed_in.astimezone(TZ):%Y-%m-%d %H:%M}" if signed_in else f"{day:%Y-%m-%d}"
        keys.add((account, when))
    return keys


def _expected_accept(spec):
    if spec["kind"] == "volunteers":
        return set(spec["accept"])
    return {tuple(pair) for pair in spec["accept"]}


def _check_report(report, spec):
    assert set(report) == REPORT_KEYS
    for error in report["errors"]:
        assert set(error) == {"row", "column", "code", "message"}
        assert error["message"] and error["column"]
    codes = {}
    for error in report["errors"]:
        codes.setdefault(str(error["row"]), set()).add(error["code"])
    assert set(codes) == set(spec["reject"]), "rejected rows"
    for row, code in spec["reject"].items():
        assert code in codes[row], (row, code, codes[row])
    assert report["rejected"] == len(spec["reject"])
    assert report["rows"] == report["created"] + report["updated"] + report["unchanged"] + len(
        spec["reject"]
    )


@pytest.fixture(autouse=True)
def _fixed_today(monkeypatch):
    """The fixtures' dates are relative to 2026-12-02 (README.md there): the rows dated
    2027-06-15 must stay `future` whatever the real date."""
    import datetime as dt

    from django.utils import timezone

    localdate = timezone.localdate

    def fixed(value=None, timezone=None):
        return dt.date(2026, 12, 2) if value is None else localdate(value, timezone)

    monkeypatch.setattr(timezone, "localdate", fixed)


@pytest.fixture
def team(org):
    return TeamFactory(code="HUTC-01", name="湖师院志愿服务队", organization=org)


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_fixture_gives_its_expected_result_through_the_command(team, name):
    spec = EXPECTED[name]
    if spec.get("after"):
        _command(EXPECTED[spec["after"]]["kind"], spec["after"], team)
    report = _command(spec["kind"], name, team)
    _check_report(report, spec)
    assert report["created"] == len(spec["accept"])
    assert _accepted(spec["kind"], team) == _expected_accept(spec)

    again = _command(spec["kind"], name, team)
    assert (again["created"], again["updated"]) == (0, 0)
    assert again["unchanged"] == len(spec["accept"])
    assert _accepted(spec["kind"], team) == _expected_accept(spec)


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(n for n, s in EXPECTED.items() if s["kind"] == "hours"))
def test_the_same_hours_file_in_a_team_without_these_volunteers_creates_nothing(team, org, name):
    _command("volunteers", EXPECTED[name]["after"], team)
    other = TeamFactory(code="OTHER-01", organization=org)
    report = _command("hours", name, other)
    assert report["created"] == 0 and report["updated"] == 0
    assert ServiceRecord.objects.count() == 0
    codes = {e["code"] for e in report["errors"]}
    assert "unknown_account" in codes


@pytest.mark.django_db
def test_dry_run_writes_nothing(team):
    report = _command("volunteers", "volunteers-a.xlsx", team, "--dry-run")
    assert report["created"] == len(EXPECTED["volunteers-a.xlsx"]["accept"])
    assert not Volunteer.objects.exists()


@pytest.mark.django_db
def test_imported_hours_start_approved_unless_the_team_says_otherwise(team, org):
    _command("volunteers", "volunteers-a.xlsx", team)
    _command("hours", "hours-b-gb18030.csv", team)
    assert set(ServiceRecord.objects.values_list("state", flat=True)) == {"approved"}
    careful = TeamFactory(code="CAREFUL", organization=org, imports_approved=False)
    _command("volunteers", "volunteers-a.xlsx", careful)
    Membership.objects.filter(team=team).delete()
    ServiceRecord.objects.all().delete()
    _command("hours", "hours-b-gb18030.csv", careful)
    assert set(ServiceRecord.objects.values_list("state", flat=True)) == {"pending"}


@pytest.mark.django_db
def test_the_mobile_is_stored_encrypted_and_listed_masked(team):
    _command("volunteers", "volunteers-a.xlsx", team)
    volunteer = Volunteer.objects.get(zyh_account="355512575")
    assert volunteer.mobile == "18697919074"  # typed "186 9791 9074"
    assert volunteer.mobile_masked == "186****9074"
    stored = Volunteer.objects.filter(pk=volunteer.pk).values_list("mobile", flat=True)[0]
    assert "18697919074" not in str(stored)


def _upload(client, team, kind, name):
    data = (FIXTURES / name).read_bytes()
    response = client.post(
        reverse("volunteers:upload"),
        {"team": team.pk, "kind": kind, "file": SimpleUploadedFile(name, data)},
    )
    assert response.status_code == 302, response.content.decode()[:500]
    upload = VolunteerUpload.objects.latest("pk")
    assert upload.status == VolunteerUpload.Status.PREVIEW, upload.message
    return upload


def _confirm(client, upload):
    response = client.post(reverse("volunteers:upload_confirm", args=[upload.pk]))
    assert response.status_code == 302
    upload.refresh_from_db()
    assert upload.status == VolunteerUpload.Status.DONE, upload.message
    return upload


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_fixture_gives_its_expected_result_through_the_upload_pages(client, olga, team, name):
    client.force_login(olga)
    spec = EXPECTED[name]
    if spec.get("after"):
        _confirm(client, _upload(client, team, EXPECTED[spec["after"]]["kind"], spec["after"]))
    upload = _upload(client, team, spec["kind"], name)
    # Preview: nothing written yet, reasons by row and column.
    if spec["kind"] == "hours":
        assert not ServiceRecord.objects.exists()
    else:
        assert not Volunteer.objects.exists()
    rejected = {
        str(row.row_number): {e["code"] for e in row.errors}
        for row in upload.preview_rows.filter(outcome="rejected")
    }
    assert set(rejected) == set(spec["reject"])
    for row, code in spec["reject"].items():
        assert code in rejected[row]
    page = client.get(reverse("volunteers:upload_detail", args=[upload.pk]))
    assert page.status_code == 200
    assert "不予导入" in page.content.decode()

    _confirm(client, upload)
    assert upload.new == len(spec["accept"])
    assert _accepted(spec["kind"], team) == _expected_accept(spec)

    again = _confirm(client, _upload(client, team, spec["kind"], name))
    assert (again.new, again.updated, again.unchanged) == (0, 0, len(spec["accept"]))


@pytest.mark.django_db
def test_the_error_sheet_keeps_the_files_headers_and_gives_the_reasons(client, olga, team):
    from openpyxl import load_workbook

    client.force_login(olga)
    upload = _upload(client, team, "volunteers", "volunteers-a.xlsx")
    response = client.get(reverse("volunteers:upload_errors", args=[upload.pk]))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:2] == ("原行号", "未导入原因")
    assert rows[0][2:11] == (
        "序号",
        "姓名",
        "性别",
        "手机号码",
        "志愿汇账号",
        "所在单位",
        "技能特长",
        "政治面貌",
        "备注",
    )
    by_row = {r[0]: r for r in rows[1:]}
    assert set(by_row) == {10, 27, 42, 43}
    assert "志愿汇账号" in by_row[10][1] and "手机号码" in by_row[27][1]


@pytest.mark.django_db
def test_a_file_of_the_wrong_kind_is_refused_with_a_chinese_message(client, olga, team):
    client.force_login(olga)
    data = (FIXTURES / "volunteers-a.xlsx").read_bytes()
    response = client.post(
        reverse("volunteers:upload"),
        {"team": team.pk, "kind": "hours", "file": SimpleUploadedFile("x.xlsx", data)},
    )
    upload = VolunteerUpload.objects.get()
    assert response.status_code == 302
    assert upload.status == VolunteerUpload.Status.FAILED
    assert "未找到志愿汇服务时长导出表的表头" in upload.message
    assert not Volunteer.objects.exists()


@pytest.mark.django_db
def test_a_re_import_with_corrected_hours_updates_that_record_only(team, tmp_path):
    from huzhou_care.audit.models import ChangeRecord

    _command("volunteers", "volunteers-a.xlsx", team)
    _command("hours", "hours-b-gb18030.csv", team)
    text = (FIXTURES / "hours-b-gb18030.csv").read_bytes().decode("gb18030")
    lines = text.splitlines()
    assert lines[1].startswith("1,全燕,539721027,亲情家书代写,2026-11-07,2")
    lines[1] = "1,全燕,539721027,亲情家书代写,2026-11-07,2.5"
    corrected = tmp_path / "hours-b-corrected.csv"
    corrected.write_bytes("\n".join(lines).encode("gb18030"))
    out = StringIO()
    call_command("import_hours", str(corrected), "--team", team.code, "--json", stdout=out)
    report = json.loads(out.getvalue())
    assert (report["created"], report["updated"]) == (0, 1)
    record = ServiceRecord.objects.get(
        volunteer__zyh_account="539721027", activity_name="亲情家书代写"
    )
    assert str(record.hours) == "2.50"
    entry = ChangeRecord.objects.get(content_type__model="servicerecord", object_id=record.pk)
    assert entry.changes == {"hours": ["2.00", "2.50"]}


def test_control_and_bidi_characters_in_an_hours_file_are_cleaned_before_anything_is_kept():
    """Issue 7 item 2 for the 志愿汇 import: the same cleaning as rosters, per cell."""
    import datetime as dt

    from volunteers.importing.parse import HOURS, parse_file

    data = (
        "序号,志愿者,用户ID,活动,服务日期,时长(小时)\n"
        "1,全\x01燕\u202e,539721027,亲情\x07家书\u202d代写\x1b,2026-11-07,2\n"
        + "".join(f"{n},朱超,2041770{n:02d},心理讲座,2026-09-13,3.5\n" for n in range(2, 40))
    ).encode()  # (a file mostly of control characters is refused as not text at all)
    parsed = parse_file(HOURS, data, "hours.csv", today=dt.date(2026, 12, 1))
    row = parsed.rows[0]
    assert row.errors == []
    assert row.values["name"] == "全燕"
    assert row.values["activity"] == "亲情家书代写"
