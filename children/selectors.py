"""Reads of the registry, always scoped to the user through ``Child.objects.visible_to``."""

from __future__ import annotations

import datetime as dt

from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet
from django.utils import timezone

from huzhou_care.accounts.scoping import get_visible_or_404
from huzhou_care.audit.services import change_history

from . import choices as c
from .models import Child, TransferRequest
from .risk import all_flags, contributed_flags, early_warning

SORTS = {
    "recent": ("-id",),
    "name": ("name", "id"),
    "grade": ("school_id", "grade", "class_name", "name", "id"),
    "birth": ("birth_date", "id"),
}

LIST_FIELDS = (
    "id",
    "name",
    "gender",
    "id_number",
    "birth_date",
    "grade",
    "class_name",
    "status",
    "left_behind_type",
    "guardianship_type",
    "guardianship_assessment",
    "health",
    "low_income",
    "in_difficulty",
    "county__name",
    "township__name",
    "school__name",
)


def child_queryset(user, *, status: str | None = c.ChildStatus.ACTIVE) -> QuerySet[Child]:
    qs = Child.objects.visible_to(user)
    if status:
        qs = qs.filter(status=status)
    return qs


def child_filter(qs: QuerySet[Child], params: dict) -> QuerySet[Child]:
    """Apply cleaned filter values (see ``ChildFilterForm``)."""
    if term := (params.get("q") or "").strip():
        if term[:6].isdigit() and len(term) >= 15:
            qs = qs.filter(id_number=term.upper())
        else:
            qs = qs.filter(name__startswith=term)
    for key in ("county", "township", "school"):
        if value := params.get(key):
            qs = qs.filter(**{f"{key}_id": value.pk})
    for key in ("grade", "left_behind_type", "guardianship_type", "guardianship_assessment"):
        if value := params.get(key):
            qs = qs.filter(**{key: value})
    flags = all_flags()
    for flag in params.get("flags") or ():
        qs = qs.filter(flags[flag].condition)
    return qs.order_by(*SORTS.get(params.get("sort") or "recent", SORTS["recent"]))


def child_list(user, params: dict) -> QuerySet[Child]:
    """The filtered list. With ``as_of``, the children on the registry on that date (whatever
    their status today) instead of a status filter."""
    status = params.get("status") or c.ChildStatus.ACTIVE
    if as_of := params.get("as_of"):
        qs = child_queryset(user, status=None).as_of(as_of)
    else:
        qs = child_queryset(user, status=None if status == "all" else status)
    return (
        child_filter(qs, params).select_related("county", "township", "school").only(*LIST_FIELDS)
    )


def risk_list(user, flags=None) -> QuerySet[Child]:
    """The early-warning list: children with any early-warning flag (an urgent follow-up
    among them). Each row carries ``flag_<key>`` for the flags other apps contribute, so that
    the page can show them ("未结对") without a query per row."""
    known = all_flags()
    condition = Q()
    for flag in early_warning() if flags is None else flags:
        condition |= known[flag].condition
    extra = {
        f"flag_{key}": ExpressionWrapper(flag.condition, output_field=BooleanField())
        for key, flag in contributed_flags().items()
    }
    return (
        child_queryset(user)
        .filter(condition)
        .annotate(**extra)
        .select_related("county", "township", "school")
        .only(*LIST_FIELDS)
        .order_by("county_id", "school_id", "grade", "name", "id")
    )


def child_flags(child: Child) -> list[str]:
    return [flag.label for flag in all_flags().values() if flag.applies(child)]


def contributed_labels(child: Child) -> list[str]:
    """The contributed flags of a row of ``risk_list`` (read from its annotations)."""
    return [
        flag.label
        for key, flag in contributed_flags().items()
        if getattr(child, f"flag_{key}", False)
    ]


def child_detail(user, pk: int) -> Child:
    return get_visible_or_404(
        Child.objects.select_related("county", "township", "school", "created_by"), user, pk=pk
    )


def child_timeline(child: Child):
    return change_history(child).order_by("-at", "-pk")


def child_as_of(child: Child, day: dt.date) -> Child | None:
    """The child's record as it stood at the end of ``day``: today's values with every later
    change rolled back, newest first. None if the child was registered after that day."""
    values = {f.name: getattr(child, f.attname) for f in Child._meta.concrete_fields}
    end = timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))
    for record in change_history(child).filter(at__gte=end).order_by("-at", "-pk"):
        if record.action == "create":
            return None
        for name, (old, _new) in record.changes.items():
            values[name] = old
    snapshot = Child(
        **{
            f.attname: f.to_python(values[f.name])
            for f in Child._meta.concrete_fields
            if f.name in values
        }
    )
    snapshot._state.adding = False
    return snapshot


def transfer_requests(user):
    return (
        TransferRequest.objects.visible_to(user)
        .select_related("child", "from_school", "to_school", "requested_by", "decided_by")
        .order_by("status", "-requested_at", "-pk")
    )


def transfer_request_to_decide(user, pk: int) -> TransferRequest:
    """A request the user may decide: the child must be in the user's own scope (the
    receiving school sees its request but cannot decide it)."""
    qs = TransferRequest.objects.filter(child__in=Child.objects.visible_to(user)).select_related(
        "child", "to_school"
    )
    return get_visible_or_404(qs, user, pk=pk)
