"""A team coordinator's main job, in a real browser: volunteer roster, 志愿汇 export, the
team page with its chart, and approving every pending record in one go."""

import json
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.volunteers.factories import TeamFactory
from volunteers.models import ServiceRecord, Volunteer

from .conftest import login

PASSWORD = "portal-test-Pass-2026"
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "hours"
EXPECTED = json.loads((FIXTURES / "expected.json").read_text(encoding="utf-8"))

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _upload(page, team, kind_label, name):
    page.get_by_label("志愿服务队").select_option(label=f"{team.name}（{team.code}）")
    page.get_by_label("文件类型").select_option(label=kind_label)
    page.locator("input[type=file]").set_input_files(str(FIXTURES / name))
    page.get_by_role("button", name="上传并检查").click()
    expect(page.get_by_test_id("upload-status")).to_have_text("待确认")
    expect(page.get_by_test_id("count-rejected")).to_have_text(str(len(EXPECTED[name]["reject"])))
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("confirm-import").click()
    expect(page.get_by_test_id("import-done")).to_be_visible()


def test_a_coordinator_imports_a_roster_and_hours_and_approves_them_all(
    page, live_server, olga, org, artifacts_dir, page_problems
):
    team = TeamFactory(
        code="HUTC-01", name="湖师院志愿服务队", organization=org, imports_approved=False
    )
    login(page, live_server, "olga", PASSWORD)
    page.get_by_role("link", name="志愿者文件上传").first.click()
    _upload(page, team, "志愿者名册", "volunteers-a.xlsx")
    assert Volunteer.objects.count() == len(EXPECTED["volunteers-a.xlsx"]["accept"])

    page.get_by_role("link", name="志愿者文件上传").first.click()
    _upload(page, team, "志愿汇服务时长", "hours-b-gb18030.csv")
    accepted = len(EXPECTED["hours-b-gb18030.csv"]["accept"])
    assert ServiceRecord.objects.filter(state="pending").count() == accepted

    page.get_by_role("link", name="查看队伍").click()
    expect(page.get_by_test_id("member-table")).to_contain_text("唐建华")
    expect(page.locator("[data-chart] canvas")).to_be_visible()
    page.get_by_test_id("pending-link").click()
    expect(page.get_by_test_id("record-count")).to_contain_text(f"共 {accepted} 条")
    page.get_by_label("选中全部").check()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("bulk-decide").click()
    expect(page.locator(".alert-success")).to_contain_text(f"已审核 {accepted} 条记录")
    assert ServiceRecord.objects.filter(state="approved").count() == accepted
    page.goto(f"{live_server.url}/volunteers/teams/{team.pk}/")
    expect(page.get_by_test_id("team-hours")).not_to_have_text("0")
    page.screenshot(path=str(artifacts_dir / "volunteer-team.png"), full_page=True)
    assert page_problems == []
