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
    b.build(wuxing, changxing, wuxing_school, changxing_school, city_admin)
    services.rollup(b.YEAR, b.AS_OF)


def _painted(page, key) -> int:
    chart = page.locator(f"#{key}-chart[data-chart]")
    # Five charts on one page, drawn one after another: on a loaded CI machine (two test
    # processes on two cores) the last can take longer than expect()'s 5 s default.
    expect(chart.locator("canvas")).to_be_visible(timeout=20_000)
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
