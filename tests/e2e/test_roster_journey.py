"""A school clerk's main job, in a real browser: template, upload, preview, error sheet,
confirm, and the children in the list."""

import io
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from children.models import Child

from .conftest import login

PASSWORD = "portal-test-Pass-2026"
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "rosters"
EXPECTED = json.loads((FIXTURES / "expected.json").read_text(encoding="utf-8"))["messy-a.xlsx"]

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_school_clerk_uploads_a_messy_roster_fixes_nothing_by_accident_and_imports_it(
    page, live_server, carol, artifacts_dir, page_problems
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
    assert page_problems == []
