"""The evaluation pages on the hand-computed fixture: dashboards (fixed number of queries,
small cells suppressed), exports, the drill-down, the on-demand run, the sheet."""

import datetime as dt
import io
from urllib.parse import quote

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from campaign.evaluation import services
from campaign.models import Assessment, RollupJob, Snapshot
from tests.factories import ChildFactory

from . import builders as b


@pytest.fixture
def fixture(wuxing, changxing, wuxing_school, changxing_school, city_admin):
    data = b.build(wuxing, changxing, wuxing_school, changxing_school, city_admin)
    services.rollup(b.YEAR, b.AS_OF)
    return data


def _queries(client, url, django_assert_max_num_queries, n):
    from django.core.cache import cache
    from django.utils import timezone

    from campaign.evaluation.dashboards import cache_key
    from huzhou_care.orgs.models import OrgUnit

    # The dashboards are cached for 5 minutes: count the queries of a build. (Only their keys
    # go: the session is in the cache too when it is Redis.)
    today = timezone.localdate()
    cache.delete_many([cache_key(d, today) for d in [None, *OrgUnit.objects.all()]])
    with django_assert_max_num_queries(n):
        response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_the_city_dashboard_has_every_chart_and_a_fixed_number_of_queries(
    client, city_officer, fixture, wuxing_school, django_assert_max_num_queries
):
    client.force_login(city_officer)
    url = reverse("campaign:dashboard")
    html = _queries(client, url, django_assert_max_num_queries, 30)
    for key in ("completeness", "hours", "coverage", "overdue", "ranking"):
        assert f'id="{key}-chart"' in html and f'data-testid="{key}-table"' in html
    # 长兴县 has 2 children: its count and rates are suppressed; no child's name anywhere.
    assert "&lt;5" in html
    assert not any(k.name in html for k in fixture["kids"])
    # Ten times the children: the same number of queries.
    for _n in range(20):
        ChildFactory(school=wuxing_school, current_address="x")
    _queries(client, url, django_assert_max_num_queries, 30)
    # Within the cache period the page is served from the cache.
    with django_assert_max_num_queries(8):
        assert client.get(url).status_code == 200


def _kpis(board) -> dict:
    return {k["label"]: k["value"] for k in board.kpis}


def test_the_activity_and_wish_cards_count_this_year_in_scope(
    client, city_officer, fixture, wuxing, changxing, django_assert_max_num_queries
):
    """Counted up to the day, not as of the evaluation date: 吴兴区's 7 activities of 2026 held
    by 1 December (the one recorded late and the one after the date included, 2025's not) and
    its 9 wishes fulfilled by then; none in 长兴县 (0 is shown); under 5 is hidden."""
    from campaign.evaluation import dashboards

    day = dt.date(2026, 12, 1)
    activities, wishes = "2026 年开展关爱活动", "2026 年微心愿实现"
    city = _kpis(dashboards.build(city_officer, today=day))
    assert (city[activities], city[wishes]) == (7, 9)
    wx = _kpis(dashboards.build(city_officer, district=wuxing, today=day))
    assert (wx[activities], wx[wishes]) == (7, 9)
    cx = _kpis(dashboards.build(city_officer, district=changxing, today=day))
    assert (cx[activities], cx[wishes]) == (0, 0)
    summer = _kpis(dashboards.build(city_officer, today=dt.date(2026, 8, 10)))
    assert summer["2026 年开展关爱活动"] is None  # 2 activities by 10 August: "<5"
    assert summer["2026 年微心愿实现"] == 0
    client.force_login(city_officer)
    html = _queries(client, reverse("campaign:dashboard"), django_assert_max_num_queries, 30)
    assert "开展关爱活动" in html and "微心愿实现" in html and "模块接入后显示" not in html


