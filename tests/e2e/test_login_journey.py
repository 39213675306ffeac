"""Signing in, in a real browser: the redirect to the login page, the form, the home page, the
error for a wrong password, and the vendored front end under the strict CSP."""

import re

import pytest
from playwright.sync_api import expect

from .conftest import login

PASSWORD = "portal-test-Pass-2026"  # tests/factories.py UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_district_officer_is_sent_to_login_and_lands_on_her_home_page(
    page, live_server, alice, artifacts_dir, page_problems
):
    page.goto(live_server.url + "/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/$"))
    expect(page.get_by_role("heading", name="登录工作平台")).to_be_visible()

    login(page, live_server, "alice", PASSWORD)

    expect(page).to_have_url(live_server.url + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text("您好，艾丽")
    expect(page.get_by_test_id("role")).to_have_text("区县团委工作人员")
    expect(page.get_by_test_id("scope")).to_have_text("工作范围：吴兴区")
    expect(page.get_by_test_id("user-menu")).to_contain_text("艾丽 · 区县团委工作人员")
    page.screenshot(path=str(artifacts_dir / "login-home-district.png"), full_page=True)
    assert page_problems == []


def test_wrong_password_shows_the_chinese_error_and_stays_signed_out(
    page, live_server, alice, page_problems
):
    login(page, live_server, "alice", "not-the-password")

    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    expect(page.get_by_role("alert")).to_contain_text("用户名或密码不正确")
    expect(page.get_by_label("用户名", exact=True)).to_have_value("alice")
    expect(page.get_by_label("密码", exact=True)).to_have_value("")

    page.goto(live_server.url + "/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/$"))
    assert page_problems == []


def test_vendored_bootstrap_and_htmx_run_under_the_strict_csp(
    page, live_server, alice, page_problems
):
    response = page.goto(live_server.url + "/accounts/login/")
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp
    assert "style-src 'self'" in csp
    assert "unsafe-inline" not in csp

    login(page, live_server, "alice", PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("您好，艾丽")
    page.wait_for_load_state("networkidle")  # icon font and deferred scripts included

    assert page.evaluate("typeof window.htmx") == "object"
    assert page.evaluate("typeof window.bootstrap") == "object"
    # Bootstrap's stylesheet applied: the navbar is a flex container.
    assert page.locator("nav.navbar").evaluate("el => getComputedStyle(el).display") == "flex"
    # Bootstrap's JS works: the user menu drops down on click.
    page.get_by_test_id("user-menu").click()
    expect(page.get_by_role("button", name="退出登录")).to_be_visible()
    assert page_problems == []


def test_the_problem_listener_does_catch_a_csp_violation(page, live_server, page_problems):
    """Guards the test above against passing vacuously: an inline script is refused by the
    policy, and the refusal is recorded."""
    page.goto(live_server.url + "/accounts/login/")
    page.evaluate(
        """() => {
            const s = document.createElement("script");
            s.textContent = "window.inlineRan = true";
            document.head.appendChild(s);
        }"""
    )
    for _ in range(40):  # the console event arrives asynchronously
        if page_problems:
            break
        page.wait_for_timeout(50)
    assert page.evaluate("window.inlineRan === undefined")
    assert any("script-src" in p for p in page_problems), page_problems


def test_a_city_officer_sees_the_county_chart_drawn_by_echarts(
    page, live_server, city_officer, wuxing_school, changxing_school, artifacts_dir, page_problems
):
    from ..factories import ChildFactory

    ChildFactory.create_batch(7, school=wuxing_school)
    ChildFactory.create_batch(2, school=changxing_school)  # under 5: suppressed
    login(page, live_server, "frank", PASSWORD)
    chart = page.locator("#county-chart[data-chart]")
    expect(chart.locator("canvas")).to_be_visible()
    option = page.evaluate(
        """() => {
            const option = window.portalCharts["county-chart"].getOption();
            return {labels: option.xAxis[0].data, data: option.series[0].data};
        }"""
    )
    assert option["labels"] == ["吴兴区", "南浔区", "德清县", "长兴县", "安吉县"]
    assert option["data"] == [7, 0, 0, None, 0]
    # The canvas really has something painted on it (not a blank, transparent surface).
    painted = chart.locator("canvas").evaluate(
        """canvas => {
            const {data} = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height);
            let n = 0;
            for (let i = 3; i < data.length; i += 4) { if (data[i] !== 0) { n++; } }
            return n;
        }"""
    )
    assert painted > 1000, painted
    # A tooltip on hover renders on the canvas, without tripping the CSP (no inline styles).
    box = chart.bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.2, box["y"] + box["height"] * 0.6)
    page.wait_for_timeout(300)
    assert page.evaluate("typeof window.Chart") == "undefined"  # one charting library
    page.screenshot(path=str(artifacts_dir / "home-city-officer.png"), full_page=True)
    assert page_problems == []
