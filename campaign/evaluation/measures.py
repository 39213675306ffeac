"""The registry of measures: what a quantitative indicator computes. A measure is one
set-based query over the data as of a date, grouped by place, returning for each
(county, township, school) key a numerator and a denominator; the roll-up sums them to
districts, townships and schools in memory (a few thousand groups), so no query runs per
unit. Apps add measures with one registration::

    from campaign.evaluation.measures import Measure, register

    def _activities(ctx):                      # one grouped query
        return {(county, township, school): (activities, programmes), ...}

    register(Measure("campaign.activities_per_programme", "每个项目的活动数", _activities,
                     scale=1, unit="次/项目"))

"As of" means the state on that date *as it was recorded by the end of it*: rows created
after the date do not count, even when their business date lies before it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.db.models import Count, Q, Sum
from django.utils import timezone

Key = tuple  # (county_id, township_id | None, school_id | None)


@dataclass(frozen=True)
class Context:
    year: int
    as_of: dt.date

    @property
    def bound(self) -> dt.datetime:
        """The first instant after the as-of date (local time): recorded before it counts."""
        return timezone.make_aware(
            dt.datetime.combine(self.as_of + dt.timedelta(days=1), dt.time.min)
        )


@dataclass(frozen=True)
class Measure:
    code: str
    label: str
    compute: Callable[[Context], dict]
    scale: int = 100  # 100: a percentage of the denominator; 1: a plain ratio
    unit: str = "%"
    description: str = ""


_MEASURES: dict[str, Measure] = {}


def register(measure: Measure) -> Measure:
    existing = _MEASURES.get(measure.code)
    if existing is not None and existing != measure:
        raise ValueError(f"measure {measure.code!r} is already registered")
    _MEASURES[measure.code] = measure
    return measure


def unregister(code: str) -> None:
    _MEASURES.pop(code, None)


def get(code: str) -> Measure:
    try:
        return _MEASURES[code]
    except KeyError:
        raise LookupError(f"no measure {code!r} is registered") from None


def is_registered(code: str) -> bool:
    return code in _MEASURES


def all_measures() -> list[Measure]:
    return sorted(_MEASURES.values(), key=lambda m: m.code)


# --- the measures over what exists today --------------------------------------------------------


def _children(ctx: Context):
    from children.models import Child

    return Child.objects.as_of(ctx.as_of).filter(created_at__lt=ctx.bound)


def _grouped(qs, num: Q | None = None, *, key=("county_id", "township_id", "school_id")):
    """One GROUP BY query: {key: (numerator, denominator)}; the numerator counts rows
    matching ``num`` (FILTER / CASE), the denominator all rows."""
    annotations = {"den": Count("pk")}
    annotations["num"] = Count("pk", filter=num) if num is not None else Count("pk")
    rows = qs.order_by().values(*key).annotate(**annotations).values_list(*key, "num", "den")
    return {tuple(r[: len(key)]): (r[-2], r[-1]) for r in rows}


def _grouped_in(qs, inner, *, key=("county_id", "township_id", "school_id")):
    """Two GROUP BY queries: {key: (rows whose pk is in ``inner``, all rows)}. The numerator
    is a semi-join (``WHERE pk IN (…)``, a hash semi-join that may spill to disk), not a
    FILTER: PostgreSQL runs an ``IN`` inside FILTER as a hashed subplan only while the inner
    set fits in work_mem, and beyond that (a million pairings) once per row, which never
    ends."""

    def counts(q):
        rows = q.order_by().values(*key).annotate(n=Count("pk")).values_list(*key, "n")
        return {tuple(r[: len(key)]): r[-1] for r in rows}

    den = counts(qs)
    num = counts(qs.filter(pk__in=inner))
    return {k: (num.get(k, 0), n) for k, n in den.items()}


def registry_completeness(ctx: Context) -> dict:
    """Children on the registry as of the date whose key fields are filled (guardian,
    relation, current address, left-behind type)."""
    complete = (
        ~Q(guardian_name="")
        & ~Q(guardian_relation="")
        & ~Q(current_address="")
        & ~Q(left_behind_type="")
    )
    return _grouped(_children(ctx), complete)


def _paired(ctx: Context, kind: str) -> dict:
    """Children on the registry with a pairing of ``kind`` active on the date."""
    from pairing.models import ChildPairing

    active = (
        ChildPairing.objects.filter(kind=kind, started_on__lte=ctx.as_of, created_at__lt=ctx.bound)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=ctx.as_of))
        .values("child_id")
    )
    return _grouped_in(_children(ctx), active)


def staff_coverage(ctx: Context) -> dict:
    from pairing.models import PairingKind

    return _paired(ctx, PairingKind.STAFF)


def volunteer_coverage(ctx: Context) -> dict:
    from pairing.models import PairingKind

    return _paired(ctx, PairingKind.VOLUNTEER)


RECENT_DAYS = 30


def visited_recently(ctx: Context) -> dict:
    """Children on the registry visited in the 30 days up to the date."""
    from pairing.models import Visit

    visited = Visit.objects.filter(
        visited_on__gt=ctx.as_of - dt.timedelta(days=RECENT_DAYS),
        visited_on__lte=ctx.as_of,
        created_at__lt=ctx.bound,
    ).values("child_id")
    return _grouped_in(_children(ctx), visited)


def hours_per_volunteer(ctx: Context) -> dict:
    """Approved 志愿汇 hours served in the year up to the date (approved by then), per
    volunteer in the place's teams (members in the team, joined by the date; a membership
    records no leaving date, so those who left are not counted). Two grouped queries."""
    from volunteers.models import Membership, ServiceRecord

    key = ("team__county_id", "team__school__township_id", "team__school_id")
    hours = {
        tuple(r[:3]): r[3] or Decimal(0)
        for r in ServiceRecord.objects.filter(
            state=ServiceRecord.State.APPROVED,
            decided_at__lt=ctx.bound,
            service_date__year=ctx.year,
            service_date__lte=ctx.as_of,
            team__county__isnull=False,
        )
        .order_by()
        .values(*key)
        .annotate(h=Sum("hours"))
        .values_list(*key, "h")
    }
    people = {
        tuple(r[:3]): r[3]
        for r in Membership.objects.filter(
            state=Membership.State.ACTIVE,
            volunteer__created_at__lt=ctx.bound,
            team__county__isnull=False,
        )
        .filter(Q(joined_on__isnull=True) | Q(joined_on__lte=ctx.as_of))
        .order_by()
        .values(*key)
        .annotate(n=Count("volunteer_id", distinct=True))
        .values_list(*key, "n")
    }
    return {k: (hours.get(k, Decimal(0)), people.get(k, 0)) for k in set(hours) | set(people)}


_REPORTS_SQL = """
SELECT u.county_id, s.township_id, u.school_id,
       COUNT(*) AS expected,
       COUNT(r.id) FILTER (WHERE r.status IN ('submitted', 'approved')
                           AND r.submitted_at < %(bound)s) AS complete,
       COUNT(r.id) FILTER (WHERE r.status IN ('submitted', 'approved')
                           AND r.submitted_at < %(bound)s AND NOT r.late) AS on_time
