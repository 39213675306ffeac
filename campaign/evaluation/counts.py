"""The dashboards' pre-aggregated figures (issue 12: the cold dashboard under 300 ms at
1,000,000 children): the counts that scan children, pairings, visits and service hours are
taken here, once, into a small table (``DashboardRefresh`` + ``DashboardFigure``: a few
hundred rows per (county, township)), and a dashboard adds those rows up.

When they are taken:

- by beat every ``DASHBOARD_REFRESH_MINUTES`` (10; settings.CELERY_BEAT_SCHEDULE);
- by the roll-up task (on demand and nightly in December), after the snapshot;
- on demand: city_admin's "立即刷新" on the dashboard (a task);
- when a dashboard finds them older than ``MAX_AGE`` (or of an earlier day): a task is queued
  (at most one per ``MAX_AGE``) and the page shows the figures it has, saying when they were
  taken ("数据截至 …");
- when there are none at all (a fresh install, ``make run``): at once, in the request, so the
  first page already shows real figures.

Child figures are keyed by the child's current place (registered children; the paired and
visited ones among them, so a rate never exceeds 100 %); the overdue pairings and follow-ups
by their own place, as the overdue lists count them; hours by the team's county and its
school's township."""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from .models import DashboardFigure, DashboardRefresh

log = logging.getLogger(__name__)

MAX_AGE = dt.timedelta(minutes=10)
HOURS_WAITING_DAYS = 7
LOCK_KEY = "evaluation-dashboard-counts-refresh-queued"

M = DashboardFigure.Metric


def month_start(day: dt.date, back: int) -> dt.date:
    y, m = day.year, day.month - back
    while m <= 0:
        y, m = y - 1, m + 12
    return dt.date(y, m, 1)


def compute(day: dt.date) -> list[tuple]:
    """(metric, county_id, township_id, month, value) for ``day``: eight grouped queries,
    whatever the size."""
    from children.choices import ChildStatus
    from children.models import Child
    from pairing.models import ChildPairing, Visit
    from pairing.selectors import RECENT_DAYS, overdue_days
    from volunteers.models import ServiceRecord

    out: list[tuple] = []

    def grouped(metric, qs, county, township, agg=None):
        for c, t, n in (
            qs.order_by()
            .values_list(county, township)
            .annotate(n=agg or Count("*"))
            .values_list(county, township, "n")
        ):
            out.append((metric, c, t, None, n))

    children = Child.objects.active()
    place = ("county_id", "township_id")
    grouped(M.CHILDREN, children, *place)
    # A child has at most one active pairing of each kind: pairings of active children,
    # counted at the child's place, are the paired children.
    for c, t, kind, n in (
        ChildPairing.objects.active()
        .filter(child__status=ChildStatus.ACTIVE)
        .order_by()
        .values_list("child__county_id", "child__township_id", "kind")
        .annotate(n=Count("*"))
        .values_list("child__county_id", "child__township_id", "kind", "n")
    ):
        out.append((M.STAFF if kind == "staff" else M.VOLUNTEER, c, t, None, n))
    recent = Visit.objects.filter(
        visited_on__gt=day - dt.timedelta(days=RECENT_DAYS), visited_on__lte=day
    )
    grouped(M.VISITED_30, children.filter(pk__in=recent.values("child_id")), *place)
    this_month = Visit.objects.filter(visited_on__gte=day.replace(day=1), visited_on__lte=day)
    grouped(M.VISITED_MONTH, children.filter(pk__in=this_month.values("child_id")), *place)
    cutoff = day - dt.timedelta(days=overdue_days(day))
    grouped(
        M.PAIRINGS_OVERDUE,
        ChildPairing.objects.active().filter(last_contact_on__lt=cutoff),
        *place,
    )
    grouped(
        M.FOLLOW_UPS_OVERDUE,
        Visit.objects.filter(
            follow_up_needed=True, follow_up_closed_at__isnull=True, follow_up_due__lt=day
        ),
        *place,
    )
    team_place = ("team__county_id", "team__school__township_id")
    for c, t, month, h in (
        ServiceRecord.objects.filter(
            state=ServiceRecord.State.APPROVED,
            service_date__gte=month_start(day, 11),
            service_date__lte=day,
        )
        .annotate(month=TruncMonth("service_date"))
        .order_by()
        .values_list(*team_place, "month")
        .annotate(h=Sum("hours"))
        .values_list(*team_place, "month", "h")
    ):
        m = month.date() if isinstance(month, dt.datetime) else month
        out.append((M.HOURS, c, t, m, h or Decimal(0)))
    waiting_since = timezone.make_aware(
        dt.datetime.combine(day - dt.timedelta(days=HOURS_WAITING_DAYS), dt.time.min)
    )
    grouped(
        M.HOURS_WAITING,
        ServiceRecord.objects.filter(
            state=ServiceRecord.State.PENDING, created_at__lt=waiting_since
        ),
        *team_place,
    )
    return out


