"""A stage report's round trip in a real browser under the strict CSP: a school clerk submits
after the deadline (recorded late); her district, the level above, returns it with a comment;
she reads the comment, edits and resubmits; the district approves; the city administrator's
completeness table counts the school's report, and counts it as late."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from campaign.models import StageReport
from tests.campaign import builders as b

from .conftest import login

PASSWORD = "portal-test-Pass-2026"
TITLE = "第一阶段工作情况"

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _sign_in_as(page, live_server, username):
    page.context.clear_cookies()
    login(page, live_server, username, PASSWORD)


def _completeness(page, live_server):
    """The city's table: the 吴兴区 row and the 全部 (all districts) footer."""
    page.goto(live_server.url + "/campaign/completeness/")
    table = page.get_by_test_id("completeness-table")
    expect(table).to_be_visible()
    return table.locator("tbody tr").filter(has_text="吴兴区"), table.locator("tfoot tr")


def test_a_late_school_report_is_returned_resubmitted_approved_and_counted_late_by_the_city(
    page,
    live_server,
    carol,
    alice,
    city_admin,
    wuxing_school,
    changxing_school,
    artifacts_dir,
    page_problems,
):
    year = b.make_year()
    # Due ten days ago with three days' grace: anything submitted today is late.
    b.make_template(
        year,
        title=TITLE,
        due=b.TODAY - dt.timedelta(days=10),
        grace=3,
        districts=False,
        schools=True,
    )
    b.school_unit(wuxing_school)
    b.school_unit(changxing_school)

    # Before: neither school has reported.
    _sign_in_as(page, live_server, city_admin.username)
    wuxing_row, total = _completeness(page, live_server)
    expect(wuxing_row).to_contain_text("0.0% / 0.0%")
    expect(wuxing_row).to_contain_text("0（按时 0）/ 1")
    expect(total).to_contain_text("0.0% / 0.0%")
    expect(total).to_contain_text("0（按时 0）/ 2")

    # The school clerk starts the overdue report, fills it in and submits it.
    _sign_in_as(page, live_server, "carol")
    page.get_by_role("link", name="阶段报送").first.click()
    page.get_by_role("button", name=f"{TITLE}（已逾期）").click()
    expect(page.get_by_role("heading", name=f"填报：{TITLE}")).to_be_visible()
    page.get_by_label("工作进展").fill("本月走访留守儿童家庭 12 户。")
    page.get_by_label("活动次数").fill("2")
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page.get_by_role("alert").first).to_contain_text("已保存")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="提交", exact=True).click()
    expect(page.get_by_role("alert").first).to_contain_text("逾期提交，已如实记录")
    expect(page.get_by_text("逾期提交", exact=True)).to_be_visible()
    report = StageReport.objects.get()
    assert (report.status, report.late) == ("submitted", True)

    # The district (the school's reviewer) returns it with a comment.
    _sign_in_as(page, live_server, "alice")
    page.get_by_role("link", name="阶段报送").first.click()
    to_review = page.get_by_test_id("to-review")
    expect(to_review).to_contain_text("逾期")
    to_review.get_by_role("link", name=f"织里镇中心小学 · {TITLE}").click()
    page.get_by_label("审核结果").select_option(label="退回修改")
    page.get_by_label("审核意见").fill("请补充参与活动的志愿者人数。")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="提交审核").click()
    expect(page.get_by_role("alert").first).to_contain_text("已退回")
    expect(page.locator(".badge", has_text="已退回")).to_be_visible()

    # While returned the report no longer counts as complete.
    _sign_in_as(page, live_server, city_admin.username)
    wuxing_row, _ = _completeness(page, live_server)
    expect(wuxing_row).to_contain_text("0（按时 0）/ 1")

    # The clerk sees the comment, edits and resubmits (still after the deadline: still late).
    _sign_in_as(page, live_server, "carol")
    page.get_by_role("link", name="阶段报送").first.click()
    page.get_by_test_id("report-table").get_by_role("link", name=TITLE).click()
    expect(page.get_by_text("审核意见：请补充参与活动的志愿者人数。")).to_be_visible()
    page.get_by_role("link", name="填写 / 上传附件").click()
    page.get_by_label("工作进展").fill("本月走访留守儿童家庭 12 户，志愿者 8 人参与。")
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page.get_by_test_id("report-parts")).to_contain_text("志愿者 8 人参与")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="提交", exact=True).click()
    expect(page.get_by_role("alert").first).to_contain_text("逾期提交，已如实记录")

    # The district approves.
    _sign_in_as(page, live_server, "alice")
    page.get_by_role("link", name="阶段报送").first.click()
    page.get_by_test_id("to-review").get_by_role("link", name=f"织里镇中心小学 · {TITLE}").click()
    page.get_by_label("审核结果").select_option(label="审核通过")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="提交审核").click()
    expect(page.get_by_role("alert").first).to_contain_text("已审核通过")
    expect(page.locator(".badge", has_text="已审核")).to_be_visible()
    expect(page.get_by_test_id("history")).to_contain_text("return")
    report.refresh_from_db()
    assert (report.status, report.late, report.ever_late) == ("approved", True, True)

    # After: the school's report counts as complete, and not as on time.
    _sign_in_as(page, live_server, city_admin.username)
    wuxing_row, total = _completeness(page, live_server)
    expect(wuxing_row).to_contain_text("100.0% / 0.0%")
    expect(wuxing_row).to_contain_text("1（按时 0）/ 1")
    expect(total).to_contain_text("50.0% / 0.0%")
    expect(total).to_contain_text("1（按时 0）/ 2")
    page.screenshot(path=str(artifacts_dir / "report-completeness-after.png"), full_page=True)
    assert page_problems == []
