"""The city and district evaluation dashboards: aggregates only (a count under 5, or a rate
over fewer than 5, is shown as "<5"), a fixed number of grouped queries whatever the size.

The counts over the big tables (children, pairings, visits, service hours) are read from the
pre-aggregated figures of counts.py, which the page dates ("数据截至"); reports, activities,
wishes and the ranking are read live. The city groups by district; a district dashboard
groups its own county by township (and lists its schools). Every chart is built once here
as (spec for static/js/charts.js, table for the page and the .xlsx export)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from huzhou_care.orgs.models import OrgUnit, School
from pairing.models import PairingKind
from pairing.selectors import RECENT_DAYS

from ..models import CampaignYear, ReportingUnit, ReportTemplate, StageReport
from ..programmes.models import Activity, Wish
from . import counts
from .models import DashboardFigure, Snapshot

M = DashboardFigure.Metric

SMALL = 5
COMPLETE = (StageReport.Status.SUBMITTED, StageReport.Status.APPROVED)
HOURS_WAITING_DAYS = counts.HOURS_WAITING_DAYS


def small(n):
    return None if n is not None and 0 < n < SMALL else n


def rate(num, den):
    """A percentage, hidden when the group is small (under 5)."""
    if not den:
        return None
    if den < SMALL:
        return None
    return round(100 * num / den, 1)


@dataclass
class Chart:
    key: str
    title: str
    kind: str
    spec: dict
    headers: list
    rows: list
    note: str = ""


@dataclass
class Dashboard:
    scope: str  # "city" | "district"
    title: str
    today: dt.date
    unit_label: str
    kpis: list = field(default_factory=list)
    charts: list = field(default_factory=list)
    overdue: list = field(default_factory=list)
    ranking: dict | None = None
    computed_at: dt.datetime | None = None
    # The pre-aggregated figures (counts.py): when they were taken, the day their windows run
    # to, and whether a newer set has been asked for.
    counts_at: dt.datetime | None = None
    counts_day: dt.date | None = None
    counts_stale: bool = False

    def chart(self, key) -> Chart | None:
        return next((c for c in self.charts if c.key == key), None)


CACHE_SECONDS = 300
# A board built from stale figures (a refresh is on its way) is kept only briefly, so the
# new figures show soon after the refresh.
STALE_CACHE_SECONDS = 30


def cache_key(district: OrgUnit | None, today) -> str:
    return f"evaluation-dashboard:{district.pk if district else 'city'}:{today.isoformat()}"


def cached(user, *, district: OrgUnit | None = None) -> Dashboard:
    """``build`` through the cache (Redis in production) for ``CACHE_SECONDS``: the figures
    are aggregates, the same for every viewer of the scope, and a few minutes old at most
    (the page says when they were computed). A new snapshot shows at the next refresh."""
    from django.core.cache import cache

    today = timezone.localdate()
    key = cache_key(district, today)
    board = cache.get(key)
    if board is None:
        board = build(user, district=district, today=today)
        cache.set(key, board, STALE_CACHE_SECONDS if board.counts_stale else CACHE_SECONDS)
    return board


def build(user, *, district: OrgUnit | None = None, today: dt.date | None = None) -> Dashboard:
    """The city dashboard (``district`` None) or one district's. The caller checks the role;
    a district user passes their own county. The figures depend on the scope only (not on
    the viewer), which is what lets ``cached`` share them."""
    today = today or timezone.localdate()
    if district is None:
        col, unit_label, scope = "county_id", "区县", "city"
        place = Q()
        names = dict(
            OrgUnit.objects.filter(level=OrgUnit.Level.COUNTY).values_list("pk", "name")
        )  # 1
        title = "全市考评看板"
    else:
        col, unit_label, scope = "township_id", "乡镇(街道)", "district"
        place = Q(county_id=district.pk)
        names = dict(
            OrgUnit.objects.filter(parent=district, level=OrgUnit.Level.TOWNSHIP).values_list(
                "pk", "name"
            )
        )  # 1
        title = f"{district.name}考评看板"
    order = sorted(names, key=lambda k: names[k])
    board = Dashboard(scope=scope, title=title, today=today, unit_label=unit_label)
    board.computed_at = timezone.now()

    # Children, coverage, visits and hours (2 queries): the pre-aggregated figures
    # (counts.py), a few hundred rows whatever the number of children. Their windows (30
    # days, the month, the 12 months of hours, the overdue cutoff) run to the day they were
    # taken, which the page shows ("数据截至").
    fig = counts.current(today, district=district)
    board.counts_at = fig.refresh.computed_at
    board.counts_day = day = fig.refresh.day
    board.counts_stale = fig.stale
    registered = fig.get(M.CHILDREN)
    paired: dict = defaultdict(int)
    for kind, metric in ((PairingKind.STAFF, M.STAFF), (PairingKind.VOLUNTEER, M.VOLUNTEER)):
        for key, n in fig.get(metric).items():
            paired[(key, kind)] = n
    visited_30 = fig.get(M.VISITED_30)
    visited_month = fig.total(M.VISITED_MONTH)
    months = [counts.month_start(day, back) for back in range(11, -1, -1)]
    hours = fig.hours
    year_hours = sum(h for (_k, m), h in hours.items() if m.year == day.year)

    # Reports (3 queries): templates of the current year, units in scope, their reports.
    cy = CampaignYear.objects.filter(is_current=True).first()  # 1
    templates = (
        list(
            ReportTemplate.objects.filter(deadline__stage__year=cy)
            .select_related("deadline")
            .order_by("deadline__due_on", "pk")
        )
        if cy
        else []
    )
    unit_qs = ReportingUnit.objects.filter(county__isnull=False)
    if district is not None:
        unit_qs = unit_qs.filter(county=district).select_related("school")
    units = list(unit_qs)
    done = {
        (r[0], r[1]): r[2]
        for r in StageReport.objects.filter(
            template__in=templates, unit__in=units, status__in=COMPLETE
        ).values_list("template_id", "unit_id", "late")
    }

    def unit_key(u):
        if district is None:
            return u.county_id
        return u.school.township_id if u.school_id else None

    heat: dict = defaultdict(lambda: [0, 0])
    total_due = total_done = total_on_time = 0
    overdue_reports: dict = defaultdict(int)
    for t in templates:
        for u in units:
            if u.kind not in t.unit_kinds or u.joined_on >= t.deadline.due_on:
                continue
            key = unit_key(u)
            cell = heat[(key, t.pk)]
            cell[0] += 1
            late = done.get((t.pk, u.pk))
            if late is not None:
                cell[1] += 1
            if t.deadline.due_on < today:
                total_due += 1
                if late is not None:
                    total_done += 1
                    total_on_time += not late
                elif today > t.deadline.on_time_until:
                    overdue_reports[key] += 1

    # Overdue: visits, follow-ups, hours waiting (pre-aggregated, above).
    visits_overdue = fig.get(M.PAIRINGS_OVERDUE)
    follow_ups = fig.get(M.FOLLOW_UPS_OVERDUE)
    hours_waiting = fig.get(M.HOURS_WAITING)

    # Activities and wishes (2 grouped queries): held this year up to today; wishes
    # fulfilled this year up to today, by the child's place.
    year_start = timezone.make_aware(dt.datetime(today.year, 1, 1))
    tomorrow = timezone.make_aware(dt.datetime.combine(today + dt.timedelta(days=1), dt.time.min))
    activity_col = (
        F("county_id")
        if district is None
        else Coalesce("team__school__township_id", "venue__township_id")
    )
    activities = dict(
        Activity.objects.filter(place, starts_at__gte=year_start, starts_at__lt=tomorrow)
        .annotate(place_key=activity_col)
        .order_by()
        .values_list("place_key")
        .annotate(n=Count("pk"))
        .values_list("place_key", "n")
    )
    wish_col = f"child__{col}"
    wishes_fulfilled = dict(
        Wish.objects.filter(
            Q() if district is None else Q(child__county_id=district.pk),
            status=Wish.Status.FULFILLED,
            fulfilled_on__year=today.year,
            fulfilled_on__lte=today,
        )
        .order_by()
        .values_list(wish_col)
        .annotate(n=Count("pk"))
        .values_list(wish_col, "n")
    )

    # KPI cards.
    children = sum(registered.values())
    staff = sum(n for (_k, kind), n in paired.items() if kind == PairingKind.STAFF)
    vol = sum(n for (_k, kind), n in paired.items() if kind == PairingKind.VOLUNTEER)
    board.kpis = [
        {"label": "在册留守儿童", "value": small(children), "unit": "人"},
        {"label": "教职工结对覆盖率", "value": rate(staff, children), "unit": "%"},
        {"label": "志愿者结对覆盖率", "value": rate(vol, children), "unit": "%"},
        {"label": "本月已走访儿童", "value": small(visited_month), "unit": "人"},
        {"label": f"{day.year} 年已审核服务时长", "value": round(year_hours, 1), "unit": "小时"},
        {
            "label": f"{today.year} 年开展关爱活动",
            "value": small(sum(activities.values())),
            "unit": "次",
        },
        {
            "label": f"{today.year} 年微心愿实现",
            "value": small(sum(wishes_fulfilled.values())),
            "unit": "个",
        },
        {"label": "阶段报送完成率", "value": rate(total_done, total_due), "unit": "%"},
        {"label": "阶段报送及时率", "value": rate(total_on_time, total_due), "unit": "%"},
    ]

    # Heatmap: places x deadlines, completeness (%).
    other_label = "市级单位" if district is None else "区县团委及结对单位"
    heat_keys = order + ([None] if any(k is None for k, _t in heat) else [])
    label_of = {**names, None: other_label}
    data = []
    rows = []
    for yi, key in enumerate(heat_keys):
        row = [label_of[key]]
        for xi, t in enumerate(templates):
            expected, complete = heat.get((key, t.pk), (0, 0))
            value = rate(complete, expected) if expected else None
            if expected:
                data.append([xi, yi, value])
            row.append("—" if not expected else (value if value is not None else "<5"))
        rows.append(row)
    board.charts.append(
        Chart(
            key="completeness",
            title=f"各{unit_label}阶段报送完成率（%）",
            kind="heatmap",
            spec={
                "x": [t.deadline.title for t in templates],
                "y": [label_of[k] for k in heat_keys],
                "data": data,
                "min": 0,
                "max": 100,
            },
            headers=[unit_label]
            + [f"{t.deadline.title}（{t.deadline.due_on:%m-%d}）" for t in templates],
            rows=rows,
            note="单元格为已提交（含已审核）÷ 应报；应报少于 5 个单位的格子不予显示。",
        )
    )

    # Hours by place by month.
    hour_keys = order + ([None] if any(k is None for k, _m in hours) else [])
    hour_label = {**names, None: "结对单位队伍" if district is not None else "市级队伍"}
    board.charts.append(
        Chart(
            key="hours",
            title=f"各{unit_label}每月已审核服务时长（小时）",
            kind="line",
            spec={
                "labels": [f"{m:%Y-%m}" for m in months],
                "series": [
                    {
                        "label": hour_label[k],
                        "data": [round(hours.get((k, m), 0), 1) for m in months],
                    }
                    for k in hour_keys
                ],
            },
            headers=[unit_label] + [f"{m:%Y-%m}" for m in months],
            rows=[
                [hour_label[k]] + [round(hours.get((k, m), 0), 1) for m in months]
                for k in hour_keys
            ],
        )
    )

    # Coverage by place.
    cov_rows = []
    for key in order:
        total = registered.get(key, 0)
        cov_rows.append(
            [
                names[key],
                small(total),
                rate(paired.get((key, PairingKind.STAFF), 0), total),
                rate(paired.get((key, PairingKind.VOLUNTEER), 0), total),
                rate(visited_30.get(key, 0), total),
            ]
        )
    board.charts.append(
        Chart(
            key="coverage",
            title=f"各{unit_label}结对与走访覆盖率（%）",
            kind="bar",
            spec={
                "labels": [r[0] for r in cov_rows],
                "series": [
                    {"label": "教职工结对", "data": [r[2] for r in cov_rows]},
                    {"label": "志愿者结对", "data": [r[3] for r in cov_rows]},
                    {"label": f"近 {RECENT_DAYS} 天走访", "data": [r[4] for r in cov_rows]},
                ],
            },
            headers=[
                unit_label,
                "在册儿童",
                "教职工结对覆盖率(%)",
                "志愿者结对覆盖率(%)",
                f"近{RECENT_DAYS}天走访率(%)",
            ],
            rows=[[("<5" if v is None else v) for v in r] for r in cov_rows],
            note="少于 5 人的数字及其比率不予显示。",
        )
    )

    # Overdue counts.
    over_keys = order + ([None] if None in overdue_reports or None in hours_waiting else [])
    over_label = {**names, None: other_label}
    over_rows = [
        [
            over_label[k],
            small(visits_overdue.get(k, 0)),
            small(follow_ups.get(k, 0)),
            overdue_reports.get(k, 0),
            hours_waiting.get(k, 0),
        ]
        for k in over_keys
    ]
    board.charts.append(
        Chart(
            key="overdue",
            title=f"各{unit_label}逾期事项（件）",
            kind="bar",
            spec={
                "labels": [r[0] for r in over_rows],
                "stack": True,
                "series": [
                    {"label": "走访逾期结对", "data": [r[1] for r in over_rows]},
                    {"label": "跟进逾期", "data": [r[2] for r in over_rows]},
                    {"label": "报送逾期", "data": [r[3] for r in over_rows]},
                    {"label": "时长待审超7天", "data": [r[4] for r in over_rows]},
                ],
            },
            headers=[unit_label, "走访逾期结对", "跟进逾期", "报送逾期", "时长待审核超7天"],
            rows=[[("<5" if v is None else v) for v in r] for r in over_rows],
            note="只显示件数；名单见各业务页面。少于 5 件的儿童相关数字不予显示。",
        )
    )
    board.overdue = over_rows

    # Ranking from the latest snapshot of the current year (1 query).
    snap = Snapshot.objects.filter(year=cy.year).order_by("-as_of").first() if cy else None
    if snap is not None:
        board.ranking = ranking(snap, district=district)
        rk = board.ranking
        board.charts.append(
            Chart(
                key="ranking",
                title=rk["title"],
                kind="bar",
                spec={
                    "labels": [r["name"] for r in rk["rows"]],
                    "horizontal": True,
                    "series": [
                        {"label": rk["score_label"], "data": [r["score"] for r in rk["rows"]]}
                    ],
                },
                headers=["名次", rk["level"], rk["score_label"], "等次"],
                rows=[
                    [n, r["name"], r["score"], r.get("grade", "")]
                    for n, r in enumerate(rk["rows"], start=1)
                ],
                note=f"考评快照截至 {snap.as_of:%Y-%m-%d}（指标表第 {snap.inputs['table']['version']} 版）。",
            )
        )
    return board


def ranking(
    snap: Snapshot, *, district: OrgUnit | None = None, township_id: int | None = None
) -> dict:
    """The ranking of a snapshot: districts (city), a district's townships, a township's
    schools. Townships and schools carry the quantitative score only."""
    res = snap.results
    if district is None and township_id is None:
        return {
            "title": "区县考评排名",
            "level": "区县",
            "score_label": "总分",
            "rows": res["districts"],
            "snapshot": snap,
            "child_level": "county",
        }
    if township_id is None:
        rows = [t for t in res["townships"] if t["county_id"] == district.pk]
        return {
            "title": f"{district.name}各乡镇(街道)定量指标得分",
            "level": "乡镇(街道)",
            "score_label": "定量得分",
            "rows": rows,
            "snapshot": snap,
            "child_level": "township",
        }
    rows = [s for s in res["schools"] if s["township_id"] == township_id]
    return {
        "title": "各学校定量指标得分",
        "level": "学校",
        "score_label": "定量得分",
        "rows": rows,
        "snapshot": snap,
        "child_level": None,
    }


def latest_snapshot(year: int | None = None) -> Snapshot | None:
    cy = CampaignYear.objects.filter(is_current=True).first()
    y = year or (cy.year if cy else timezone.localdate().year)
    return Snapshot.objects.filter(year=y).order_by("-as_of").first()


def school_names(ids) -> dict:
    return dict(School.objects.filter(pk__in=ids).values_list("pk", "name"))
