"""Writes to the registry. Each service is atomic and records its change in the audit trail
(who, when, what, source) in the same transaction."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, InterfaceError, OperationalError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from huzhou_care.accounts.models import Role, User
from huzhou_care.audit.models import ChangeRecord
from huzhou_care.audit.services import ChangeSource, changes_record, field_diff
from huzhou_care.orgs.models import School
from huzhou_care.text import clean_name, clean_text

from . import choices as c
from .identity import MAX_AGE, ResidentIdError, age_on, resident_id_parse
from .models import Child, RosterRow, RosterUpload, TransferRequest
from .roster.parse import parse_roster
from .roster.plan import roster_apply, roster_plan
from .roster.reader import MAX_UPLOAD_BYTES, MSG_TOO_LARGE, RosterFileError, sniff_format

# The fields a form, a roster or a transfer may set. Status fields change only through
# child_leave / child_restore.
EDITABLE_FIELDS = (
    "name",
    "gender",
    "ethnicity",
    "id_number",
    "birth_date",
    "hukou_registered",
    "hukou_address",
    "current_address",
    "county",
    "township",
    "village",
    "school",
    "schooling",
    "grade",
    "class_name",
    "boarding",
    "left_behind_type",
    "guardianship_type",
    "guardianship_assessment",
    "guardian_name",
    "guardian_relation",
    "guardian_phone",
    "father_name",
    "father_work_place",
    "father_phone",
    "mother_name",
    "mother_work_place",
    "mother_phone",
    "health",
    "disability_category",
    "study_status",
    "living_status",
    "low_income",
    "in_difficulty",
    "difficulty_type",
    "notes",
)


def child_values(child: Child, fields=EDITABLE_FIELDS) -> dict:
    """Field values as stored (FKs as ids), keyed by field name: what the history compares."""
    values = {}
    for name in fields:
        field = Child._meta.get_field(name)
        values[name] = getattr(child, field.attname)
    return values


def _place(child: Child, *, check_home: bool = True) -> None:
    """The county (the scope column) is the school's, else the home township's. The township
    is where the child lives (default: the school's). When a clerk enters the township or the
    school (``check_home``), both must be in the same county; a child transferred to a school
    of another county keeps the home she had until someone changes it."""
    if child.school_id and not child.township_id:
        child.township_id = child.school.township_id
    if not child.township_id:
        raise ValidationError({"township": "请选择乡镇(街道)。"})
    child.county_id = child.school.county_id if child.school_id else child.township.parent_id
    if check_home and child.township.parent_id != child.county_id:
        raise ValidationError({"township": "乡镇(街道)与学校不在同一区县，请核对。"})


def _record(
    child: Child, action: str, changes: dict, source: ChangeSource, reason: str = ""
) -> None:
    changes_record(model=Child, entries=[(child.pk, action, changes)], source=source, reason=reason)


def _refuse_deidentified(child: Child) -> None:
    """A record de-identified by the retention job (children/retention.py) stays as it is."""
    if child.deidentified_on is not None:
        from .retention import MSG_DEIDENTIFIED

        raise ValidationError(MSG_DEIDENTIFIED)


def identity_check(
    *, id_number: str, birth_date: dt.date | None, gender: str | None, today: dt.date
) -> None:
    """The ID must be valid, agree with the birth date and gender given, and belong to a child
    under 16. Raises ValidationError with Chinese messages keyed by field."""
    try:
        rid = resident_id_parse(id_number)
    except ResidentIdError as exc:
        raise ValidationError({"id_number": exc.message}) from None
    errors = {}
    if birth_date and birth_date != rid.birth_date:
        errors["birth_date"] = (
            f"出生日期与身份证号不一致（身份证号显示为 {rid.birth_date:%Y-%m-%d}）"
        )
    if gender and gender != rid.gender:
        errors["gender"] = (
            f"性别与身份证号不一致（身份证号第17位显示为{c.Gender(rid.gender).label}）"
        )
    if (age := age_on(rid.birth_date, today)) >= MAX_AGE:
        errors["id_number"] = (
            f"身份证号显示该儿童已满{age}周岁，不在登记范围内（农村留守儿童指不满16周岁的未成年人）"
        )
    if errors:
        raise ValidationError(errors)


MSG_DUPLICATE_ID = "该身份证号已在信息库中登记，不能重复登记。如属转学，请联系区县团委办理转学。"


@transaction.atomic
def child_register(*, data: dict, source: ChangeSource, today: dt.date | None = None) -> Child:
    today = today or timezone.localdate()
    identity_check(
        id_number=data["id_number"],
        birth_date=data.get("birth_date"),
        gender=data.get("gender"),
        today=today,
    )
    # Matched through the blind index: the same ID in another spelling is the same child.
    if Child.objects.filter(id_number=data["id_number"]).exists():
        raise ValidationError({"id_number": MSG_DUPLICATE_ID})
    rid = resident_id_parse(data["id_number"])
    child = Child(**{**data, "birth_date": rid.birth_date, "gender": rid.gender})
    child.registered_on = today
    child.created_by = source.actor
    _place(child)
    child.full_clean(exclude=["id_number_bidx"])
    try:
        with transaction.atomic():
            child.save()
    except IntegrityError:  # registered by someone else meanwhile: the unique index decides
        raise ValidationError({"id_number": MSG_DUPLICATE_ID}) from None
    _record(child, ChangeRecord.Action.CREATE, {}, source)
    return child


@transaction.atomic
def child_update(*, child: Child, data: dict, source: ChangeSource) -> dict:
    """Apply ``data`` (field name -> value) and record what really changed. Returns the diff."""
    locked = Child.objects.select_for_update().get(pk=child.pk)
    _refuse_deidentified(locked)
    before = child_values(locked)
    for name, value in data.items():
        if name not in EDITABLE_FIELDS:
            raise ValueError(f"{name} is not editable here")
        setattr(locked, name, value)
    _place(locked, check_home=bool({"township", "school"} & set(data)))
    if "id_number" in data or "birth_date" in data or "gender" in data:
        identity_check(
            id_number=locked.id_number,
            birth_date=locked.birth_date,
            gender=locked.gender,
            today=locked.registered_on,
        )
        # A birth date or gender left empty on the form comes from the ID, as on register.
        rid = resident_id_parse(locked.id_number)
        locked.birth_date = locked.birth_date or rid.birth_date
        locked.gender = locked.gender or rid.gender
        if Child.objects.filter(id_number=locked.id_number).exclude(pk=locked.pk).exists():
            raise ValidationError({"id_number": MSG_DUPLICATE_ID})
    changes = field_diff(before, child_values(locked))
    if changes:
        locked.full_clean(exclude=["id_number_bidx"])
        try:
            with transaction.atomic():
                locked.save()
        except IntegrityError:
            raise ValidationError({"id_number": MSG_DUPLICATE_ID}) from None
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
    _record(
        locked,
        ChangeRecord.Action.LEAVE,
        changes,
        source,
        reason=note or c.LeaveReason(reason).label,
    )


@transaction.atomic
def child_restore(*, child: Child, note: str, source: ChangeSource) -> None:
    """Undo a leave entered by mistake; the leave stays in the history."""
    locked = Child.objects.select_for_update().get(pk=child.pk)
    if locked.status != c.ChildStatus.LEFT:
        raise ValidationError("该儿童在册，无需恢复。")
    _refuse_deidentified(locked)
    changes = field_diff(
        child_values(locked, ("status", "left_on", "leave_reason")),
        {"status": c.ChildStatus.ACTIVE, "left_on": None, "leave_reason": ""},
    )
    locked.status, locked.left_on, locked.leave_reason = c.ChildStatus.ACTIVE, None, ""
    locked.save(update_fields=["status", "left_on", "leave_reason", "updated_at"])
    _record(locked, ChangeRecord.Action.RESTORE, changes, source, reason=note)


@transaction.atomic
def child_transfer(
    *, child: Child, to_school, grade: int | None, class_name: str, note: str, actor
) -> dict:
    """Move a child to another school, and to its county when the school is in another one (the
    county is the scope). Where the child lives (township, village, addresses) is not the
    school's: it changes only when someone edits it. The old school stays in the history."""
    locked = Child.objects.select_for_update().get(pk=child.pk)
    if locked.school_id == to_school.pk:
        raise ValidationError({"to_school": "转入学校与当前学校相同。"})
    before = child_values(locked)
    locked.school, locked.county_id = to_school, to_school.county_id
    if grade is not None:
        locked.grade = grade
    locked.class_name = class_name
    changes = field_diff(before, child_values(locked))
    locked.save()
    _record(
        locked,
        ChangeRecord.Action.TRANSFER,
        changes,
        ChangeSource(actor, ChangeRecord.Source.TRANSFER),
        reason=note,
    )
    return changes


logger = logging.getLogger(__name__)

# --- Roster uploads ------------------------------------------------------------------------
# Lifecycle: pending -> parsing -> preview -> (confirm) importing -> done; or failed /
# cancelled. Each step claims its starting status with a conditional UPDATE, so a task that
# runs twice (a redelivery after a worker died) has one effect.

PROGRESS_KEY = "roster-progress:{}"
# Files up to this size are checked while the clerk waits; larger ones go to a Celery worker
# and the page shows a progress bar. About 2,000 rows of a typical .xlsx roster.
ROSTER_INLINE_MAX_BYTES = 256 * 1024


def roster_progress_set(upload_id: int, percent: int) -> None:
    cache.set(PROGRESS_KEY.format(upload_id), percent, timeout=3600)


def roster_progress_get(upload: RosterUpload) -> int:
    if upload.status in (
        RosterUpload.Status.PREVIEW,
        RosterUpload.Status.DONE,
        RosterUpload.Status.IN_STEP,
    ):
        return 100
    return cache.get(PROGRESS_KEY.format(upload.pk), upload.progress)


def _claim(upload_id: int, from_statuses, to_status) -> bool:
    return (
        RosterUpload.objects.filter(pk=upload_id, status__in=from_statuses).update(status=to_status)
        == 1
    )


def roster_upload_create(*, school, actor, uploaded) -> RosterUpload:
    """Store the uploaded file (random name, outside the web root), then check it now (small
    file) or queue the check (large). A failed check is recorded on the upload."""
    if uploaded.size > MAX_UPLOAD_BYTES:
        raise RosterFileError(MSG_TOO_LARGE)
    data = uploaded.read()
    sniff_format(data)  # by content, not by extension: raises RosterFileError in Chinese
    upload = RosterUpload(
        school=school,
        uploaded_by=actor,
        original_name=uploaded.name[:200],
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )
    with transaction.atomic():
        upload.file.save("roster", ContentFile(data), save=False)
        upload.save()
    if upload.size <= ROSTER_INLINE_MAX_BYTES:
        roster_preview_build(upload.pk)
    else:
        from .tasks import roster_preview_task

        transaction.on_commit(lambda: roster_preview_task.delay(upload.pk))
    return upload


def _parse_upload(upload: RosterUpload, today: dt.date):
    with upload.file.open("rb") as fh:
        data = fh.read()
    return parse_roster(data, upload.original_name, today=today)


def roster_preview_build(upload_id: int, *, today: dt.date | None = None) -> None:
    """Parse the stored file and compare it with the registry; store the per-row outcome.
    Writes nothing to the registry. Safe to run again (it rebuilds the preview).

    Whatever goes wrong (a bad file, or an unexpected error while checking or while storing
    the preview), the upload ends failed with a Chinese message and its file is deleted: the
    clerk never watches a progress bar that will not move."""
    if not _claim(
        upload_id,
        [RosterUpload.Status.PENDING, RosterUpload.Status.PARSING],
        RosterUpload.Status.PARSING,
    ):
        return
    upload = RosterUpload.objects.select_related("school__county").get(pk=upload_id)
    today = today or timezone.localdate()
    roster_progress_set(upload_id, 10)
    try:
        parsed = _parse_upload(upload, today)
        roster_progress_set(upload_id, 50)
        plan = roster_plan(parsed, upload.school, today=today)
        if plan.file_error:  # another county's file: one message, not a row error for each
            raise RosterFileError(plan.file_error)
        roster_progress_set(upload_id, 70)
        _store_preview(upload_id, parsed, plan)
    except RosterFileError as exc:
        _fail(upload_id, exc.message)
        return
    except Exception:
        logger.exception("roster preview failed for upload %s", upload_id)
        _fail(upload_id, MSG_CHECK_FAILED)
        return
    roster_progress_set(upload_id, 100)


MSG_CHECK_FAILED = "检查文件时系统出错，信息库未作任何修改。请稍后重新上传；如仍出错请联系管理员。"


def roster_max_rejected_rows() -> int:
    """How many rejected rows an upload keeps for its preview and error sheet."""
    return int(getattr(settings, "ROSTER_MAX_REJECTED_ROWS", 1000))


@transaction.atomic
def _store_preview(upload_id: int, parsed, plan) -> None:
    counts = plan.summary()
    cap = roster_max_rejected_rows()
    warnings = [*parsed.warnings, *plan.notices]
    if counts["rejected"] > cap:
        warnings.append(
            f"共有 {counts['rejected']} 行不予导入，只列出并可下载前 {cap} 行："
            "请先改正这些行（通常是同一类问题）后重新上传"
        )
    # Nothing to confirm: the upload closes itself instead of waiting as 待确认 with no button.
    in_step = not (counts["created"] or counts["updated"])
    message = ""
    if in_step:
        message = "名册与信息库一致，无需导入。" + (
            f"另有 {counts['rejected']} 行不予导入，可下载修改后重新上传。"
            if counts["rejected"]
            else ""
        )
    kept = 0

    def preview_rows():
        nonlocal kept
        for p in plan.rows:
            if p.outcome == RosterRow.Outcome.REJECTED:
                kept += 1
                if kept > cap:
                    continue
            yield _preview_row(upload_id, p)

    RosterRow.objects.filter(upload_id=upload_id).delete()
    RosterRow.objects.bulk_create(preview_rows(), batch_size=2000)
    RosterUpload.objects.filter(pk=upload_id, status=RosterUpload.Status.PARSING).update(
        status=RosterUpload.Status.IN_STEP if in_step else RosterUpload.Status.PREVIEW,
        progress=100,
        rows=counts["rows"],
        new=counts["created"],
        updated=counts["updated"],
        unchanged=counts["unchanged"],
        rejected=counts["rejected"],
        warnings=[clean_text(w) for w in warnings],
        header=[clean_text(h) for h in parsed.header],
        message=message,
    )


def _fail(upload_id: int, message: str) -> None:
    """The check ended badly: the upload is failed (unless cancelled meanwhile) and its file,
    which holds personal data and will never be imported, is deleted."""
    RosterUpload.objects.filter(
        pk=upload_id, status__in=[RosterUpload.Status.PENDING, RosterUpload.Status.PARSING]
    ).update(status=RosterUpload.Status.FAILED, message=message[:300])
    roster_file_delete(upload_id)


def roster_file_delete(upload_id: int) -> bool:
    """Delete an upload's stored file (the preview rows and the history stay)."""
    upload = RosterUpload.objects.filter(pk=upload_id).exclude(file="").first()
    if upload is None:
        return False
    name = upload.file.name
    RosterUpload.objects.filter(pk=upload_id, file=name).update(file="")
    upload.file.storage.delete(name)
    return True


def _preview_row(upload_id: int, plan_row) -> RosterRow:
    labels = [str(Child._meta.get_field(name).verbose_name) for name in plan_row.changes]
    return RosterRow(
        upload_id=upload_id,
        row_number=plan_row.row.row_number,
        outcome=plan_row.outcome,
        name=str(plan_row.row.values.get("name") or "")[:50],
        id_number=plan_row.id_number[:40],
        changed_fields=labels,
        errors=[
            {"column": e.column, "code": e.code, "message": e.message} for e in plan_row.errors
        ],
    )


MSG_IMPORT_RACE = (
    "导入未完成，信息库未作任何修改：就在刚才，其他名册同时导入了本名册中的部分儿童。"
    "请重新上传本名册，查看最新的检查结果后再确认导入。"
)
MSG_IMPORT_FAILED = (
    "导入时系统出错，信息库未作任何修改。请稍后再次点击“确认导入”；如仍出错请联系管理员。"
)


def is_unique_race(exc: BaseException) -> bool:
    """A unique constraint refused a row another writer inserted first (Django's
    IntegrityError, or the driver's own unique violation from a raw COPY)."""
    while exc is not None:
        if isinstance(exc, IntegrityError) or getattr(exc, "pgcode", None) == "23505":
            return True
        exc = exc.__cause__
    return False


def roster_confirm(*, upload: RosterUpload, actor) -> bool:
    """The clerk confirms the preview: import now (small file) or in a worker (large)."""
    claimed = (
        RosterUpload.objects.filter(pk=upload.pk, status=RosterUpload.Status.PREVIEW).update(
            status=RosterUpload.Status.IMPORTING,
            confirmed_by=actor,
            confirmed_at=timezone.now(),
            progress=0,
        )
        == 1
    )
    if not claimed:
        return False
    roster_progress_set(upload.pk, 0)
    if upload.size <= ROSTER_INLINE_MAX_BYTES:
        roster_import_run(upload.pk)
    else:
        from .tasks import roster_import_task

        transaction.on_commit(lambda: roster_import_task.delay(upload.pk))
    return True


def roster_import_run(upload_id: int, *, today: dt.date | None = None) -> None:
    """Import the confirmed upload; the outcome is recorded on the upload, never raised.

    Losing a race (another upload inserted one of the same children first: the unique ID
    constraint refuses the row and the whole import rolls back) ends the upload failed with a
    Chinese message; an unexpected error puts it back to 待确认 with a message, so that the
    clerk may confirm again. Only transient database errors propagate, for the task's retry."""
    try:
        _roster_import(upload_id, today=today)
    except (OperationalError, InterfaceError):
        raise
    except Exception as exc:
        if is_unique_race(exc):
            logger.info("roster import %s lost a race on a unique ID; nothing written", upload_id)
            RosterUpload.objects.filter(pk=upload_id, status=RosterUpload.Status.IMPORTING).update(
                status=RosterUpload.Status.FAILED, message=MSG_IMPORT_RACE
            )
            roster_file_delete(upload_id)
            return
        logger.exception("roster import failed for upload %s", upload_id)
        RosterUpload.objects.filter(pk=upload_id, status=RosterUpload.Status.IMPORTING).update(
            status=RosterUpload.Status.PREVIEW, message=MSG_IMPORT_FAILED
        )


def _roster_import(upload_id: int, *, today: dt.date | None = None) -> None:
    """Write the confirmed upload in one transaction. The file is parsed and compared again,
    so what is written matches the registry as it is now. Runs once: the upload row is
    locked and must still be 'importing'."""
    today = today or timezone.localdate()
    with transaction.atomic():
        upload = (
            RosterUpload.objects.select_for_update()
            .filter(pk=upload_id, status=RosterUpload.Status.IMPORTING)
            .first()
        )
        if upload is None:
            return
        school = upload.school
        roster_progress_set(upload_id, 10)
        parsed = _parse_upload(upload, today)
        roster_progress_set(upload_id, 40)
        plan = roster_plan(parsed, school, today=today)
        source = ChangeSource(upload.confirmed_by, ChangeRecord.Source.IMPORT, upload.ref)
        counts = roster_apply(
            plan,
            school=school,
            source=source,
            today=today,
            progress=lambda pct: roster_progress_set(upload_id, pct),
        )
        RosterUpload.objects.filter(pk=upload_id).update(
            status=RosterUpload.Status.DONE,
            message="",
            progress=100,
            rows=counts["rows"],
            new=counts["created"],
            updated=counts["updated"],
            unchanged=counts["unchanged"],
            rejected=counts["rejected"],
        )
    roster_progress_set(upload_id, 100)


def roster_cancel(*, upload: RosterUpload) -> bool:
    """Cancel an upload that is not imported: queued, being checked, waiting for
    confirmation, failed, or confirmed but not yet started (a running import holds the row
    lock: the cancel waits for it and then finds it done). The file is deleted at once; a
    check still running finds the upload cancelled and stores nothing."""
    cancelled = _claim(
        upload.pk,
        [
            RosterUpload.Status.PENDING,
            RosterUpload.Status.PARSING,
            RosterUpload.Status.PREVIEW,
            RosterUpload.Status.FAILED,
            RosterUpload.Status.IMPORTING,
        ],
        RosterUpload.Status.CANCELLED,
    )
    if cancelled:
        RosterRow.objects.filter(upload_id=upload.pk).delete()
        roster_file_delete(upload.pk)
    return cancelled


def roster_files_purge(*, keep_days: int | None = None, now=None) -> int:
    """Delete the stored files of uploads imported (or found already in step) more than
    ``keep_days`` ago (``settings.ROSTER_FILE_KEEP_DAYS``), and of any cancelled or failed upload that still
    has one. Rows, counts and history stay. Returns how many files were deleted."""
    keep_days = settings.ROSTER_FILE_KEEP_DAYS if keep_days is None else keep_days
    cutoff = (now or timezone.now()) - dt.timedelta(days=keep_days)
    ids = list(
        RosterUpload.objects.exclude(file="")
        .filter(
            Q(status=RosterUpload.Status.DONE, confirmed_at__lt=cutoff)
            | Q(status=RosterUpload.Status.IN_STEP, uploaded_at__lt=cutoff)
            | Q(status__in=[RosterUpload.Status.CANCELLED, RosterUpload.Status.FAILED])
        )
        .values_list("pk", flat=True)
    )
    return sum(roster_file_delete(pk) for pk in ids)


# --- Transfer requests ---------------------------------------------------------------------


MSG_TRANSFER_NOT_OTHER = "只有“已在其他学校登记”的行可以申请转入。"
MSG_TRANSFER_GONE = "该儿童已不在其他学校，请重新上传名册。"
MSG_TRANSFER_MISMATCH = (
    "申请未提交：名册中的姓名或出生日期与该身份证号登记的儿童不一致。请对照户口簿核对本行的姓名和"
    "身份证号后重新上传；确属本校学生的，请联系区县团委。"
)
MSG_TRANSFER_PENDING = "该儿童已有一份待处理的转学申请，请等待区县团委处理。"
MSG_TRANSFER_TOO_MANY = (
    "本校待处理的转学申请已有 {count} 份（上限 {limit} 份）：请等待区县团委处理后再提交新的申请。"
)


def transfer_max_pending_per_school() -> int:
    return int(getattr(settings, "TRANSFER_MAX_PENDING_PER_SCHOOL", 30))


def _same_person(asked_name: str, child: Child, id_number: str) -> bool:
    """The roster row names the registered child: same name (spaces and invisible characters
    aside) and the ID's birth date is the one registered."""
    try:
        born = resident_id_parse(id_number).birth_date
    except ResidentIdError:
        return False
    squeeze = lambda text: "".join(clean_name(text or "").split())  # noqa: E731
    return squeeze(asked_name) == squeeze(child.name) and born == child.birth_date


@transaction.atomic
def transfer_request_create(
    *, upload: RosterUpload, row_number: int, actor, note: str
) -> TransferRequest:
    """A school whose roster row was refused because the child is registered at another
    school asks to receive the child.

    Nothing of the registered child reaches the asker: the request keeps what the roster row
    said (``asked_name``), and a row whose name or birth date does not match the registered
    child is refused without saying whom the ID belongs to. A school holds at most
    ``TRANSFER_MAX_PENDING_PER_SCHOOL`` pending requests (its school row is locked while it
    counts, so two requests at once cannot both pass), and one request per child is pending
    at a time (a unique constraint: the second of two requests at once gets a message)."""
    row = upload.preview_rows.filter(
        row_number=row_number, outcome=RosterRow.Outcome.REJECTED
    ).first()
    if row is None or not any(e["code"] == "other_school" for e in row.errors):
        raise ValidationError(MSG_TRANSFER_NOT_OTHER)
    child = Child.objects.filter(id_number=row.id_number).first()
    if child is None or child.school_id == upload.school_id:
        raise ValidationError(MSG_TRANSFER_GONE)
    if not _same_person(row.name, child, row.id_number):
        raise ValidationError(MSG_TRANSFER_MISMATCH)
    School.objects.select_for_update().filter(pk=upload.school_id).first()
    pending = TransferRequest.objects.filter(
        to_school_id=upload.school_id, status=TransferRequest.Status.PENDING
    ).count()
    limit = transfer_max_pending_per_school()
    if pending >= limit:
        raise ValidationError(MSG_TRANSFER_TOO_MANY.format(count=pending, limit=limit))
    if TransferRequest.objects.filter(child=child, status=TransferRequest.Status.PENDING).exists():
        raise ValidationError(MSG_TRANSFER_PENDING)
    request = TransferRequest(
        child=child,
        from_school_id=child.school_id,
        to_school=upload.school,
        upload=upload,
        asked_name=row.name[:50],
        note=note,
        requested_by=actor,
    )
    request.full_clean(validate_constraints=False)  # the database decides, below
    try:
        with transaction.atomic():
            request.save()
    except IntegrityError:
        # Another school's request for the same child committed first.
        raise ValidationError(MSG_TRANSFER_PENDING) from None
    _tell_deciding_district(request)
    return request


MSG_TRANSFER_DONE = "该申请已处理过。"
TRANSFER_RULE = "children.transfer_to_decide"


def needs_receiving_district(*, child: Child, to_school, actor) -> bool:
    """A move into another county waits for the receiving district's yes; the city admin,
    above both districts, decides alone."""
    return to_school.county_id != child.county_id and actor.role != Role.CITY_ADMIN


def _tell_deciding_district(request: TransferRequest) -> None:
    """The district that decides next hears of the request at once (in-app, and e-mail for
    those who keep it on); the reminders follow if it waits."""
    from huzhou_care.notify.services import notify

    county_id = request.deciding_county_id
    receiving = request.stage == TransferRequest.Stage.RECEIVING
    text = (
        f"{request.from_school or '原学校'}的一名儿童申请转入{request.to_school}"
        + ("（跨区县，原区县已同意）" if receiving else "")
        + f"，转学申请编号 {request.pk}，请及时处理。"
    )
    for user in User.objects.filter(
        role=Role.DISTRICT_STAFF, district_id=county_id, is_active=True
    ):
        notify(
            recipient=user,
            rule=TRANSFER_RULE,
            text=text,
            target=request,
            url=reverse("children:transfer_requests"),
            period=f"{request.stage}-new",
        )


@transaction.atomic
def transfer_out_request(
    *, child: Child, to_school, grade: int | None, class_name: str, note: str, actor
) -> TransferRequest:
    """A district moving one of its children to a school of another county: the move waits
    for the receiving district's yes (the holding side has said yes by asking)."""
    locked = Child.objects.select_for_update().get(pk=child.pk)
    if locked.school_id == to_school.pk:
        raise ValidationError({"to_school": "转入学校与当前学校相同。"})
    now = timezone.now()
    request = TransferRequest(
        child=locked,
        from_school_id=locked.school_id,
        to_school=to_school,
        asked_name=locked.name[:50],
        note=note,
        requested_by=actor,
        stage=TransferRequest.Stage.RECEIVING,
        released_by=actor,
        released_at=now,
        released_note=note,
        grade=grade,
        class_name=class_name,
    )
    try:
        with transaction.atomic():
            request.save()
    except IntegrityError:
        raise ValidationError(MSG_TRANSFER_PENDING) from None
    _tell_deciding_district(request)
    return request


@transaction.atomic
def transfer_request_decide(*, request: TransferRequest, actor, approve: bool, note: str) -> str:
    """The district whose turn it is approves or declines, with a note. Returns what
    happened: ``"declined"``, ``"released"`` (the holding district said yes to a move into
    another county: the receiving district decides next) or ``"transferred"``.

    A cross-county move takes both districts' yes; the city admin, above both, decides alone.
    The status and stage are claimed with the row locked, so of two decisions at once the
    second gets a message."""
    locked = (
        TransferRequest.objects.select_for_update()
        .select_related("child", "to_school")
        .get(pk=request.pk)
    )
    if locked.status != TransferRequest.Status.PENDING or locked.stage != request.stage:
        raise ValidationError(MSG_TRANSFER_DONE)
    now = timezone.now()
    if (
        approve
        and locked.stage == TransferRequest.Stage.HOLDING
        and needs_receiving_district(child=locked.child, to_school=locked.to_school, actor=actor)
    ):
        locked.stage = TransferRequest.Stage.RECEIVING
        locked.released_by, locked.released_at, locked.released_note = actor, now, note
        locked.save(update_fields=["stage", "released_by", "released_at", "released_note"])
        _tell_deciding_district(locked)
        return "released"
    if approve:
        child_transfer(
            child=locked.child,
            to_school=locked.to_school,
            grade=locked.grade,
            class_name=locked.class_name or locked.child.class_name,
            note=note or f"同意{locked.to_school}的转学申请",
            actor=actor,
        )
    locked.status = TransferRequest.Status.APPROVED if approve else TransferRequest.Status.DECLINED
    locked.decided_by, locked.decided_at, locked.decision_note = actor, now, note
    locked.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    return "transferred" if approve else "declined"