def refresh(day: dt.date | None = None) -> DashboardRefresh:
    """Take the figures now and keep them as the latest (older refreshes go). Reads only
    until the insert, which is one transaction: a page sees the old set or the new one."""
    day = day or timezone.localdate()
    computed_at = timezone.now()
    started = time.perf_counter()
    rows = compute(day)
    with transaction.atomic():
        fresh = DashboardRefresh.objects.create(
            day=day, computed_at=computed_at, seconds=time.perf_counter() - started
        )
        DashboardFigure.objects.bulk_create(
            [
                DashboardFigure(
                    refresh=fresh, metric=m, county_id=c, township_id=t, month=mo, value=v
                )
                for m, c, t, mo, v in rows
            ],
            batch_size=1000,
        )
        DashboardRefresh.objects.filter(pk__lt=fresh.pk).delete()
        transaction.on_commit(_forget_boards)
    log.info("dashboard counts refreshed: %s rows in %.2fs", len(rows), fresh.seconds)
    return fresh


def _forget_boards() -> None:
    """The cached dashboards (5 minutes) would hide the new figures: drop them."""
    from django.core.cache import cache

    from huzhou_care.orgs.models import OrgUnit

    from .dashboards import cache_key

    today = timezone.localdate()
    counties = OrgUnit.objects.filter(level=OrgUnit.Level.COUNTY)
    cache.delete_many([cache_key(d, today) for d in [None, *counties]])


def latest() -> DashboardRefresh | None:
    return DashboardRefresh.objects.order_by("-pk").first()


def is_stale(fresh: DashboardRefresh, today: dt.date) -> bool:
    return fresh.day != today or timezone.now() - fresh.computed_at > MAX_AGE


def queue_refresh(*, force: bool = False) -> bool:
    """Queue the refresh task unless one was queued within ``MAX_AGE`` (``force``: city_admin
    asked for it, queue it anyway); True if queued."""
    from django.core.cache import cache

    from .tasks import dashboard_counts_refresh

    seconds = int(MAX_AGE.total_seconds())
    if force:
        cache.set(LOCK_KEY, 1, seconds)
    elif not cache.add(LOCK_KEY, 1, seconds):
        return False
    transaction.on_commit(dashboard_counts_refresh.delay)
    return True


def current(today: dt.date, *, district=None) -> Figures:
    """The figures a dashboard reads (2 queries): the latest refresh, taken at once when
    there is none yet; when it is stale a refresh is queued (after the figures are read: an
    in-process task replaces them)."""
    fresh = latest()
    if fresh is None:
        fresh = refresh(today)
    figures = Figures(fresh, district=district)
    figures.stale = is_stale(fresh, today)
    if figures.stale:
        queue_refresh()
    return figures


class Figures:
    """The figures of one refresh for a scope (1 query): the city by county, a district (its
    county only) by township. ``get(metric)`` -> {key: value}; ``hours`` -> {(key, month): h}."""

    def __init__(self, fresh: DashboardRefresh, *, district=None):
        self.refresh = fresh
        self.stale = False
        qs = DashboardFigure.objects.filter(refresh=fresh)
        if district is not None:
            qs = qs.filter(county_id=district.pk)
        key = "county_id" if district is None else "township_id"
        self._by: dict = defaultdict(lambda: defaultdict(Decimal))
        self.hours: dict = defaultdict(float)
        for metric, k, month, value in qs.values_list("metric", key, "month", "value"):
            if metric == M.HOURS:
                self.hours[(k, month)] += float(value)
            else:
                self._by[metric][k] += value

    def get(self, metric) -> dict:
        return {k: int(v) for k, v in self._by[metric].items()}

    def total(self, metric) -> int:
        return int(sum(self._by[metric].values()))
