"""Accessibility: axe-core (vendored, static/vendor/axe-core) run by Playwright on the main
pages, for each role's home page; no serious or critical violation. And a login with the
keyboard alone.

axe is loaded as a same-origin script file (``add_script_tag(url=...)``), so the pages keep
their strict Content-Security-Policy while it runs; the rules are WCAG 2.1 A/AA plus axe's
best practices.
"""

import re

import pytest
from playwright.sync_api import expect

from .conftest import login

PASSWORD = "portal-test-Pass-2026"  # tests/factories.py UserFactory
AXE_URL = "/static/vendor/axe-core/axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
BLOCKING = {"serious", "critical"}

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def axe_violations(page) -> list[str]:
    """Serious and critical violations on the current page, one line per element."""
    page.add_script_tag(url=AXE_URL)
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags},"
        " resultTypes: ['violations']})",
        AXE_TAGS,
    )
    return [
        f"{v['impact']} {v['id']}: {v['help']} -> {node['target']} {node['failureSummary']}"
        for v in result["violations"]
        if v["impact"] in BLOCKING
        for node in v["nodes"]
    ]


def check(page, path, artifacts_dir, name):
    page.goto(path)
    expect(page.locator("main")).to_be_visible()
    problems = axe_violations(page)
    page.screenshot(path=str(artifacts_dir / f"a11y-{name}.png"), full_page=True)
    assert problems == [], "\n".join(problems)


def test_the_login_page_has_no_serious_accessibility_violation(
    page, live_server, artifacts_dir, page_problems
):
    check(page, "/accounts/login/", artifacts_dir, "login")
    assert page_problems == []


@pytest.mark.parametrize(
    "persona", ["city_admin", "city_officer", "alice", "carol", "olga", "erin"]
)
def test_each_roles_home_page_has_no_serious_accessibility_violation(
    page, live_server, personas, persona, artifacts_dir, page_problems
):
    login(page, live_server, personas[persona].username, PASSWORD)
    check(page, "/", artifacts_dir, f"home-{persona}")
    assert page_problems == []


def test_the_child_list_and_detail_have_no_serious_accessibility_violation(
    page, live_server, alice, wuxing_child, artifacts_dir, page_problems
):
    login(page, live_server, "alice", PASSWORD)
    check(page, "/children/", artifacts_dir, "child-list")
    check(page, f"/children/{wuxing_child.pk}/", artifacts_dir, "child-detail")
    check(page, "/children/risk/", artifacts_dir, "risk-list")
    assert page_problems == []


def test_the_roster_upload_page_has_no_serious_accessibility_violation(
    page, live_server, carol, artifacts_dir, page_problems
):
    login(page, live_server, "carol", PASSWORD)
    check(page, "/children/rosters/", artifacts_dir, "roster-upload")
    assert page_problems == []


def test_signing_in_works_with_the_keyboard_alone(page, live_server, alice, page_problems):
    page.goto("/accounts/login/")
    # From the top of the page, Tab reaches the username field, then the password, then the
    # button; Enter on the button signs in. No mouse, no click.
    focused = []
    for _ in range(15):
        page.keyboard.press("Tab")
        label = page.evaluate(
            "() => { const e = document.activeElement;"
            " return e.name || e.id || e.textContent.trim(); }"
        )
        focused.append(label)
        if label == "username":
            break
    assert focused[-1] == "username", f"Tab never reached the username field: {focused}"
    page.keyboard.type("alice")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == "password"
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "登录"
    # The focused control shows where the keyboard is (a visible focus ring).
    outline = page.evaluate(
        "() => { const s = getComputedStyle(document.activeElement);"
        " return [s.outlineStyle, s.boxShadow]; }"
    )
    assert outline[0] != "none" or outline[1] != "none", outline
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(re.escape(live_server.url) + "/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("您好，艾丽")
    assert page_problems == []