def test_the_district_dashboard_shows_its_townships_only(
    client, alice, fixture, wuxing_school, django_assert_max_num_queries
):
    client.force_login(alice)
    html = _queries(
        client, reverse("campaign:dashboard_district"), django_assert_max_num_queries, 30
    )
    assert "吴兴区考评看板" in html and wuxing_school.township.name in html
    assert "长兴县" not in html
    # Another district's dashboard is not alice's.
    assert (
        client.get(
            reverse("campaign:dashboard_district") + f"?district={wuxing_school.county_id + 999}"
        ).status_code
        == 404
    )


def test_every_chart_exports_to_xlsx(client, city_officer, alice, fixture):
    client.force_login(city_officer)
    for key in ("completeness", "hours", "coverage", "overdue", "ranking"):
        response = client.get(reverse("campaign:dashboard_export", args=[key]))
        assert response.status_code == 200
        wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
        rows = list(wb.active.values)
        assert rows[0][0].startswith("各区县") or rows[0][0] == "区县考评排名"
    ranking = list(
        load_workbook(
            io.BytesIO(
                b"".join(
                    client.get(
                        reverse("campaign:dashboard_export", args=["ranking"])
                    ).streaming_content
                )
            )
        ).active.values
    )
    assert ranking[2][:4] == (1, "吴兴区", b.EXPECTED_WUXING_SCORE, "不合格")
    assert client.get(reverse("campaign:dashboard_export", args=["nothing"])).status_code == 404


def test_the_ranking_drills_down_district_township_school(
    client, city_officer, fixture, wuxing, wuxing_school
):
    client.force_login(city_officer)
    url = reverse("campaign:evaluation")
    html = client.get(url).content.decode()
    assert "区县考评排名" in html and str(b.EXPECTED_WUXING_SCORE) in html
    html = client.get(url, {"county": wuxing.pk}).content.decode()
    assert wuxing_school.township.name in html
    html = client.get(
        url, {"county": wuxing.pk, "township": wuxing_school.township_id}
    ).content.decode()
    assert wuxing_school.name in html


def test_city_admin_runs_a_rollup_on_demand_with_progress(
    client, city_admin, fixture, django_capture_on_commit_callbacks
):
    client.force_login(city_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("campaign:evaluation_run"), {"as_of": "2026-11-28"})
    assert response.status_code == 302
    job = RollupJob.objects.get()
    assert (
        job.status == "done"
        and job.progress == 100
        and job.snapshot.as_of.isoformat() == "2026-11-28"
    )
    html = client.get(reverse("campaign:evaluation_job", args=[job.pk])).content.decode()
    assert 'data-status="done"' in html and "hx-get" not in html
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("campaign:evaluation_run"), {"as_of": "2026-11-28"})
    assert Snapshot.objects.filter(as_of="2026-11-28").count() == 1
    assert RollupJob.objects.latest("pk").message.startswith("该日期的快照已存在")
    response = client.post(reverse("campaign:evaluation_run"), {"as_of": "2099-01-01"}, follow=True)
    assert "不能晚于今天" in response.content.decode()


def test_self_assessment_and_city_review_sit_side_by_side(
    client, alice, city_admin, fixture, wuxing
):
    client.force_login(alice)
    url = reverse("campaign:evaluation_assess", args=[wuxing.pk])
    client.post(
        url, {"indicator": "mechanism", "year": b.YEAR, "grade": "A", "evidence": "联席会议制度"}
    )
    response = client.post(
        url, {"indicator": "mechanism", "year": b.YEAR, "grade": "B"}, follow=True
    )
    assert "修改理由" in response.content.decode()
    client.force_login(city_admin)
    client.post(
        url, {"indicator": "mechanism", "year": b.YEAR, "grade": "B", "reason": "会议记录不全"}
    )
    html = client.get(reverse("campaign:evaluation_district", args=[wuxing.pk])).content.decode()
    assert "联席会议制度" in html and "会议记录不全" in html
    assert (
        Assessment.objects.filter(district=wuxing, indicator_code="mechanism").count() == 3
    )  # the refused one is not kept
    response = client.get(reverse("campaign:evaluation_sheet", args=[wuxing.pk]))
    rows = list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.values)
    assert "吴兴区" in rows[0][0]
    mech = next(r for r in rows if r[1] == "工作机制建设")
    assert mech[8] == "A" and mech[10] == "B" and mech[11] == "会议记录不全"
    assert any(r[0] == "总分" and r[1] == b.EXPECTED_WUXING_SCORE for r in rows)


