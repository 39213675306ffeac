"""A school clerk's main job, in a real browser: template, upload, preview, error sheet,
confirm, and the children in the list; then the error sheet fixed as a clerk would (wrong
IDs corrected, a wrong value replaced, rows that cannot be imported deleted), uploaded again,
confirmed, and the fixed children found in the list too."""

import datetime as dt
import io
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from children.identity import resident_id_build
from children.models import Child
from tests.factories import stored_ids

from .conftest import login

PASSWORD = "portal-test-Pass-2026"
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "rosters"
EXPECTED = json.loads((FIXTURES / "expected.json").read_text(encoding="utf-8"))["messy-a.xlsx"]

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# What the clerk finds out (from the pupils' records) for each refused row of messy-a.xlsx,
# by its original row number: the corrected cells, or None to delete a row that cannot be
# imported. Each must be refused for the reason expected.json gives.
FIXES = {
    # 刘凯: Excel stored the ID as a number; the clerk types it again, as text.
    4: ("id_numeric", {"公民身份号码": resident_id_build("330502", dt.date(2017, 7, 22), 451)}),
    # 赵成: 监护类型 "不清楚"; he lives with his grandmother.
    16: ("bad_enum", {"监护类型": "祖辈监护"}),
    # 罗玉华: her ID was copied from the row of 梁小红; her own one.
    20: ("dup_in_file", {"公民身份号码": resident_id_build("330502", dt.date(2016, 7, 9), 662)}),
    # 王秀荣: a mistyped check digit.
    41: ("id_checksum", {"公民身份号码": resident_id_build("330502", dt.date(2013, 7, 17), 876)}),
    # 李亮 has no ID number yet, 毕玲 is over 16: neither can be imported; the rows go.
    50: ("missing_id", None),
    51: ("too_old", None),
    # 黄坤: the ID is right (17th digit odd), the gender column was wrong.
    62: ("gender_mismatch", {"性别": "男"}),
}
FIXED_NAMES = ["刘凯", "赵成", "罗玉华", "王秀荣", "黄坤"]


def _fix_error_sheet(data: bytes) -> tuple[bytes, set[str]]:
    """Edit the downloaded error sheet in place, as the clerk does in Excel, and save it.
    Returns the file and the ID numbers of the rows that are now right."""
    workbook = load_workbook(io.BytesIO(data))
    sheet = workbook.active
    header = [c.value for c in sheet[1]]
    assert header[:2] == ["原行号", "未导入原因"]
    column = {name: index + 1 for index, name in enumerate(header)}
    doomed, ids = [], set()
    for number in range(2, sheet.max_row + 1):
        original = sheet.cell(number, 1).value
        reason, cells = FIXES[original]
        assert sheet.cell(number, 2).value  # the reason, in words
        if cells is None:
            doomed.append(number)
            continue
        for name, value in cells.items():
            sheet.cell(number, column[name]).value = value
        ids.add(str(sheet.cell(number, column["公民身份号码"]).value))
    for number in reversed(doomed):
        sheet.delete_rows(number)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue(), ids


