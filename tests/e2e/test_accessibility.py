"""Accessibility: axe-core (vendored, static/vendor/axe-core) run by Playwright on the main
pages, for each role's home page; no serious or critical violation. And a login with the
keyboard alone.

axe is loaded as a same-origin script file (``add_script_tag(url=...)``), so the pages keep
their strict Content-Security-Policy while it runs; the rules are WCAG 2.1 A/AA plus axe's
best practices.
"""

import datetime as dt
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


# --- The newer pages: public pages, dashboards, evaluation, stage reports, pairing, volunteers.
# One set of data (the evaluation fixture: children, pairings, visits, teams, hours, wishes,
# activities, stage reports, the roll-up) serves them all; each test visits every page of one
# area and reports every violation found, page by page, before failing.


def survey(page, paths, artifacts_dir, prefix) -> list[str]:
    """Run axe on each (name, path); the violations of all of them, each line with its page."""
    problems = []
    for name, path in paths:
        response = page.goto(path)
        assert response is not None and response.status == 200, (path, response)
        expect(page.locator("main")).to_be_visible()
        problems += [f"{path}: {line}" for line in axe_violations(page)]
        page.screenshot(path=str(artifacts_dir / f"a11y-{prefix}-{name}.png"), full_page=True)
    return problems


@pytest.fixture
def evaluated(wuxing, changxing, wuxing_school, changxing_school, city_admin, carol):
    """The evaluation builder's data, rolled up, plus one approved showcase story (with a
    photo) so that the public showcase has something to show."""
    from django.core.cache import cache
    from django.core.files.uploadedfile import SimpleUploadedFile

    from campaign import services as campaign_services
    from campaign.evaluation import services
    from campaign.models import CampaignYear
    from tests.campaign import builders as campaign_builders
    from tests.evaluation import builders as b
    from tests.files import samples

    data = b.build(wuxing, changxing, wuxing_school, changxing_school, city_admin)
    services.rollup(b.YEAR, b.AS_OF)
    cache.clear()  # no dashboard an earlier test left in the cache
    campaign_builders.school_unit(wuxing_school)
    story = campaign_services.story_create(
        year=CampaignYear.objects.get(is_current=True),
        data={
            "title": "暑期走访见闻",
            "kind": "story",
            "body": "志愿者们走进乡村，陪孩子们读书、画画。",
            "shows_children": False,
            "consent_recorded": False,
        },
        user=carol,
    )
    campaign_services.story_add_photo(
        story=story,
        uploaded=SimpleUploadedFile("风景.png", samples.png()),
        caption="村口的大樟树",
        shows_child=False,
        consent=False,
        user=carol,
    )
    campaign_services.story_move(story=story, action="submit", comment="", user=carol)
    campaign_services.story_move(story=story, action="approve", comment="", user=city_admin)
    yield data
    cache.clear()


def test_the_public_wish_wall_and_showcase_have_no_serious_accessibility_violation(
    page, live_server, evaluated, artifacts_dir, page_problems
):
    page.goto("/wishes/")
    expect(page.get_by_test_id("wish-wall").locator(".card").first).to_be_visible()
    page.goto("/campaign/showcase/")
    expect(page.get_by_text("暑期走访见闻").first).to_be_visible()
    problems = survey(
        page,
        [("wish-wall", "/wishes/"), ("showcase", "/campaign/showcase/")],
        artifacts_dir,
        "public",
    )
    assert problems == [], "\n".join(problems)
    assert page_problems == []


def test_the_dashboards_and_evaluation_pages_have_no_serious_accessibility_violation(
    page,
    live_server,
    evaluated,
    city_admin,
    alice,
    wuxing,
    wuxing_school,
    artifacts_dir,
    page_problems,
):
    township = wuxing_school.township_id
    login(page, live_server, city_admin.username, PASSWORD)
    problems = survey(
        page,
        [
            ("dashboard-city", "/campaign/dashboard/"),
            ("evaluation-city", "/campaign/evaluation/"),
            ("evaluation-townships", f"/campaign/evaluation/?county={wuxing.pk}"),
            (
                "evaluation-schools",
                f"/campaign/evaluation/?county={wuxing.pk}&township={township}",
            ),
            ("evaluation-district-sheet", f"/campaign/evaluation/districts/{wuxing.pk}/"),
        ],
        artifacts_dir,
        "city",
    )
    page.context.clear_cookies()
    login(page, live_server, "alice", PASSWORD)
    problems += survey(
        page,
        [
            ("dashboard-district", "/campaign/dashboard/district/"),
            ("evaluation-district", "/campaign/evaluation/"),
            ("evaluation-own-sheet", f"/campaign/evaluation/districts/{wuxing.pk}/"),
        ],
        artifacts_dir,
        "district",
    )
    assert problems == [], "\n".join(problems)
    assert page_problems == []


def test_the_stage_report_list_and_detail_have_no_serious_accessibility_violation(
    page, live_server, evaluated, alice, artifacts_dir, page_problems
):
    report = evaluated["wuxing_unit"].reports.order_by("pk").last()
    login(page, live_server, "alice", PASSWORD)
    problems = survey(
        page,
        [
            ("reports", "/campaign/reports/"),
            ("report-detail", f"/campaign/reports/{report.pk}/"),
        ],
        artifacts_dir,
        "district",
    )
    assert problems == [], "\n".join(problems)
    assert page_problems == []


def test_the_pairing_and_volunteer_pages_have_no_serious_accessibility_violation(
    page, live_server, evaluated, alice, erin, org, artifacts_dir, page_problems
):
    from pairing import services as pairing_services
    from pairing.models import PairingKind
    from volunteers.models import Membership, Team, Volunteer

    child = evaluated["kids"][9]  # not paired by the builder
    team = Team.objects.create(code="HZNU-01", name="湖师院青年志愿者队", organization=org)
    volunteer = Volunteer.objects.create(name="尔雅", zyh_account="zyh-erin", user=erin)
    Membership.objects.create(volunteer=volunteer, team=team, joined_on=dt.date(2026, 3, 1))
    pairing_services.pairing_create(
        child=child,
        person=erin,
        kind=PairingKind.VOLUNTEER,
        started_on=dt.date(2026, 9, 1),
        actor=alice,
    )
    login(page, live_server, "alice", PASSWORD)
    problems = survey(
        page,
        [
            ("pair", "/pairing/pair/"),
            ("class-pair", "/pairing/class/"),
            ("coverage", "/pairing/coverage/"),
            ("overdue", "/pairing/overdue/"),
            ("orgs", "/pairing/orgs/"),
            ("child-card", f"/pairing/children/{child.pk}/"),
            ("volunteers", "/volunteers/"),
            ("teams", "/volunteers/teams/"),
        ],
        artifacts_dir,
        "district",
    )
    # The volunteer's own pages, on a phone.
    page.context.clear_cookies()
    page.set_viewport_size({"width": 375, "height": 812})
    login(page, live_server, "erin", PASSWORD)
    problems += survey(
        page,
        [
            ("my-children", "/pairing/"),
            ("visit-form", "/pairing/visit/"),
            ("child-card", f"/pairing/children/{child.pk}/"),
            ("my-hours", "/volunteers/me/"),
        ],
        artifacts_dir,
        "phone",
    )
    assert problems == [], "\n".join(problems)
    assert page_problems == []