def _sheet(response) -> list:
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    return list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.values)


def test_the_ranking_exports_at_every_level_of_the_drill_down(
    client, city_officer, fixture, wuxing, wuxing_school
):
    client.force_login(city_officer)
    url = reverse("campaign:evaluation_export")
    snap = Snapshot.objects.get()
    town = wuxing_school.township
    # The evaluation page offers the export of the level it shows.
    html = client.get(
        reverse("campaign:evaluation"), {"county": wuxing.pk, "township": town.pk}
    ).content.decode()
    assert f"{url}?snapshot={snap.pk}&amp;county={wuxing.pk}&amp;township={town.pk}" in html
    # The city: the districts, with their grades and each indicator's score.
    rows = _sheet(client.get(url))
    assert rows[0][0].startswith("区县考评排名（快照截至 2026-11-27")
    assert rows[1][:4] == ("名次", "区县", "总分", "等次")
    assert rows[2][:4] == (1, "吴兴区", b.EXPECTED_WUXING_SCORE, "不合格")
    assert rows[3][:3] == (2, "长兴县", b.EXPECTED_CHANGXING_SCORE)
    header = list(rows[1])
    assert rows[2][header.index("近 30 天走访率（得分）")] == b.EXPECTED_WUXING["visited"][1]
    # A district: its townships.
    rows = _sheet(client.get(url, {"county": wuxing.pk}))
    assert rows[0][0].startswith("吴兴区各乡镇(街道)定量指标得分")
    assert [r[1] for r in rows[2:]] == [town.name]
    # A township: its schools (the quantitative indicators only).
    response = client.get(url, {"snapshot": snap.pk, "county": wuxing.pk, "township": town.pk})
    assert quote(town.name) in response["Content-Disposition"]
    rows = _sheet(response)
    assert rows[0][0].startswith(f"{town.name}各学校定量指标得分")
    assert rows[1][:4] == ("名次", "学校", "定量得分", "定量得分率(%)")
    assert "工作机制建设（得分）" not in rows[1]
    school = next(s for s in snap.results["schools"] if s["township_id"] == town.pk)
    assert rows[2][:3] == (1, wuxing_school.name, school["score"])


def test_a_district_officer_exports_only_their_own_townships(
    client, alice, fixture, wuxing, changxing, changxing_school, wuxing_school
):
    client.force_login(alice)
    url = reverse("campaign:evaluation_export")
    # Asking for another county gives alice her own.
    rows = _sheet(client.get(url, {"county": changxing.pk}))
    assert rows[0][0].startswith("吴兴区各乡镇(街道)定量指标得分")
    assert "长兴县" not in str(rows) and changxing_school.township.name not in str(rows)
    # Another county's township is not hers, on the page or in the export.
    other = {"county": changxing.pk, "township": changxing_school.township_id}
    assert client.get(url, other).status_code == 404
    assert client.get(reverse("campaign:evaluation"), other).status_code == 404
    rows = _sheet(client.get(url, {"township": wuxing_school.township_id}))
    assert [r[1] for r in rows[2:]] == [wuxing_school.name]


def test_the_ranking_export_without_a_snapshot_says_so(client, city_officer, db):
    client.force_login(city_officer)
    rows = _sheet(client.get(reverse("campaign:evaluation_export")))
    assert rows[0][0] == "全市考评排名" and rows[1][0].startswith("尚无考评快照")