FROM campaign_reporttemplate t
JOIN campaign_deadline d ON d.id = t.deadline_id
JOIN campaign_stage st ON st.id = d.stage_id
JOIN campaign_campaignyear y ON y.id = st.year_id
JOIN campaign_reportingunit u
  ON ((u.kind = 'district' AND t.for_districts) OR (u.kind = 'school' AND t.for_schools)
      OR (u.kind = 'organization' AND t.for_organizations))
 AND u.joined_on < d.due_on
LEFT JOIN orgs_school s ON s.id = u.school_id
LEFT JOIN campaign_stagereport r ON r.template_id = t.id AND r.unit_id = u.id
WHERE y.year = %(year)s AND d.due_on <= %(as_of)s AND u.county_id IS NOT NULL
GROUP BY u.county_id, s.township_id, u.school_id
"""


def _reports(ctx: Context) -> list[tuple]:
    """Reports due by the date (one query: templates x expected units, left join reports).
    Complete: submitted by the end of the date; on time: and not late."""
    with connection.cursor() as cursor:
        cursor.execute(_REPORTS_SQL, {"bound": ctx.bound, "year": ctx.year, "as_of": ctx.as_of})
        return cursor.fetchall()


def report_completeness(ctx: Context) -> dict:
    return {(c, t, s): (complete, expected) for c, t, s, expected, complete, _o in _reports(ctx)}


def report_timeliness(ctx: Context) -> dict:
    return {(c, t, s): (on_time, expected) for c, t, s, expected, _c, on_time in _reports(ctx)}


BUILT_IN = (
    Measure(
        "children.registry_completeness",
        "信息库关键字段完整率",
        registry_completeness,
        description="截至当日在册儿童中，监护人、关系、现住址、留守类型均已填写的比例",
    ),
    Measure(
        "pairing.staff_coverage",
        "教职工结对覆盖率",
        staff_coverage,
        description="截至当日在册儿童中，有有效教职工结对的比例",
    ),
    Measure(
        "pairing.volunteer_coverage",
        "志愿者结对覆盖率",
        volunteer_coverage,
        description="截至当日在册儿童中，有有效志愿者结对的比例",
    ),
    Measure(
        "pairing.visited_30_days",
        "近 30 天走访率",
        visited_recently,
        description="截至当日在册儿童中，近 30 天内有走访记录的比例",
    ),
    Measure(
        "volunteers.hours_per_volunteer",
        "人均志愿汇关爱时间",
        hours_per_volunteer,
        scale=1,
        unit="小时/人",
        description="本年度截至当日已审核通过的服务时长，除以队伍在队志愿者人数",
    ),
    Measure(
        "campaign.report_completeness",
        "阶段报送完整率",
        report_completeness,
        description="截至当日应报送的阶段报送中已提交的比例",
    ),
    Measure(
        "campaign.report_timeliness",
        "阶段报送及时率",
        report_timeliness,
        description="截至当日应报送的阶段报送中按期提交的比例",
    ),
)


def register_built_in() -> None:
    for measure in BUILT_IN:
        register(measure)
