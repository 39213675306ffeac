"""Writes of the pairing app. Each service is atomic and records its change in the audit trail
(``audit.ChangeRecord``); the database decides every race (constraints, conditional updates)
and the loser gets a ``ValidationError`` with a Chinese message, never an IntegrityError."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from children.models import Child
from huzhou_care.accounts.models import Role
from huzhou_care.audit.models import ChangeRecord
from huzhou_care.audit.services import ChangeSource, changes_record
from volunteers.models import Membership, Programme, ServiceRecord, Volunteer

from .models import (
    ChildPairing,
    FeedbackMessage,
    FeedbackRead,
    OrgSchoolPairing,
    OrgVisit,
    PairingKind,
    PairingTally,
    Visit,
    VisitKind,
)


def _audit(model, obj_id, action, changes, actor, reason=""):
    changes_record(
        model=model,
        entries=[(obj_id, action, changes)],
        source=ChangeSource(actor),
        reason=reason,
    )


def _place(child: Child) -> dict:
    return {
        "county_id": child.county_id,
        "township_id": child.township_id,
        "school_id": child.school_id,
    }


# --- organisation <-> school ----------------------------------------------------------------
@transaction.atomic
def org_pairing_create(*, organization, school, year: int, note: str = "", actor):
    pairing = OrgSchoolPairing(
        organization=organization, school=school, year=year, note=note, created_by=actor
    )
    pairing.full_clean(exclude=["organization"], validate_constraints=False)
    try:
        with transaction.atomic():
            pairing.save()
    except IntegrityError:
        raise ValidationError(
            f"{organization} 在 {year} 年度已有结对学校，每个单位每年度只结对一所学校。"
        ) from None
    _audit(
        OrgSchoolPairing,
        pairing.pk,
        ChangeRecord.Action.CREATE,
        {
            "organization": [None, organization.pk],
            "school": [None, school.pk],
            "year": [None, year],
        },
        actor,
    )
    return pairing


@transaction.atomic
def org_visit_record(*, pairing, visited_on, participants: str, activities: str, actor):
    if visited_on > timezone.localdate():
        raise ValidationError({"visited_on": "走访日期不能晚于今天。"})
    visit = OrgVisit.objects.create(
        pairing=pairing,
        visited_on=visited_on,
        participants=participants,
        activities=activities,
        recorded_by=actor,
    )
    _audit(
        OrgVisit,
        visit.pk,
        ChangeRecord.Action.CREATE,
        {"visited_on": [None, str(visited_on)]},
        actor,
    )
    return visit


def _tally(pairings, delta: int) -> None:
    """Add ``delta`` to the active count of each pairing's (place, kind), in the caller's
    transaction. The first pairing of a school creates its row; a concurrent first one
    loses the insert race and adds to the winner's row."""
    counts = Counter((p.county_id, p.township_id, p.school_id, p.kind) for p in pairings)
    for (county_id, township_id, school_id, kind), n in sorted(
        counts.items(), key=lambda item: (item[0][2] or 0, item[0][1], item[0][3])
    ):
        key = {"school_id": school_id, "kind": kind}
        if school_id is None:
            key = {"school_id": None, "township_id": township_id, "kind": kind}
        if PairingTally.objects.filter(**key).update(active=F("active") + n * delta):
            continue
        try:
            with transaction.atomic():
                PairingTally.objects.create(
                    county_id=county_id,
                    township_id=township_id,
                    school_id=school_id,
                    kind=kind,
                    active=max(n * delta, 0),
                )
        except IntegrityError:
            PairingTally.objects.filter(**key).update(active=F("active") + n * delta)


# --- person <-> child -----------------------------------------------------------------------
def person_may_pair(person, kind: str, child: Child) -> str | None:
    """Why ``person`` cannot take a pairing of ``kind`` with ``child`` (None if they can)."""
    if not person.is_active:
        return "该账号已停用。"
    if kind == PairingKind.VOLUNTEER:
        if person.role != Role.VOLUNTEER:
            return "志愿者结对只能选择志愿者账号。"
        return None
    if person.role not in (Role.SCHOOL_STAFF, Role.VOLUNTEER) or person.school_id is None:
        return "教职工结对只能选择学校的教师账号。"
    if person.school_id != child.school_id:
        return "结对教师须是儿童所在学校的教职工。"
    return None


