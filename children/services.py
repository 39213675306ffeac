"""Writes to the registry. Each service is atomic and records its change in the audit trail
(who, when, what, source) in the same transaction."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from huzhou_care.audit.models import ChangeRecord
from huzhou_care.audit.services import ChangeSource, changes_record, field_diff

from . import choices as c
from .identity import MAX_AGE, ResidentIdError, age_on, resident_id_parse
from .models import Child

# The fields a form, a roster or a transfer may set. Status fields change only through
# child_leave / child_restore.
EDITABLE_FIELDS = (
    "name", "gender", "ethnicity", "id_number", "birth_date", "hukou_registered", "hukou_address",
    "current_address", "county", "township", "village", "school", "schooling", "grade",
    "class_name", "boarding", "left_behind_type", "guardianship_type", "guardianship_assessment",
    "guardian_name", "guardian_relation", "guardian_phone", "father_name", "father_work_place",
    "father_phone", "mother_name", "mother_work_place", "mother_phone", "health",
    "disability_category", "study_status", "living_status", "low_income", "in_difficulty",
    "difficulty_type", "notes",
)


def child_values(child: Child, fields=EDITABLE_FIELDS) -> dict:
    """Field values as stored (FKs as ids), keyed by field name: what the history compares."""
    values = {}
    for name in fields:
        field = Child._meta.get_field(name)
        values[name] = getattr(child, field.attname)
    return values


def _place(child: Child) -> None:
    """County follows the township (default: the school's); school and township must be in
    the same county, so that district and school scopes agree."""
    if child.school_id and not child.township_id:
        child.township_id = child.school.township_id
    if not child.township_id:
        raise ValidationError({"township": "请选择乡镇(街道)。"})
    child.county_id = child.township.parent_id
    if child.school_id and child.school.county_id != child.county_id:
        raise ValidationError({"township": "乡镇(街道)与学校不在同一区县，请核对。"})


def _record(child: Child, action: str, changes: dict, source: ChangeSource, reason: str = "") -> None:
    changes_record(model=Child, entries=[(child.pk, action, changes)], source=source, reason=reason)


def identity_check(*, id_number: str, birth_date: dt.date | None, gender: str | None, today: dt.date) -> None:
    """The ID must be valid, agree with the birth date and gender given, and belong to a child
    under 16. Raises ValidationError with Chinese messages keyed by field."""
    try:
        rid = resident_id_parse(id_number)
    except ResidentIdError as exc:
        raise ValidationError({"id_number": exc.message}) from None
    errors = {}
    if birth_date and birth_date != rid.birth_date:
        errors["birth_date"] = f"出生日期与身份证号不一致（身份证号显示为 {rid.birth_date:%Y-%m-%d}）"
    if gender and gender != rid.gender:
        errors["gender"] = f"性别与身份证号不一致（身份证号第17位显示为{c.Gender(rid.gender).label}）"
    if age_on(rid.birth_date, today) >= MAX_AGE:
        errors["id_number"] = "该儿童已满十六周岁，不属于农村留守儿童登记范围"
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def child_register(*, data: dict, source: ChangeSource, today: dt.date | None = None) -> Child:
    today = today or timezone.localdate()
    identity_check(
        id_number=data["id_number"], birth_date=data.get("birth_date"), gender=data.get("gender"), today=today
    )
    if Child.objects.filter(id_number=data["id_number"]).exists():
        raise ValidationError({"id_number": "该身份证号已在信息库中登记，不能重复登记。如属转学，请联系区县团委办理转学。"})
    rid = resident_id_parse(data["id_number"])
    child = Child(**{**data, "birth_date": rid.birth_date, "gender": rid.gender})
    child.registered_on = today
    child.created_by = source.actor
    _place(child)
    child.full_clean()
    child.save()
    _record(child, ChangeRecord.Action.CREATE, {}, source)
    return child


@transaction.atomic
def child_update(*, child: Child, data: dict, source: ChangeSource) -> dict:
    """Apply ``data`` (field name -> value) and record what really changed. Returns the diff."""
    locked = Child.objects.select_for_update().get(pk=child.pk)
    before = child_values(locked)
    for name, value in data.items():
        if name not in EDITABLE_FIELDS:
            raise ValueError(f"{name} is not editable here")
        setattr(locked, name, value)
    _place(locked)
    if "id_number" in data or "birth_date" in data or "gender" in data:
        identity_check(
            id_number=locked.id_number, birth_date=locked.birth_date, gender=locked.gender,
            today=locked.registered_on,
        )
    changes = field_diff(before, child_values(locked))
    if changes:
        locked.full_clean()
        locked.save()
        _record(locked, ChangeRecord.Action.UPDATE, changes, source)
    return changes


@transaction.atomic
def child_leave(*, child: Child, on: dt.date, reason: str, note: str, source: ChangeSource) -> None:
    """Take a child off the registry with a dated reason. Nothing is deleted."""
    locked = Child.objects.select_for_update().get(pk=child.pk)
    if locked.status == c.ChildStatus.LEFT:
        raise ValidationError("该儿童已退出信息库。")
    if on < locked.registered_on:
        raise ValidationError({"on": "退出日期不能早于登记日期。"})
    changes = field_diff(
        child_values(locked, ("status", "left_on", "leave_reason")),
        {"status": c.ChildStatus.LEFT, "left_on": on, "leave_reason": reason},
    )
    locked.status, locked.left_on, locked.leave_reason = c.ChildStatus.LEFT, on, reason
    locked.save(update_fields=["status", "left_on", "leave_reason", "updated_at"])
    _record(locked, ChangeRecord.Action.LEAVE, changes, source, reason=note or c.LeaveReason(reason).label)


@transaction.atomic
def child_restore(*, child: Child, note: str, source: ChangeSource) -> None:
    """Undo a leave entered by mistake; the leave stays in the history."""
    locked = Child.objects.select_for_update().get(pk=child.pk)
    if locked.status != c.ChildStatus.LEFT:
        raise ValidationError("该儿童在册，无需恢复。")
    changes = field_diff(
        child_values(locked, ("status", "left_on", "leave_reason")),
        {"status": c.ChildStatus.ACTIVE, "left_on": None, "leave_reason": ""},
    )
    locked.status, locked.left_on, locked.leave_reason = c.ChildStatus.ACTIVE, None, ""
    locked.save(update_fields=["status", "left_on", "leave_reason", "updated_at"])
    _record(locked, ChangeRecord.Action.RESTORE, changes, source, reason=note)


@transaction.atomic
def child_transfer(*, child: Child, to_school, grade: int | None, class_name: str, note: str, actor) -> dict:
    """Move a child to another school (and its township and county). The old school stays in
    the history."""
    locked = Child.objects.select_for_update().get(pk=child.pk)
    if locked.school_id == to_school.pk:
        raise ValidationError({"to_school": "转入学校与当前学校相同。"})
    before = child_values(locked)
    locked.school, locked.township_id, locked.county_id = to_school, to_school.township_id, to_school.county_id
    if grade is not None:
        locked.grade = grade
    locked.class_name = class_name
    changes = field_diff(before, child_values(locked))
    locked.save()
    _record(locked, ChangeRecord.Action.TRANSFER, changes, ChangeSource(actor, ChangeRecord.Source.TRANSFER), reason=note)
    return changes
