"""The township column of a roster: current, former (renamed or merged) and short names are
matched and reported; others get the county's closest names; another county's file gets one
file-level message."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from children import services
from children.models import Child, RosterUpload
from children.roster.townships import TownshipMatcher
from huzhou_care.orgs.divisions import read_divisions, read_renames
from huzhou_care.orgs.models import OrgUnit

from ..factories import SchoolFactory, county
from .roster_files import roster_xlsx


@pytest.fixture(autouse=True)
def _fixed_today(monkeypatch):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: dt.date(2026, 11, 28))


def _school(county_name):
    unit = county(county_name)
    return SchoolFactory(county=unit, township=unit.children.order_by("code").first())


def _upload(school, townships, division):
    from ..factories import UserFactory

    clerk = UserFactory(role="district_staff", district=school.county)
    data = roster_xlsx(rows=len(townships), division=division, township=townships)
    upload = services.roster_upload_create(
        school=school, actor=clerk, uploaded=SimpleUploadedFile("名册.xlsx", data)
    )
    upload.refresh_from_db()
    return upload


def _messages(upload):
    return {r.row_number: [e["message"] for e in r.errors] for r in upload.preview_rows.all()}


def test_the_renames_table_points_at_current_townships_of_the_same_county():
    divisions = {row["code"]: row for row in read_divisions()}
    renames = read_renames()
    assert {"雉城镇", "递铺镇"} <= {r["former_name"] for r in renames}
    for rename in renames:
        current = divisions[rename["current_code"]]
        assert current["name"] == rename["current_name"]
        assert current["parent_code"] == rename["county_code"]
        assert rename["changed"] and rename["source"]
        same_county = {
            d["name"] for d in divisions.values() if d["parent_code"] == rename["county_code"]
        }
        assert rename["former_name"] not in same_county  # a former name is no current one


def test_former_and_suffixless_names_are_matched_and_reported_in_the_preview(db):
    school = _school("长兴县")
    rows = ["雉城镇", "雉城街道", "煤山", "白岘乡", "雉城镇 ", "李家巷"]
    upload = _upload(school, rows, "330522")
    assert upload.status == RosterUpload.Status.PREVIEW
    assert upload.rejected == 0 and upload.new == 6
    notices = " ".join(upload.warnings)
    # 数据行 start at spreadsheet row 2
    assert "第 2、6 行（共 2 行）的乡镇(街道)「雉城镇」是「雉城街道」的原名称" in notices
    assert "「煤山」是「煤山镇」的简称" in notices
    assert "「白岘乡」是「煤山镇」的原名称，2015年5月8日更名或并入" in notices
    assert "「李家巷」是「李家巷镇」的简称" in notices
    assert "雉城街道」的" not in notices.replace("「雉城街道」的原名称", "")  # exact: no notice

    services.roster_confirm(upload=upload, actor=upload.uploaded_by)
    zhicheng = OrgUnit.objects.get(name="雉城街道")
    meishan = OrgUnit.objects.get(name="煤山镇")
    townships = Child.objects.order_by("pk").values_list("township_id", flat=True)
    assert list(townships) == [zhicheng.pk, zhicheng.pk, meishan.pk, meishan.pk, zhicheng.pk,
                               OrgUnit.objects.get(name="李家巷镇").pk]  # fmt: skip


def test_a_short_name_shared_by_two_townships_is_not_guessed(db):
    """吴兴区 has no two townships sharing a short name in the 2023 table, so build one."""
    wuxing = county("吴兴区")
    OrgUnit.objects.create(code="330502999000", name="织里乡", level="township", parent=wuxing)
    matcher = TownshipMatcher(wuxing.pk)
    assert matcher.match("织里", 2) is None  # 织里镇 or 织里乡: ask instead of guessing
    assert matcher.match("织里镇", 3).name == "织里镇"
    assert matcher.match("八里店", 4).name == "八里店镇"


def test_an_unknown_name_gets_the_closest_townships_of_the_county(db):
    school = _school("南浔区")
    upload = _upload(school, ["练市镇", "练巿镇", "双林镇", "南浔"], "330503")
    messages = _messages(upload)
    assert messages[2] == [] and messages[4] == [] and messages[5] == []
    (message,) = messages[3]
    assert "「练巿镇」不是南浔区的乡镇(街道)：最接近的是「练市镇」" in message
    assert "例如" not in message


def test_another_countys_file_gets_one_file_level_message(db):
    school = _school("南浔区")
    rows = ["递铺街道", "孝丰镇", "天荒坪镇", "递铺镇", "梅溪镇", "练市镇"]  # 安吉县, one 南浔
    upload = _upload(school, rows, "330523")
    assert upload.status == RosterUpload.Status.FAILED
    assert upload.message.startswith("这份名册中的乡镇属于安吉县，而本校属于南浔区（5 / 6 行）")
    assert not upload.preview_rows.exists() and not Child.objects.exists()


def test_a_few_other_county_rows_are_row_errors_that_name_the_county(db):
    school = _school("南浔区")
    upload = _upload(school, ["练市镇", "双林镇", "菱湖镇", "孝丰镇"], "330503")
    assert upload.status == RosterUpload.Status.PREVIEW
    (message,) = _messages(upload)[5]
    assert message.startswith("「乡镇(街道)」列的「孝丰镇」是安吉县的乡镇(街道)，不属于南浔区")