@dataclass
class PairingOutcome:
    created: list = field(default_factory=list)
    # (child, Chinese reason) for each child not paired
    skipped: list = field(default_factory=list)


def _taken_message(child: Child, kind: str) -> str:
    label = PairingKind(kind).label
    return f"{child.name} 已有在结对的{label}，请先结束原结对。"


def pairing_create(*, child: Child, person, kind: str, started_on: dt.date, actor) -> ChildPairing:
    """Pair one child. Raises ValidationError if the person may not, or if the child already
    has an active pairing of this kind (also when another request won the race)."""
    outcome = pairings_create(
        children=[child], person=person, kind=kind, started_on=started_on, actor=actor
    )
    if outcome.skipped:
        raise ValidationError(outcome.skipped[0][1])
    return outcome.created[0]


@transaction.atomic
def pairings_create(*, children, person, kind: str, started_on: dt.date, actor) -> PairingOutcome:
    """Pair ``person`` with each of ``children`` (一对一 / 一对多). A child that already has an
    active pairing of this kind is skipped with its reason; the partial unique index decides
    when two requests race, so the loser's child is reported as skipped, not a 500."""
    if started_on > timezone.localdate():
        raise ValidationError({"started_on": "开始日期不能晚于今天。"})
    outcome = PairingOutcome()
    for child in children:
        reason = person_may_pair(person, kind, child)
        if reason is None and not child.is_active:
            reason = f"{child.name} 已退出信息库。"
        if reason:
            outcome.skipped.append((child, reason))
            continue
        pairing = ChildPairing(
            child=child,
            kind=kind,
            person=person,
            started_on=started_on,
            last_contact_on=started_on,
            created_by=actor,
            **_place(child),
        )
        try:
            with transaction.atomic():
                pairing.save()
        except IntegrityError:
            outcome.skipped.append((child, _taken_message(child, kind)))
            continue
        outcome.created.append(pairing)
    _tally(outcome.created, +1)
    changes_record(
        model=ChildPairing,
        entries=[
            (
                p.pk,
                ChangeRecord.Action.CREATE,
                {"child": [None, p.child_id], "person": [None, p.person_id], "kind": [None, kind]},
            )
            for p in outcome.created
        ],
        source=ChangeSource(actor),
    )
    return outcome


@transaction.atomic
def pairing_end(*, pairing: ChildPairing, ended_on: dt.date, reason: str, actor) -> None:
    if not reason.strip():
        raise ValidationError({"reason": "请填写结束原因。"})
    if ended_on < pairing.started_on or ended_on > timezone.localdate():
        raise ValidationError({"ended_on": "结束日期须在开始日期与今天之间。"})
    done = ChildPairing.objects.filter(pk=pairing.pk, ended_on__isnull=True).update(
        ended_on=ended_on, end_reason=reason.strip()
    )
    if done != 1:
        raise ValidationError("该结对已经结束。")
    _tally([pairing], -1)
    _audit(
        ChildPairing,
        pairing.pk,
        ChangeRecord.Action.UPDATE,
        {"ended_on": [None, ended_on.isoformat()]},
        actor,
        reason,
    )


# --- visits -----------------------------------------------------------------------------------
VISIT_FIELDS = (
    "kind",
    "visited_on",
    "duration_minutes",
    "concerns",
    "notes",
    "follow_up_needed",
    "follow_up_due",
    "follow_up_urgent",
    "follow_up_note",
)


