"""The evaluation dashboards in Chromium under the strict CSP: every chart has drawn (its
canvas has paint on it), no console error, no CSP violation, no failed static request."""

import pytest
from playwright.sync_api import expect

from campaign.evaluation import services
from tests.evaluation import builders as b

from .conftest import login

PASSWORD = "portal-test-Pass-2026"
CHARTS = ("completeness", "hours", "coverage", "overdue", "ranking")

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def evaluated(wuxing, changxing, wuxing_school, changxing_school, city_admin):
    from django.core.cache import cache
    from django.utils import timezone

    from campaign.evaluation.dashboards import cache_key
    from huzhou_care.orgs.models import OrgUnit

    b.build(wuxing, changxing, wuxing_school, changxing_school, city_admin)
    services.rollup(b.YEAR, b.AS_OF)
    # A board an earlier test left in the cache (five minutes, per scope and day) would hide
    # this snapshot: the page must draw from this test's data.
    today = timezone.localdate()
    cache.delete_many([cache_key(d, today) for d in [None, *OrgUnit.objects.all()]])


def _painted(page, key) -> int:
    chart = page.locator(f"#{key}-chart[data-chart]")
    expect(chart.locator("canvas")).to_be_visible()
    return chart.locator("canvas").first.evaluate(
        """canvas => {
            const {data} = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height);
            let n = 0;
            for (let i = 3; i < data.length; i += 4) { if (data[i] !== 0) { n++; } }
            return n;
        }"""
    )


@pytest.mark.parametrize(
    ("who", "path", "title"),
    [
        ("city_officer", "/campaign/dashboard/", "全市考评看板"),
        ("alice", "/campaign/dashboard/district/", "吴兴区考评看板"),
    ],
)
def test_every_dashboard_chart_draws_without_console_errors(
    page,
    live_server,
    evaluated,
    city_officer,
    alice,
    page_problems,
    artifacts_dir,
    who,
    path,
    title,
):
    user = {"city_officer": city_officer, "alice": alice}[who]
    login(page, live_server, user.username, PASSWORD)
    page.goto(live_server.url + path)
    expect(page.get_by_role("heading", name=title)).to_be_visible()
    for key in CHARTS:
        assert _painted(page, key) > 500, key
    drawn = page.evaluate("Object.keys(window.portalCharts).sort()")
    assert {f"{k}-chart" for k in CHARTS} <= set(drawn)
    page.screenshot(path=str(artifacts_dir / f"dashboard-{who}.png"), full_page=True)
    assert page_problems == []
