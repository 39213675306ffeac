"""Reads of the pairing app, always scoped through ``visible_to``; the coverage and overdue
pages are a fixed number of queries whatever the data size (grouped counts over the
pairings' and visits' own place columns, index-only on PostgreSQL)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Count, Exists, Max, OuterRef, Q, Subquery, Sum
from django.utils import timezone

from children.models import Child
from huzhou_care.accounts.models import Role, User
from huzhou_care.accounts.scoping import get_visible_or_404
from huzhou_care.orgs.models import Organization, OrgUnit, School
from volunteers.models import Volunteer

from .models import (
    ChildPairing,
    FeedbackMessage,
    FeedbackRead,
    OrgSchoolPairing,
    OrgVisit,
    PairingKind,
    PairingTally,
    Visit,
)

# What a visit needs of a child, and nothing else: never the resident ID, the parents'
# phones, the hukou address or health details (``health`` is read only to show a flag).
CARD_FIELDS = (
    "id",
    "name",
    "gender",
    "birth_date",
    "grade",
    "class_name",
    "village",
    "guardian_name",
    "guardian_relation",
    "guardian_phone",
    "health",
    "status",
    "school__name",
    "school_id",
    "county_id",
    "township_id",
)
RECENT_DAYS = 30
OVERDUE_DAYS = 30
HOLIDAY_OVERDUE_DAYS = 14
# (month, day) ranges of the winter and summer holidays; settings.PAIRING_HOLIDAYS overrides.
DEFAULT_HOLIDAYS = (((1, 20), (2, 20)), ((7, 1), (8, 31)))


def _card_queryset():
    return Child.objects.select_related("school").only(*CARD_FIELDS)


def my_children(user):
    """The children actively paired with ``user`` (both kinds), for "我的结对儿童" and the
    visit form's picker."""
    mine = ChildPairing.objects.active().filter(person_id=user.pk).values("child_id")
    return (
        Child.objects.visible_to(user)
        .filter(pk__in=mine)
        .select_related("school")
        .only(*CARD_FIELDS)
        .annotate(
            last_visit_on=Subquery(
                ChildPairing.objects.active()
                .filter(child_id=OuterRef("pk"), person_id=user.pk)
                .values("last_visit_on")[:1]
            ),
            has_open_follow_up=Exists(
                Visit.objects.open_follow_ups().filter(child_id=OuterRef("pk"))
            ),
        )
        .order_by("name", "pk")
    )


def child_card(user, pk: int) -> Child:
    return get_visible_or_404(_card_queryset(), user, pk=pk)


def child_pairings(child: Child):
    return (
        ChildPairing.objects.filter(child=child)
        .select_related("person")
        .order_by("ended_on", "kind", "-started_on")
    )


def child_visits(child: Child, limit: int = 20):
    return Visit.objects.filter(child=child).select_related("author")[:limit]


def child_open_follow_ups(child: Child):
    return Visit.objects.open_follow_ups().filter(child=child).order_by("follow_up_due", "pk")


def is_paired_with(user, child: Child) -> bool:
    return ChildPairing.objects.active().filter(child=child, person_id=user.pk).exists()


# --- pairing pages ---------------------------------------------------------------------------
def pairable_children(user, params: dict):
    """The active children in the user's scope, with whether each already has a staff and a
    volunteer pairing (two EXISTS per row of one page)."""
    qs = Child.objects.visible_to(user).active()
    if school := params.get("school"):
        qs = qs.filter(school_id=school.pk)
    if grade := params.get("grade"):
        qs = qs.filter(grade=grade)
    if class_name := params.get("class_name"):
        qs = qs.filter(class_name=class_name)
    if term := params.get("q"):
        qs = qs.filter(name__startswith=term)
    active = ChildPairing.objects.active().filter(child_id=OuterRef("pk"))
    return (
        qs.select_related("school")
        .only(*CARD_FIELDS)
        .annotate(
            has_staff=Exists(active.filter(kind=PairingKind.STAFF)),
            has_volunteer=Exists(active.filter(kind=PairingKind.VOLUNTEER)),
        )
        .order_by("school_id", "grade", "class_name", "name", "pk")
    )


