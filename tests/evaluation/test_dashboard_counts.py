"""The dashboards' pre-aggregated figures (campaign/evaluation/counts.py, issue 12): equal to
the hand-computed counts of the fixture, read in a fixed number of queries that touch none of
the big tables, taken again by the roll-up task, on demand and when stale, and a fresh install
shows real figures at once."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from campaign.evaluation import counts, dashboards, services
from campaign.models import DashboardFigure, DashboardRefresh
from tests.factories import ChildFactory

from . import builders as b

M = DashboardFigure.Metric
BIG_TABLES = ("pairing_childpairing", "pairing_visit", "volunteers_servicerecord")


@pytest.fixture
def fixture(wuxing, changxing, wuxing_school, changxing_school, city_admin):
    data = b.build(wuxing, changxing, wuxing_school, changxing_school, city_admin)
    services.rollup(b.YEAR, b.AS_OF)
    return data


def _forget_boards():
    counts._forget_boards()


def _kpis(board) -> dict:
    return {k["label"]: k["value"] for k in board.kpis}


def _row(board, key, name):
    return next(r for r in board.chart(key).rows if r[0] == name)


def test_the_figures_equal_the_hand_computed_counts(
    fixture, city_officer, wuxing, changxing, wuxing_school
):
    """Taken as of 27 November (the fixture's date). 吴兴区: 11 children active (the 10 of the
    fixture and the one entered late; the leaver not), 8 with a staff pairing, 6 with an
    active volunteer pairing (4, the one starting on the 28th and the late one: the ended one
    not), 6 visited in the 30 days and in November (children 0-4 and 7; the visit 40 days
    before not), 13 active pairings last contacted before 28 October, no follow-up, 19 h
    approved in November (10 + 6 + 3; the pending 5 h not). 长兴县: 2 children, nothing else."""
    counts.refresh(b.AS_OF)
    city = dashboards.build(city_officer, today=b.AS_OF)
    kpis = _kpis(city)
    assert kpis["在册留守儿童"] == 13
    assert kpis["本月已走访儿童"] == 6
    assert kpis["2026 年已审核服务时长"] == 19.0
    assert kpis["教职工结对覆盖率"] == round(100 * 8 / 13, 1)
    assert kpis["志愿者结对覆盖率"] == round(100 * 6 / 13, 1)
    assert _row(city, "coverage", "吴兴区") == [
        "吴兴区",
        11,
        round(100 * 8 / 11, 1),
        round(100 * 6 / 11, 1),
        round(100 * 6 / 11, 1),
    ]
    assert _row(city, "coverage", "长兴县") == ["长兴县", "<5", "<5", "<5", "<5"]
    assert _row(city, "overdue", "吴兴区")[1:3] == [13, 0]
    hours = _row(city, "hours", "吴兴区")
    assert hours[city.chart("hours").headers.index("2026-11")] == 19.0
    assert city.counts_day == b.AS_OF and not city.counts_stale

    town = wuxing_school.township.name
    district = dashboards.build(city_officer, district=wuxing, today=b.AS_OF)
    assert _kpis(district)["在册留守儿童"] == 11
    assert _row(district, "coverage", town)[1] == 11
    assert _row(district, "overdue", town)[1] == 13
    # A district's figures are its own county's only.
    other = counts.Figures(counts.latest(), district=changxing)
    assert sum(other.get(M.CHILDREN).values()) == 2
    assert other.get(M.STAFF) == {} and other.hours == {}
    assert town not in [
        r[0] for r in dashboards.build(city_officer, district=changxing).chart("coverage").rows
    ]


def test_a_cold_board_reads_a_fixed_number_of_queries_and_no_big_table(
    fixture, city_officer, wuxing, wuxing_school
):
    counts.refresh()

    def cold(district=None):
        with CaptureQueriesContext(connection) as q:
            dashboards.build(city_officer, district=district)
        sql = [c["sql"] for c in q.captured_queries]
        assert not [s for s in sql if any(t in s for t in BIG_TABLES)]
        # Children are joined only for the year's fulfilled wishes (a small table).
        assert all("campaign_wish" in s for s in sql if "children_child" in s)
        return len(sql)

    city, district = cold(), cold(wuxing)
    assert city <= 12 and district <= 12
    # Many more children, pairings and visits: the same number of queries.
    for n in range(30):
        ChildFactory(school=wuxing_school, current_address=f"新村 {n} 号")
    counts.refresh()
    assert (cold(), cold(wuxing)) == (city, district)


def test_data_entered_after_the_refresh_shows_once_refreshed(
    client, fixture, city_admin, changxing_school, django_capture_on_commit_callbacks
):
    counts.refresh()
    client.force_login(city_admin)
    url = reverse("campaign:dashboard")
    _forget_boards()
    before = dashboards.cached(city_admin)
    assert _row(before, "coverage", "长兴县")[1] == "<5"  # 2 children
    for n in range(5):
        ChildFactory(school=changxing_school, current_address=f"新村 {n} 号")
    # Not yet: the board still adds up the refresh it has, and says when it was taken.
    _forget_boards()
    again = dashboards.build(city_admin)
    assert _row(again, "coverage", "长兴县")[1] == "<5"
    assert again.counts_at == before.counts_at
    html = client.get(url).content.decode()
    assert 'data-testid="counts-as-of"' in html and "数据截至" in html
    assert timezone.localtime(before.counts_at).strftime("%Y-%m-%d %H:%M") in html
    # city_admin's "立即刷新" (a task; in process here): the new children count.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("campaign:dashboard_refresh"))
    assert response.status_code == 302 and response["Location"] == url
    assert DashboardRefresh.objects.count() == 1  # the older one is gone
    after = dashboards.cached(city_admin)
    assert _row(after, "coverage", "长兴县")[1] == 7
    assert after.counts_at > before.counts_at


def test_the_rollup_task_refreshes_the_figures(
    client, fixture, city_admin, changxing_school, django_capture_on_commit_callbacks
):
    counts.refresh()
    first = counts.latest()
    ChildFactory(school=changxing_school, current_address="新村")
    client.force_login(city_admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("campaign:evaluation_run"), {"as_of": "2026-11-28"})
    fresh = counts.latest()
    assert fresh.pk != first.pk
    assert counts.Figures(fresh).total(M.CHILDREN) == 14


def test_a_fresh_install_shows_real_figures_at_once(client, fixture, city_officer):
    assert not DashboardRefresh.objects.exists()
    client.force_login(city_officer)
    _forget_boards()
    html = client.get(reverse("campaign:dashboard")).content.decode()
    assert DashboardRefresh.objects.count() == 1
    assert "数据截至" in html
    assert _kpis(dashboards.cached(city_officer))["在册留守儿童"] == 13


def test_stale_figures_are_shown_with_their_time_and_a_refresh_is_queued(
    fixture, city_officer, changxing_school, django_capture_on_commit_callbacks
):
    counts.refresh()
    old = counts.latest()
    hour_ago = timezone.now() - dt.timedelta(hours=1)
    DashboardRefresh.objects.filter(pk=old.pk).update(computed_at=hour_ago)
    ChildFactory(school=changxing_school, current_address="新村")
    from django.core.cache import cache

    cache.delete(counts.LOCK_KEY)
    with django_capture_on_commit_callbacks(execute=True):
        board = dashboards.build(city_officer)
    # This board shows the figures it read, with their time; the queued refresh (in process
    # here) has taken new ones for the next.
    assert board.counts_stale and board.counts_at == hour_ago
    assert _kpis(board)["在册留守儿童"] == 13
    fresh = counts.latest()
    assert fresh.pk != old.pk and counts.Figures(fresh).total(M.CHILDREN) == 14
    assert not dashboards.build(city_officer).counts_stale
    # At most one refresh is queued per MAX_AGE.
    DashboardRefresh.objects.filter(pk=fresh.pk).update(computed_at=hour_ago)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        assert counts.queue_refresh() is True
        assert counts.queue_refresh() is False
    assert len(queued) == 1
    cache.delete(counts.LOCK_KEY)


def test_only_city_admin_refreshes_on_demand(client, fixture, alice, city_officer):
    for user in (alice, city_officer):
        client.force_login(user)
        assert client.post(reverse("campaign:dashboard_refresh")).status_code == 404