def test_a_school_clerk_imports_a_messy_roster_then_fixes_the_error_sheet_and_imports_it(
    page, live_server, carol, artifacts_dir, page_problems, tmp_path
):
    login(page, live_server, "carol", PASSWORD)
    page.get_by_role("link", name="名册上传").first.click()
    expect(page.get_by_role("heading", name="名册上传")).to_be_visible()

    with page.expect_download() as template:
        page.get_by_test_id("template-link").click()
    assert template.value.suggested_filename.endswith(".xlsx")
    sheet = load_workbook(io.BytesIO(Path(template.value.path()).read_bytes())).active
    assert [c.value for c in sheet[1]][:4] == ["姓名", "性别", "民族", "身份证号"]

    page.get_by_label("名册文件").set_input_files(str(FIXTURES / "messy-a.xlsx"))
    page.get_by_role("button", name="上传并检查").click()

    expect(page.get_by_test_id("upload-status")).to_have_text("待确认")
    expect(page.get_by_test_id("count-new")).to_have_text(str(len(EXPECTED["accept"])))
    expect(page.get_by_test_id("count-rejected")).to_have_text(str(len(EXPECTED["reject"])))
    table = page.get_by_test_id("preview-table")
    for row in EXPECTED["reject"]:
        expect(table).to_contain_text(f"第 {row} 行")
    expect(table).to_contain_text("文本")  # the advice for the ID Excel stored as a number
    assert not Child.objects.exists()  # nothing written before confirming
    page.screenshot(path=str(artifacts_dir / "roster-preview.png"), full_page=True)

    with page.expect_download() as errors:
        page.get_by_test_id("error-sheet").click()
    rows = list(
        load_workbook(io.BytesIO(Path(errors.value.path()).read_bytes())).active.iter_rows(
            values_only=True
        )
    )
    assert sorted(r[0] for r in rows[1:]) == sorted(int(k) for k in EXPECTED["reject"])
    assert {int(k): v for k, v in EXPECTED["reject"].items()} == {
        row: reason for row, (reason, _cells) in FIXES.items()
    }
    error_sheet = Path(errors.value.path()).read_bytes()

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("confirm-import").click()
    expect(page.get_by_test_id("import-done")).to_be_visible()
    assert Child.objects.count() == len(EXPECTED["accept"])

    page.get_by_role("link", name="查看本校儿童名单").click()
    expect(page.get_by_test_id("result-count")).to_contain_text(
        f"共 {len(EXPECTED['accept'])} 名儿童"
    )
    page.get_by_label("姓名或身份证号").fill("詹刚")
    page.get_by_role("button", name="查询").click()
    expect(page.get_by_test_id("result-count")).to_contain_text("共 1 名儿童")
    expect(page.get_by_test_id("children-table")).to_contain_text("詹刚")
    page.screenshot(path=str(artifacts_dir / "roster-imported-list.png"), full_page=True)
    for name in FIXED_NAMES:
        assert not Child.objects.filter(name=name).exists()

    # The error sheet, fixed in Excel, goes up again through the same page.
    fixed, fixed_ids = _fix_error_sheet(error_sheet)
    assert len(fixed_ids) == len(FIXED_NAMES)
    path = tmp_path / "未导入的行（已改正）.xlsx"
    path.write_bytes(fixed)
    navigation = page.get_by_role("navigation")
    navigation.get_by_role("button", name="儿童信息").click()
    navigation.get_by_role("link", name="名册上传").click()
    expect(page.get_by_role("heading", name="名册上传")).to_be_visible()
    page.get_by_label("名册文件").set_input_files(str(path))
    page.get_by_role("button", name="上传并检查").click()

    expect(page.get_by_test_id("upload-status")).to_have_text("待确认")
    expect(page.get_by_test_id("count-new")).to_have_text(str(len(FIXED_NAMES)))
    expect(page.get_by_test_id("count-rejected")).to_have_text("0")
    expect(page.get_by_test_id("error-sheet")).to_have_count(0)
    assert Child.objects.count() == len(EXPECTED["accept"])  # nothing more before confirming
    page.screenshot(path=str(artifacts_dir / "roster-fixed-preview.png"), full_page=True)

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("confirm-import").click()
    expect(page.get_by_test_id("import-done")).to_be_visible()
    total = len(EXPECTED["accept"]) + len(FIXED_NAMES)
    assert Child.objects.count() == total
    assert stored_ids() == set(EXPECTED["accept"]) | fixed_ids
    assert Child.objects.get(name="赵成").guardianship_type == "grandparent"
    assert Child.objects.get(name="黄坤").gender == "M"
    assert not Child.objects.filter(name__in=["李亮", "毕玲"]).exists()

    page.get_by_role("link", name="查看本校儿童名单").click()
    expect(page.get_by_test_id("result-count")).to_contain_text(f"共 {total} 名儿童")
    for name in FIXED_NAMES:
        page.get_by_label("姓名或身份证号").fill(name)
        page.get_by_role("button", name="查询").click()
        expect(page.get_by_test_id("result-count")).to_contain_text("共 1 名儿童")
        expect(page.get_by_test_id("children-table")).to_contain_text(name)
    page.screenshot(path=str(artifacts_dir / "roster-fixed-imported-list.png"), full_page=True)
    assert page_problems == []