def pairable_people(user, kind: str):
    """Whom ``user`` may pair with children of their scope, for ``kind``."""
    base = User.objects.filter(is_active=True)
    if kind == PairingKind.VOLUNTEER:
        base = base.filter(role=Role.VOLUNTEER)
        if user.is_city_admin:
            return base
        if user.role == Role.DISTRICT_STAFF:
            return base.filter(
                Q(school__county_id=user.district_id)
                | Q(organization__county_id=user.district_id)
                | Q(organization__level=Organization.Level.CITY)
                | Q(volunteer_profile__in=Volunteer.objects.visible_to(user))
            ).distinct()
        if user.role == Role.ORG_COORDINATOR:
            return base.filter(organization_id=user.organization_id)
        if user.role == Role.SCHOOL_STAFF:
            return base.filter(school_id=user.school_id)
        return base.none()
    base = base.filter(role__in=(Role.SCHOOL_STAFF, Role.VOLUNTEER), school__isnull=False)
    if user.is_city_admin:
        return base
    if user.role == Role.DISTRICT_STAFF:
        return base.filter(school__county_id=user.district_id)
    if user.role == Role.SCHOOL_STAFF:
        return base.filter(school_id=user.school_id)
    return base.none()


def class_preview(user, *, school, grade: int, class_name: str):
    """A class of the user's school with each child's current staff pairing (or None)."""
    children = list(
        Child.objects.visible_to(user)
        .active()
        .filter(school=school, grade=grade, class_name=class_name)
        .only(*CARD_FIELDS)
        .order_by("name", "pk")
    )
    current = {
        p.child_id: p
        for p in ChildPairing.objects.active()
        .filter(kind=PairingKind.STAFF, child__in=[c.pk for c in children])
        .select_related("person")
    }
    return [(child, current.get(child.pk)) for child in children]


def org_pairings(user, year: int | None = None):
    qs = OrgSchoolPairing.objects.visible_to(user).select_related(
        "organization", "school", "school__county"
    )
    if year:
        qs = qs.filter(year=year)
    return qs.annotate(visit_count=Count("visits")).order_by("-year", "organization__name")


def org_pairing_detail(user, pk: int) -> OrgSchoolPairing:
    return get_visible_or_404(
        OrgSchoolPairing.objects.select_related("organization", "school"), user, pk=pk
    )


def org_visits(pairing: OrgSchoolPairing):
    return OrgVisit.objects.filter(pairing=pairing).select_related("recorded_by")


# --- coverage and overdue -------------------------------------------------------------------
def holidays() -> tuple:
    return getattr(settings, "PAIRING_HOLIDAYS", None) or DEFAULT_HOLIDAYS


def in_holidays(day: dt.date) -> bool:
    md = (day.month, day.day)
    return any(tuple(start) <= md <= tuple(end) for start, end in holidays())


def overdue_days(day: dt.date) -> int:
    return HOLIDAY_OVERDUE_DAYS if in_holidays(day) else OVERDUE_DAYS


COVERAGE_LEVELS = {"county": "区县", "township": "乡镇(街道)", "school": "学校"}


def coverage_levels(user) -> list[str]:
    if user.sees_whole_city:
        return ["county", "township", "school"]
    if user.role == Role.DISTRICT_STAFF:
        return ["township", "school"]
    return ["school"]


