"""Reads of the registry, always scoped to the user through ``Child.objects.visible_to``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet
from django.utils import timezone

from huzhou_care.accounts.scoping import get_visible_or_404, place_scope
from huzhou_care.audit.services import change_history
from huzhou_care.crypto.kinds import normalise_phone

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
    flags = all_flags()
    if health := params.get("health"):
        if health == "disabled_or_ill":
            qs = qs.filter(flags["disabled"].condition | flags["ill"].condition)
        else:
            qs = qs.filter(health=health)
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


@dataclass(frozen=True)
class ChildAsOf:
    """A child's record as it stood on a past day, and whether she was on the registry then
    (by the same rule as the list "as of" that day: ``ChildQuerySet.as_of``)."""

    child: Child
    state: str  # "on_registry" | "not_yet" | "left"

    @property
    def on_registry(self) -> bool:
        return self.state == "on_registry"


def child_as_of(child: Child, day: dt.date) -> ChildAsOf:
    """The child's record as it stood at the end of ``day``: today's values with every later
    change rolled back, newest first. A "create" record ends the roll-back: what was entered
    then is the earliest known state, even when it was entered after the registration date
    (a roster imported today of a child registered in 2023). Whether she was on the registry
    is decided by the registration and leaving dates, as the list decides it."""
    # Encrypted fields stay sealed (their raw stored form): nothing is decrypted for this.
    values = {f.name: child.__dict__.get(f.attname) for f in Child._meta.concrete_fields}
    protected = {f.name: f for f in Child._meta.encrypted_fields}
    rolled_back = {}
    end = timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))
    for record in change_history(child).filter(at__gte=end).order_by("-at", "-pk"):
        if record.action == "create":
            break
        for name, (old, _new) in record.changes.items():
            if name in protected:  # the history holds the masked old value only
                rolled_back[name] = old or ""
            elif name in values:
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
    if child.registered_on > day:
        state = "not_yet"
    elif child.left_on is not None and child.left_on <= day:
        state = "left"
    else:
        state = "on_registry"
    # The registry state on that day follows the dates, whenever the leave was entered.
    if state == "on_registry":
        snapshot.status, snapshot.left_on, snapshot.leave_reason = c.ChildStatus.ACTIVE, None, ""
    elif state == "left":
        snapshot.status = c.ChildStatus.LEFT
        snapshot.left_on, snapshot.leave_reason = child.left_on, child.leave_reason
    return ChildAsOf(snapshot, state)


def transfer_requests(user):
    return (
        TransferRequest.objects.visible_to(user)
        .select_related("child", "from_school", "to_school", "requested_by", "decided_by")
        .order_by("status", "-requested_at", "-pk")
    )


def transfer_requests_decidable(user) -> QuerySet:
    """The requests whose turn is the user's: the holding stage for whoever holds the child
    (the asking school sees its request but cannot decide it), the receiving stage (a move
    into another county) for the district of the receiving school."""
    stage = TransferRequest.Stage
    return TransferRequest.objects.filter(
        Q(stage=stage.HOLDING, child__in=Child.objects.visible_to(user))
        | (
            Q(stage=stage.RECEIVING)
            & place_scope(user, county="to_school__county_id", school="to_school_id")
        )
    )


def transfer_request_to_decide(user, pk: int) -> tuple[TransferRequest, bool]:
    """A request the user may see (404 otherwise), and whether it is now theirs to decide."""
    transfer = get_visible_or_404(
        TransferRequest.objects.select_related("child", "to_school__county"), user, pk=pk
    )
    mine = transfer_requests_decidable(user).filter(pk=pk, status="pending").exists()
    return transfer, mine
