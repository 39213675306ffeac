"""心手相连 in a real browser: a district officer pairs a volunteer with two children; the
volunteer, on a 375x812 phone, logs a home visit, then logs one with the network off, comes
back online, and the visit arrives once (also when the phone sends it a second time)."""

import json

import pytest
from playwright.sync_api import expect

from pairing.models import ChildPairing, Visit
from tests.factories import ChildFactory

from .conftest import login

PASSWORD = "portal-test-Pass-2026"
QUEUE = "huzhou.visitQueue.v1"

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_volunteer_paired_by_the_district_logs_visits_on_a_phone_even_offline(
    page, live_server, alice, erin, wuxing_school, artifacts_dir, page_problems
):
    first = ChildFactory(school=wuxing_school, name="王小明", grade=3, class_name="2班")
    second = ChildFactory(school=wuxing_school, name="李小芳", grade=4, class_name="1班")

    # The district officer pairs erin with both children in one step.
    login(page, live_server, "alice", PASSWORD)
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
    assert page_problems == []
