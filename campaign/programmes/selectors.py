"""Scoped reads of the programmes: lists, the venue counts by district, the activity roll-ups
(a fixed number of queries whatever the number of activities), the public wish wall."""

from __future__ import annotations

from django.db.models import (
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce, TruncMonth

from .models import Activity, ActivityChild, ActivityVolunteer, Venue, VenueKind, Wish


def venue_counts_by_district(user) -> list[dict]:
    """One row per district the user sees: venues by type and in total (one query)."""
    rows = (
        Venue.objects.visible_to(user)
        .filter(is_active=True)
        .values("county_id", "county__name", "kind")
        .annotate(n=Count("pk"))
        .order_by("county__name")
    )
    table: dict[int, dict] = {}
    for row in rows:
        entry = table.setdefault(
            row["county_id"], {"county": row["county__name"], "kinds": {}, "total": 0}
        )
        entry["kinds"][row["kind"]] = row["n"]
        entry["total"] += row["n"]
    kinds = [k for k in VenueKind.values if any(k in e["kinds"] for e in table.values())]
    out = []
    for entry in table.values():
        entry["cells"] = [entry["kinds"].get(k, 0) for k in kinds]
        out.append(entry)
    return out, [VenueKind(k).label for k in kinds]


def venue_list(user, *, county=None, kind=None, q=""):
    qs = Venue.objects.visible_to(user).select_related("county", "township")
    if county:
        qs = qs.filter(county_id=county)
    if kind:
        qs = qs.filter(kind=kind)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(address__icontains=q))
    return qs


def activity_list(user, *, programme=None, kind=None):
    qs = Activity.objects.visible_to(user).select_related("team", "organization", "county", "venue")
    if programme:
        qs = qs.filter(programme=programme)
    if kind:
        qs = qs.filter(kind=kind)
    return qs


ROLLUP_KEYS = {
    "programme": ("programme",),
    "kind": ("kind",),
    "district": ("county_id", "county__name"),
    "month": ("month",),
}


def activity_rollups(user, *, year: int | None = None) -> dict[str, list[dict]]:
    """Activities, named children (distinct per activity), anonymous head count, children
    served (named + anonymous), volunteer services and hours, by programme, type, district
    and month. Four queries, one per dimension: the per-activity counts are subqueries."""
    named = (
        ActivityChild.objects.filter(activity=OuterRef("pk"))
        .values("activity")
        .annotate(n=Count("pk"))
        .values("n")
    )
    served = (
        ActivityVolunteer.objects.filter(activity=OuterRef("pk"))
        .values("activity")
        .annotate(n=Count("pk"))
        .values("n")
    )
    base = Activity.objects.visible_to(user)
    if year:
        base = base.filter(starts_at__year=year)
    base = base.annotate(
        named_n=Coalesce(Subquery(named), 0),
        served_n=Coalesce(Subquery(served), 0),
        month=TruncMonth("starts_at"),
    ).annotate(
        # hours x volunteers who served, per activity
        volunteer_hours_n=ExpressionWrapper(
            F("served_n") * F("hours"), output_field=DecimalField(max_digits=12, decimal_places=1)
        )
    )
    out = {}
    for key, fields in ROLLUP_KEYS.items():
        rows = (
            base.order_by()
            .values(*fields)
            .annotate(
                activities=Count("pk"),
                named=Sum("named_n"),
                anonymous=Sum("anonymous_count"),
                volunteers=Sum("served_n"),
                volunteer_hours=Sum("volunteer_hours_n"),
            )
            .order_by(*fields)
        )
        result = []
        for row in rows:
            row["children"] = (row["named"] or 0) + (row["anonymous"] or 0)
            result.append(row)
        out[key] = result
    return out


# --- The public wish wall ---------------------------------------------------------------------


def wall_entries(*, status: str | None = None):
    """What the public wall shows: only fields safe to publish, read with ``values()`` so no
    other column of the child or the wish reaches the template. The surname's first
    character, grade, township, the wish."""
    qs = Wish.objects.on_wall()
    if status in Wish.WALL_STATES:
        qs = qs.filter(status=status)
    rows = qs.order_by("status", "-priority", "-collected_at", "-pk").values(
        "pk",
        "item",
        "estimated_value",
        "story",
        "priority",
        "status",
        "child__grade",
        "child__township__name",
        "child__name",
    )
    return rows


def wall_row(row: dict) -> dict:
    """Reduce a wall row to what is published (the name is cut to its first character here,
    before any template sees it)."""
    from children.choices import GRADE_CHOICES

    grades = dict(GRADE_CHOICES)
    name = row.pop("child__name") or ""
    return {
        "pk": row["pk"],
        "initial": f"{name[:1]}同学" if name else "小朋友",
        "grade": grades.get(row["child__grade"], ""),
        "township": row["child__township__name"] or "",
        "item": row["item"],
        "estimated_value": row["estimated_value"],
        "story": row["story"],
        "priority": row["priority"],
        "status": row["status"],
        "status_label": Wish.Status(row["status"]).label,
        "claimable": row["status"] == Wish.Status.PUBLISHED,
    }
