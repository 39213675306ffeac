"""Reads of the volunteers app, scoped through ``visible_to`` and aggregated in SQL.

关爱时间 (care time) is the sum of a volunteer's *approved* service hours; the star level
follows from the cumulative total (1★ 100 h, 2★ 300 h, 3★ 600 h, 4★ 1000 h, 5★ 1500 h).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Count, DecimalField, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce, TruncMonth

from .models import Membership, Programme, ServiceRecord, Team, Volunteer

STAR_THRESHOLDS = (100, 300, 600, 1000, 1500)
ZERO = Value(Decimal("0"), output_field=DecimalField(max_digits=12, decimal_places=2))


def star_level(hours) -> int:
    """0..5 stars for a cumulative number of approved hours."""
    hours = hours or 0
    return sum(1 for threshold in STAR_THRESHOLDS if hours >= threshold)


def next_star(hours) -> tuple[int, Decimal] | None:
    """The next level and the hours still needed, or None at 5★."""
    hours = Decimal(hours or 0)
    for level, threshold in enumerate(STAR_THRESHOLDS, start=1):
        if hours < threshold:
            return level, threshold - hours
    return None


def _sum_of(records) -> Subquery:
    return Coalesce(
        Subquery(
            records.order_by()
            .values("volunteer_id")
            .annotate(total=Sum("hours"))
            .values("total")[:1],
            output_field=DecimalField(max_digits=12, decimal_places=2),
        ),
        ZERO,
    )


def _volunteer_hours(outer: str = "pk", **filters) -> Coalesce:
    """Approved hours of the volunteer ``outer`` names in the outer query (``pk`` on
    volunteers, ``volunteer_id`` on memberships), optionally in one team, as a subquery."""
    records = ServiceRecord.objects.filter(
        volunteer_id=OuterRef(outer),
        state=ServiceRecord.State.APPROVED,
        **filters,
    )
    return _sum_of(records)


def _team_subquery(model_qs, aggregate, output) -> Subquery:
    return Coalesce(
        Subquery(
            model_qs.filter(team_id=OuterRef("pk"))
            .order_by()
            .values("team_id")
            .annotate(value=aggregate)
            .values("value")[:1],
            output_field=output,
        ),
        Value(0) if isinstance(output, IntegerField) else ZERO,
    )


def teams_for(user, *, q: str = ""):
    """The teams a user may see, with members, approved hours and pending records counted in
    SQL (one query for the page)."""
    teams = Team.objects.visible_to(user).select_related(
        "organization", "school", "county", "leader"
    )
    if q:
        teams = teams.filter(Q(name__icontains=q) | Q(code__icontains=q))
    return teams.annotate(
        member_count=_team_subquery(
            Membership.objects.filter(state=Membership.State.ACTIVE), Count("pk"), IntegerField()
        ),
        approved_hours=_team_subquery(
            ServiceRecord.objects.approved(),
            Sum("hours"),
            DecimalField(max_digits=12, decimal_places=2),
        ),
        pending_count=_team_subquery(
            ServiceRecord.objects.filter(state=ServiceRecord.State.PENDING),
            Count("pk"),
            IntegerField(),
        ),
    )


def team_members(team: Team, *, q: str = "", state: str = Membership.State.ACTIVE):
    members = Membership.objects.filter(team=team).select_related("volunteer")
    if state:
        members = members.filter(state=state)
    if q:
        members = members.filter(
            Q(volunteer__name__icontains=q) | Q(volunteer__zyh_account__startswith=q)
        )
    return members.annotate(
        total_hours=_volunteer_hours("volunteer_id"),
        team_hours=_volunteer_hours("volunteer_id", team_id=team.pk),
    ).order_by("role", "volunteer__name", "pk")  # 队长 (leader) before 队员 (member)


def volunteers_for(user, *, q: str = "", team: Team | None = None):
    volunteers = Volunteer.objects.visible_to(user)
    if team is not None:
        volunteers = volunteers.filter(memberships__team=team)
    if q:
        volunteers = volunteers.filter(Q(name__icontains=q) | Q(zyh_account__startswith=q))
    return volunteers.annotate(total_hours=_volunteer_hours()).order_by("name", "pk")


def month_window(today: dt.date, months: int = 12) -> list[dt.date]:
    """The first days of the last ``months`` months, oldest first, ending with today's."""
    firsts = []
    year, month = today.year, today.month
    for _ in range(months):
        firsts.append(dt.date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return firsts[::-1]


def hours_by_month(records, *, today: dt.date, months: int = 12) -> dict:
    """Approved hours per month over the last ``months`` months, ready for the chart
    (``{labels, series: [{label, data}]}``, read by static/js/charts.js)."""
    window = month_window(today, months)
    rows = (
        records.approved()
        .filter(service_date__gte=window[0], service_date__lte=today)
        .annotate(month=TruncMonth("service_date"))
        .order_by()
        .values("month")
        .annotate(total=Sum("hours"))
    )
    totals = {}
    for row in rows:
        month = row["month"]
        if isinstance(month, dt.datetime):
            month = month.date()
        totals[month] = row["total"]
    return {
        "labels": [f"{m.year}年{m.month}月" for m in window],
        "series": [
            {"label": "已通过时长（小时）", "data": [float(totals.get(m, 0)) for m in window]}
        ],
    }


def hours_by_programme(records) -> list[tuple[str, Decimal]]:
    labels = dict(Programme.choices)
    rows = records.approved().order_by().values("programme").annotate(total=Sum("hours"))
    found = {row["programme"]: row["total"] for row in rows}
    result = [(str(labels[key]), found[key]) for key in labels if key in found]
    if "" in found:
        result.append(("其他活动", found[""]))
    return result


def record_totals(records) -> dict:
    """Hours and counts by state, in one query."""
    rows = records.order_by().values("state").annotate(hours=Sum("hours"), count=Count("pk"))
    totals = {state: {"hours": Decimal(0), "count": 0} for state in ServiceRecord.State.values}
    for row in rows:
        totals[row["state"]] = {"hours": row["hours"], "count": row["count"]}
    return totals


def team_records(team: Team, *, state: str = "", month: dt.date | None = None, q: str = ""):
    records = ServiceRecord.objects.filter(team=team).select_related("volunteer", "decided_by")
    if state:
        records = records.filter(state=state)
    if month is not None:
        records = records.filter(service_date__year=month.year, service_date__month=month.month)
    if q:
        records = records.filter(
            Q(volunteer__name__icontains=q)
            | Q(volunteer__zyh_account__startswith=q)
            | Q(activity_name__icontains=q)
        )
    return records.order_by("-service_date", "-pk")


def teams_joinable(user):
    """Teams of the user's own organisation or school that a volunteer may ask to join."""
    q = Q(pk__in=[])
    if user.organization_id:
        q |= Q(organization_id=user.organization_id)
    if user.school_id:
        q |= Q(school_id=user.school_id)
    return Team.objects.filter(q, is_active=True).select_related("organization", "school")