def coverage(user, *, by: str, county=None, today: dt.date | None = None) -> dict:
    """Per ``by`` (county / township / school) of the user's scope: children registered,
    with an active staff pairing, with an active volunteer pairing, visited in the last 30
    days; ``county`` narrows a city-wide user's table to one county (township and school
    tables). Four grouped queries plus one for the names, whatever the size: the children's
    count is index-only, the pairings' comes from the per-school tallies, the visits' is an
    index range over the last 30 days."""
    today = today or timezone.localdate()
    column = f"{by}_id"
    where = {"county_id": county.pk} if county is not None else {}
    registered = dict(
        Child.objects.visible_to(user)
        .active()
        .filter(**where)
        .order_by()
        .values_list(column)
        .annotate(n=Count("*"))  # COUNT(*): index-only on child_active_place
        .values_list(column, "n")
    )
    paired: dict[tuple, int] = {}
    for key, kind, n in (
        PairingTally.objects.visible_to(user)
        .filter(**where)
        .order_by()
        .values_list(column, "kind")
        .annotate(n=Sum("active"))
        .values_list(column, "kind", "n")
    ):
        paired[(key, kind)] = n
    visited = dict(
        Visit.objects.visible_to(user)
        .filter(**where)
        .filter(visited_on__gt=today - dt.timedelta(days=RECENT_DAYS), visited_on__lte=today)
        .order_by()
        .values_list(column)
        .annotate(n=Count("child_id", distinct=True))
        .values_list(column, "n")
    )
    keys = {k for k in registered if k is not None} | {k for k, _kind in paired if k is not None}
    model = School if by == "school" else OrgUnit
    names = dict(model.objects.filter(pk__in=keys).values_list("pk", "name"))
    rows = []
    for key in sorted(keys, key=lambda k: names.get(k, "")):
        total = registered.get(key, 0)
        row = {
            "id": key,
            "name": names.get(key, "—"),
            "registered": total,
            "staff": paired.get((key, PairingKind.STAFF), 0),
            "volunteer": paired.get((key, PairingKind.VOLUNTEER), 0),
            "visited": visited.get(key, 0),
        }
        for name in ("staff", "volunteer", "visited"):
            row[f"{name}_pct"] = round(100 * row[name] / total) if total else None
        rows.append(row)
    totals = {
        name: sum(r[name] for r in rows) for name in ("registered", "staff", "volunteer", "visited")
    }
    return {
        "by": by,
        "label": COVERAGE_LEVELS[by],
        "county": county,
        "rows": rows,
        "totals": totals,
    }


def overdue(user, *, today: dt.date | None = None):
    """Active pairings whose child has had no visit (by anyone) for 30 days, 14 in the
    holidays, counted from the pairing's start when never visited. Oldest contact first: a
    range of one index (``last_contact_on``), whatever the size."""
    today = today or timezone.localdate()
    days = overdue_days(today)
    cutoff = today - dt.timedelta(days=days)
    qs = (
        ChildPairing.objects.visible_to(user)
        .active()
        .filter(last_contact_on__lt=cutoff)
        .select_related("child", "person", "school")
        .only(
            "id",
            "kind",
            "started_on",
            "last_visit_on",
            "last_contact_on",
            "child__id",
            "child__name",
            "child__grade",
            "child__class_name",
            "person__id",
            "person__full_name",
            "person__username",
            "school__name",
        )
        .order_by("last_contact_on", "id")
    )
    return qs, days


# --- feedback ---------------------------------------------------------------------------------
def feedback_threads(user):
    """The children whose thread the user may read, with the latest message time and how
    many messages from others the user has not read yet. One grouped query."""
    read_at = FeedbackRead.objects.filter(user_id=user.pk, child_id=OuterRef("child_id")).values(
        "read_at"
    )[:1]
    return (
        FeedbackMessage.objects.visible_to(user)
        .annotate(read_at=Subquery(read_at))
        .order_by()
        .values("child_id", "child__name", "school__name")
        .annotate(
            last=Max("sent_at"),
            messages=Count("pk"),
            unread=Count(
                "pk",
                filter=~Q(author_id=user.pk)
                & (Q(read_at__isnull=True) | Q(sent_at__gt=Subquery(read_at))),
            ),
        )
        .order_by("-last")
    )


def feedback_messages(child: Child):
    return FeedbackMessage.objects.filter(child=child).select_related("author")
