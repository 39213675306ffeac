"""The evaluation dashboards in Chromium under the strict CSP: every chart has drawn (its
canvas has paint on it), no console error, no CSP violation, no failed static request; and
journey J4 (issue 14): a municipal officer opens the dashboard after the roll-up ran in a real
Celery worker, drills down to a township and exports its ranking (.xlsx)."""

import io
import re

import pytest
from playwright.sync_api import expect

from campaign.evaluation import services
from tests.evaluation import builders as b

from ..worker import needs_worker, purge_queue, start_worker, stop_worker, wait_until
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


@pytest.mark.celery_worker
@needs_worker
def test_j4_officer_drills_down_to_a_township_and_exports_its_ranking(
    page,
    live_server,
    wuxing,
    changxing,
    wuxing_school,
    changxing_school,
    city_admin,
    city_officer,
    page_problems,
    artifacts_dir,
):
    from openpyxl import load_workbook

    from campaign.models import DashboardRefresh, RollupJob, Snapshot

    b.build(wuxing, changxing, wuxing_school, changxing_school, city_admin)
    # The roll-up, requested as city_admin does, runs in a real worker (Redis, not eager):
    # the snapshot, then the dashboards' pre-aggregated figures.
    purge_queue()
    worker = start_worker()
    try:
        job = services.request_rollup(year=b.YEAR, as_of=b.AS_OF, actor=city_admin)
        wait_until(lambda: RollupJob.objects.get(pk=job.pk).status == "done", what="roll-up")
        wait_until(DashboardRefresh.objects.exists, what="dashboard figures")
    finally:
        output = stop_worker(worker)
    assert "Traceback" not in output, output
    snap = Snapshot.objects.get()
    town = wuxing_school.township

    login(page, live_server, city_officer.username, PASSWORD)
    page.goto(live_server.url + "/campaign/dashboard/")
    expect(page.get_by_role("heading", name="全市考评看板")).to_be_visible()
    # The figures are the worker's: 13 children on the registry, with their time.
    expect(page.get_by_test_id("counts-as-of")).to_contain_text("数据截至")
    children = page.get_by_test_id("kpis").locator(".card", has_text="在册留守儿童")
    expect(children).to_contain_text("13")
    assert _painted(page, "ranking") > 500

    # City -> district -> township, by the links of the ranking.
    page.get_by_role("link", name=re.compile("逐级查看")).click()
    ranking = page.get_by_test_id("ranking-table")
    expect(page.get_by_role("heading", name="区县考评排名")).to_be_visible()
    expect(ranking.locator("tbody tr").first).to_contain_text("吴兴区")
    ranking.get_by_role("link", name="吴兴区", exact=True).click()
    expect(page.get_by_role("heading", name="吴兴区各乡镇(街道)定量指标得分")).to_be_visible()
    ranking.get_by_role("link", name=town.name, exact=True).click()
    expect(page.get_by_role("heading", name=f"{town.name}各学校定量指标得分")).to_be_visible()
    expect(ranking).to_contain_text(wuxing_school.name)
    page.screenshot(path=str(artifacts_dir / "j4-township-ranking.png"), full_page=True)

    with page.expect_download() as download:
        page.get_by_role("link", name="导出排名 Excel").click()
    path = download.value.path()
    assert download.value.suggested_filename.endswith(".xlsx")
    assert town.name in download.value.suggested_filename
    with open(path, "rb") as fh:
        rows = list(load_workbook(io.BytesIO(fh.read())).active.values)
    assert rows[0][0] == (
        f"{town.name}各学校定量指标得分"
        f"（快照截至 {b.AS_OF:%Y-%m-%d}，指标表第 {snap.inputs['table']['version']} 版）"
    )
    assert rows[1][:4] == ("名次", "学校", "定量得分", "定量得分率(%)")
    school = next(r for r in snap.results["schools"] if r["id"] == wuxing_school.pk)
    assert rows[2][:4] == (1, wuxing_school.name, school["score"], school["rate"])
    assert len(rows) == 3  # the township's one school, nothing of 长兴县
    assert page_problems == []