def _service_hours(minutes: int) -> Decimal:
    hours = (Decimal(minutes) / Decimal(60)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return min(max(hours, Decimal("0.01")), Decimal(24))


def _volunteer_record(visit: Visit, author) -> ServiceRecord | None:
    """A 待审核 service-hour record for a volunteer's visit, on the team of their earliest
    active membership (none when the account has no volunteer profile or team)."""
    volunteer = Volunteer.objects.filter(user_id=author.pk).first()
    if volunteer is None:
        return None
    membership = (
        Membership.objects.filter(volunteer=volunteer, state=Membership.State.ACTIVE)
        .order_by("joined_on", "pk")
        .first()
    )
    if membership is None:
        return None
    record = ServiceRecord.objects.create(
        volunteer=volunteer,
        team_id=membership.team_id,
        service_date=visit.visited_on,
        hours=_service_hours(visit.duration_minutes),
        activity_name=f"结对走访（记录 {visit.pk}）",
        programme=Programme.HOLIDAYS if visit.kind == VisitKind.HOLIDAY else Programme.HAND_IN_HAND,
        source=ServiceRecord.Source.VISIT,
        state=ServiceRecord.State.PENDING,
    )
    return record


@dataclass(frozen=True)
class VisitResult:
    visit: Visit
    created: bool


def visit_record(*, child: Child, author, data: dict, idempotency_key: uuid.UUID) -> VisitResult:
    """Record a visit once per ``idempotency_key``: a second send of the same key (a phone
    retrying after a lost answer, two tabs) returns the first visit and creates nothing."""
    existing = Visit.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        return _same_sender(existing, author)
    try:
        return _visit_create(child=child, author=author, data=data, key=idempotency_key)
    except IntegrityError:
        # Another request with this key committed between our read and our insert.
        existing = Visit.objects.filter(idempotency_key=idempotency_key).first()
        if existing is None:
            raise
        return _same_sender(existing, author)


def _same_sender(visit: Visit, author) -> VisitResult:
    if visit.author_id != author.pk:
        raise ValidationError("提交编号冲突，请刷新页面后重新填写。")
    return VisitResult(visit, created=False)


@transaction.atomic
def _visit_create(*, child: Child, author, data: dict, key) -> VisitResult:
    values = {name: data.get(name) for name in VISIT_FIELDS if name in data}
    if values["visited_on"] > timezone.localdate():
        raise ValidationError({"visited_on": "走访日期不能晚于今天。"})
    if values.get("follow_up_needed") and not values.get("follow_up_due"):
        raise ValidationError({"follow_up_due": "需要跟进时请填写跟进期限。"})
    if not values.get("follow_up_needed"):
        values.update(follow_up_due=None, follow_up_urgent=False, follow_up_note="")
    pairing = (
        ChildPairing.objects.active()
        .filter(child=child, person_id=author.pk)
        .order_by("kind")
        .first()
    )
    visit = Visit(
        idempotency_key=key,
        child=child,
        pairing=pairing,
        author=author,
        **_place(child),
        **values,
    )
    visit.full_clean(exclude=["child", "author", "pairing", "county", "township", "school"])
    with transaction.atomic():
        visit.save()
    if pairing is not None and pairing.kind == PairingKind.VOLUNTEER:
        visit.service_record = _volunteer_record(visit, author)
        if visit.service_record is not None:
            visit.save(update_fields=["service_record"])
    # The child's latest visit, on each of its active pairings (the overdue list).
    ChildPairing.objects.active().filter(child=child).filter(
        Q(last_visit_on__isnull=True) | Q(last_visit_on__lt=visit.visited_on)
    ).update(last_visit_on=visit.visited_on)
    ChildPairing.objects.active().filter(child=child, last_contact_on__lt=visit.visited_on).update(
        last_contact_on=visit.visited_on
    )
    _audit(
        Visit,
        visit.pk,
        ChangeRecord.Action.CREATE,
        {
            "child": [None, child.pk],
            "kind": [None, visit.kind],
            "visited_on": [None, str(visit.visited_on)],
        },
        author,
    )
    return VisitResult(visit, created=True)


@transaction.atomic
def follow_up_close(*, visit: Visit, actor) -> None:
    now = timezone.now()
    done = Visit.objects.filter(
        pk=visit.pk, follow_up_needed=True, follow_up_closed_at__isnull=True
    ).update(follow_up_closed_at=now, follow_up_closed_by=actor)
    if done != 1:
        raise ValidationError("该跟进事项已经完成或无需跟进。")
    _audit(
        Visit,
        visit.pk,
        ChangeRecord.Action.UPDATE,
        {"follow_up_closed_at": [None, now.isoformat()]},
        actor,
    )


# --- feedback ---------------------------------------------------------------------------------
@transaction.atomic
def feedback_post(*, child: Child, author, body: str) -> FeedbackMessage:
    body = body.strip()
    if not body:
        raise ValidationError({"body": "请填写反馈内容。"})
    message = FeedbackMessage.objects.create(child=child, author=author, body=body, **_place(child))
    feedback_mark_read(child=child, user=author, at=message.sent_at)
    _audit(
        FeedbackMessage, message.pk, ChangeRecord.Action.CREATE, {"child": [None, child.pk]}, author
    )
    return message


def feedback_mark_read(*, child: Child, user, at=None) -> None:
    FeedbackRead.objects.update_or_create(
        user=user, child=child, defaults={"read_at": at or timezone.now()}
    )
