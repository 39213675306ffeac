"""Reads of the registry, always scoped to the user through ``Child.objects.visible_to``."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils import timezone

from huzhou_care.accounts.scoping import get_visible_or_404
from huzhou_care.audit.services import change_history
from huzhou_care.crypto.kinds import normalise_phone

from . import choices as c
from .models import Child, TransferRequest
from .risk import EARLY_WARNING, RISK_FLAGS

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
    "id_number_masked",
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
        # A full ID number or phone is matched through its blind index (the stored values
        # are encrypted); spaces, full-width digits and a lower-case x do not matter.
        digits = normalise_phone(term)
        if term[:6].isdigit() and len(term) >= 15:
            qs = qs.filter(id_number=term)
        elif len(digits) >= 7 and term.lstrip("+").replace(" ", "").replace("-", "").isdigit():
            qs = qs.filter(
                Q(guardian_phone=digits) | Q(father_phone=digits) | Q(mother_phone=digits)
            )
        else:
            qs = qs.filter(name__startswith=term)
    for key in ("county", "township", "school"):
        if value := params.get(key):
            qs = qs.filter(**{f"{key}_id": value.pk})
    for key in ("grade", "left_behind_type", "guardianship_type", "guardianship_assessment"):
        if value := params.get(key):
            qs = qs.filter(**{key: value})
    for flag in params.get("flags") or ():
        qs = qs.filter(RISK_FLAGS[flag].condition)
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


def risk_list(user, flags=EARLY_WARNING) -> QuerySet[Child]:
    condition = Q()
    for flag in flags:
        condition |= RISK_FLAGS[flag].condition
    return (
        child_queryset(user)
        .filter(condition)
        .select_related("county", "township", "school")
        .only(*LIST_FIELDS)
        .order_by("county_id", "school_id", "grade", "name", "id")
    )


def child_flags(child: Child) -> list[str]:
    return [flag.label for flag in RISK_FLAGS.values() if flag.applies(child)]


def child_detail(user, pk: int) -> Child:
    return get_visible_or_404(
        Child.objects.select_related("county", "township", "school", "created_by"), user, pk=pk
    )


def child_timeline(child: Child):
    return change_history(child).order_by("-at", "-pk")


def child_as_of(child: Child, day: dt.date) -> Child | None:
    """The child's record as it stood at the end of ``day``: today's values with every later
    change rolled back, newest first. None if the child was registered after that day."""
    # Encrypted fields stay sealed (their raw stored form): nothing is decrypted for this.
    values = {f.name: child.__dict__.get(f.attname) for f in Child._meta.concrete_fields}
    protected = {f.name: f for f in Child._meta.encrypted_fields}
    rolled_back = {}
    end = timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))
    for record in change_history(child).filter(at__gte=end).order_by("-at", "-pk"):
        if record.action == "create":
            return None
        for name, (old, _new) in record.changes.items():
            if name in protected:  # the history holds the masked old value only
                rolled_back[name] = old or ""
            else:
                values[name] = old
    snapshot = Child(
        **{
            f.attname: values[f.name] if f.name in protected else f.to_python(values[f.name])
            for f in Child._meta.concrete_fields
            if f.name in values
        }
    )
    for name, masked in rolled_back.items():
        field = protected[name]
        snapshot.__dict__[field.attname] = ""
        if field.masked:
            snapshot.__dict__[field.masked] = masked
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
