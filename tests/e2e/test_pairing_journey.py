"""心手相连 in a real browser: a district officer reviews the early-warning list and pairs a
volunteer with two children on it; the volunteer, on a 375x812 phone, logs a home visit, then
logs one with the network off, comes back online, and the visit arrives once (also when the
phone sends it a second time); the hours of both visits appear, pending, on the team's
approval page, where the team coordinator approves them."""

import datetime as dt
import json
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from children import choices as c
from pairing.models import ChildPairing, Visit
from tests.factories import ChildFactory
from volunteers.models import Membership, ServiceRecord, Team, Volunteer

from .conftest import login

PASSWORD = "portal-test-Pass-2026"
QUEUE = "huzhou.visitQueue.v1"

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _menu(page, group: str, item: str) -> None:
    """Open a page from the top navigation, as a person would: the group, then the entry."""
    page.get_by_role("navigation").get_by_role("button", name=group).click()
    page.get_by_role("navigation").get_by_role("link", name=item).click()


def test_a_volunteer_paired_by_the_district_logs_visits_on_a_phone_even_offline(
    page, live_server, alice, erin, olga, org, wuxing_school, artifacts_dir, page_problems
):
    # erin is a member of her university's team, which olga coordinates.
    team = Team.objects.create(
        code="HZNU-01", name="湖师院青年志愿者队", kind="university", organization=org
    )
    Membership.objects.create(
        volunteer=Volunteer.objects.create(name="尔雅", zyh_account="zyh-erin", user=erin),
        team=team,
        joined_on=dt.date(2026, 3, 1),
    )
    first = ChildFactory(
        school=wuxing_school,
        name="王小明",
        grade=3,
        class_name="2班",
        guardianship_type=c.GuardianshipType.NONE,
        guardian_name="",
        guardian_relation="",
        guardian_phone="",
    )
    second = ChildFactory(
        school=wuxing_school, name="李小芳", grade=4, class_name="1班", health=c.Health.ILL
    )
    ChildFactory(school=wuxing_school, name="张平安", grade=5)  # no warning: not on the list

    # The district officer reviews the early-warning list: both children, not yet paired.
    login(page, live_server, "alice", PASSWORD)
    _menu(page, "儿童信息", "预警名单")
    expect(page.get_by_role("heading", name="预警名单")).to_be_visible()
    expect(page.get_by_test_id("result-count")).to_contain_text("共 2 名儿童")
    risk = page.get_by_test_id("children-table")
    for name, reason in (("王小明", "无人监护"), ("李小芳", "患病")):
        row = risk.locator("tr", has_text=name)
        expect(row).to_contain_text(reason)
        expect(row.get_by_test_id("extra-flag")).to_have_text("未结对")
    expect(risk).not_to_contain_text("张平安")
    page.screenshot(path=str(artifacts_dir / "pairing-district-risk-list.png"), full_page=True)

    # The district officer pairs erin with both children in one step.
    page.goto(live_server.url + "/pairing/pair/")
    expect(page.get_by_role("heading", name="结对管理")).to_be_visible()
    page.get_by_label("结对类型", exact=True).select_option("volunteer")
    page.get_by_label("结对人", exact=True).select_option(str(erin.pk))
    page.get_by_label("选择 王小明").check()
    page.get_by_label("选择 李小芳").check()
    page.get_by_role("button", name="结对所选儿童").click()
    expect(page.get_by_role("alert").first).to_contain_text("已将 2 名儿童与 尔雅 结对")
    page.screenshot(path=str(artifacts_dir / "pairing-district-pairs-two.png"), full_page=True)
    assert ChildPairing.objects.active().filter(person=erin).count() == 2
    # Back on the early-warning list, the two are still there (their risks remain), now paired.
    _menu(page, "儿童信息", "预警名单")
    expect(page.get_by_test_id("result-count")).to_contain_text("共 2 名儿童")
    expect(page.get_by_test_id("children-table").get_by_test_id("extra-flag")).to_have_count(0)

    # The volunteer, on a phone.
    page.context.clear_cookies()
    page.set_viewport_size({"width": 375, "height": 812})
    login(page, live_server, "erin", PASSWORD)
    page.goto(live_server.url + "/pairing/")
    expect(page.get_by_test_id("my-children")).to_contain_text("王小明")
    expect(page.get_by_test_id("my-children")).to_contain_text("李小芳")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.screenshot(path=str(artifacts_dir / "pairing-phone-my-children.png"), full_page=True)

    page.get_by_test_id("log-visit").click()
    page.locator("select[name=child]").select_option(str(first.pk))
    page.get_by_label("入户家访").check()
    page.get_by_label("时长（分钟）").fill("90")
    page.get_by_label("学业").check()
    page.get_by_label("情况记录").fill("孩子作业按时完成，奶奶腿脚不便。")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.screenshot(path=str(artifacts_dir / "pairing-phone-visit-form.png"), full_page=True)
    page.get_by_role("button", name="保存走访记录").click()
    expect(page.get_by_role("alert").first).to_contain_text("走访记录已保存")
    expect(page.get_by_test_id("visit").first).to_contain_text("入户家访")
    assert Visit.objects.filter(child=first).count() == 1

    # Offline: the visit is kept in the browser and the page says so.
    page.goto(live_server.url + "/pairing/visit/")
    page.locator("select[name=child]").select_option(str(second.pk))
    page.get_by_label("情感").check()
    page.get_by_label("情况记录").fill("孩子想念妈妈，约好下周视频。")
    page.context.set_offline(True)
    page.get_by_role("button", name="保存走访记录").click()
    status = page.get_by_test_id("offline-status")
    expect(status).to_contain_text("已保存在本机")
    queued = json.loads(page.evaluate(f"localStorage.getItem('{QUEUE}')"))
    assert len(queued) == 1
    page.screenshot(path=str(artifacts_dir / "pairing-phone-offline-saved.png"), full_page=True)
    assert Visit.objects.filter(child=second).count() == 0

    # Online again: sent by itself, once; the page says so and the queue is empty.
    page.context.set_offline(False)
    expect(status).to_contain_text("已发送成功")
    page.screenshot(path=str(artifacts_dir / "pairing-phone-back-online.png"), full_page=True)
    assert page.evaluate(f"localStorage.getItem('{QUEUE}')") == "[]"
    assert Visit.objects.filter(child=second).count() == 1

    # The phone sends the same entry a second time (e.g. the answer was lost): still one visit.
    page.evaluate(f"localStorage.setItem('{QUEUE}', {json.dumps(json.dumps(queued))})")
    page.reload()
    # (Polled from Python: wait_for_function evaluates a string, which the strict CSP refuses.)
    expect(page.get_by_test_id("offline-status")).to_contain_text("已发送成功")
    assert page.evaluate(f"localStorage.getItem('{QUEUE}')") == "[]"
    assert Visit.objects.filter(child=second).count() == 1
    assert Visit.objects.count() == 2

    page.goto(live_server.url + f"/pairing/children/{second.pk}/")
    expect(page.get_by_test_id("visit").first).to_contain_text("孩子想念妈妈")

    # Each visit became a pending service record of erin's team, none approved yet.
    records = ServiceRecord.objects.filter(source=ServiceRecord.Source.VISIT)
    assert sorted(r.hours for r in records) == [Decimal("1.00"), Decimal("1.50")]
    assert {r.state for r in records} == {ServiceRecord.State.PENDING}
    assert {r.team_id for r in records} == {team.pk}

    # The team coordinator, at a desk, finds them on the team's approval page and approves.
    page.context.clear_cookies()
    page.set_viewport_size({"width": 1366, "height": 900})
    login(page, live_server, "olga", PASSWORD)
    _menu(page, "志愿服务", "志愿服务队")
    page.get_by_role("link", name=team.name).first.click()
    expect(page.get_by_test_id("team-hours")).to_have_text("0")
    pending = page.get_by_test_id("pending-link")
    expect(pending).to_contain_text("待审核 2")
    pending.click()
    expect(page.get_by_test_id("record-count")).to_contain_text("共 2 条")
    table = page.get_by_test_id("record-table")
    for visit in Visit.objects.all():
        row = table.locator("tr", has_text=f"结对走访（记录 {visit.pk}）")
        expect(row).to_contain_text("尔雅")
        expect(row).to_contain_text("走访记录")
        expect(row).to_contain_text("待审核")
        expect(row.locator("td.text-end")).to_have_text("1.50" if visit.child == first else "1")
    page.screenshot(path=str(artifacts_dir / "pairing-coordinator-pending.png"), full_page=True)
    page.get_by_label("全选本页").check()
    page.get_by_label("审核结果").select_option("approve")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("bulk-decide").click()
    expect(page.locator(".alert-success")).to_contain_text("已审核 2 条记录：通过")
    assert {r.state for r in records.all()} == {ServiceRecord.State.APPROVED}
    assert {r.decided_by_id for r in records.all()} == {olga.pk}
    page.goto(f"{live_server.url}/volunteers/teams/{team.pk}/")
    expect(page.get_by_test_id("team-hours")).to_have_text("2.5")
    page.screenshot(path=str(artifacts_dir / "pairing-coordinator-approved.png"), full_page=True)
    assert page_problems == []
