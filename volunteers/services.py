"""Writes of the volunteers app. Each service is atomic and records its change in the audit
trail in the same transaction; races are decided by the database (conditional updates,
unique constraints) and the loser gets a Chinese message."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from dataclasses import dataclass

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from children.roster.reader import MAX_UPLOAD_BYTES, MSG_TOO_LARGE, RosterFileError, sniff_format
from huzhou_care.audit.models import ChangeRecord
from huzhou_care.audit.services import ChangeSource, changes_record

from .importing.parse import parse_file
from .importing.plan import import_apply, import_plan, programme_of
from .models import Membership, ServiceRecord, Team, Volunteer, VolunteerUpload, VolunteerUploadRow
from .selectors import teams_joinable

logger = logging.getLogger(__name__)

PROGRESS_KEY = "volunteer-upload-progress:{}"
# Files up to this size are checked while the coordinator waits; larger ones go to a worker.
INLINE_MAX_BYTES = 256 * 1024
Status = VolunteerUpload.Status


# --------------------------------------------------------------------------- teams


def team_county(team: Team):
    """A team's county: its school's, or a county-level organisation's (None: city level)."""
    if team.school_id:
        return team.school.county
    if team.organization_id:
        return team.organization.county
    return None


# --------------------------------------------------------------------------- uploads


def upload_progress_set(upload_id: int, percent: int) -> None:
    cache.set(PROGRESS_KEY.format(upload_id), percent, timeout=3600)


def upload_progress_get(upload: VolunteerUpload) -> int:
    if upload.status in (Status.PREVIEW, Status.DONE):
        return 100
    return cache.get(PROGRESS_KEY.format(upload.pk), upload.progress)


def _claim(upload_id: int, from_statuses, to_status) -> bool:
    return (
        VolunteerUpload.objects.filter(pk=upload_id, status__in=from_statuses).update(
            status=to_status
        )
        == 1
    )


def upload_create(*, team: Team, kind: str, actor, uploaded) -> VolunteerUpload:
    """Store the file under a random name, then check it now (small) or in a worker (large)."""
    if uploaded.size > MAX_UPLOAD_BYTES:
        raise RosterFileError(MSG_TOO_LARGE)
    data = uploaded.read()
    sniff_format(data)  # by content, not by extension
    upload = VolunteerUpload(
        kind=kind,
        team=team,
        uploaded_by=actor,
        original_name=uploaded.name[:200],
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )
    with transaction.atomic():
        upload.file.save("upload", ContentFile(data), save=False)
        upload.save()
    if upload.size <= INLINE_MAX_BYTES:
        upload_preview_build(upload.pk)
    else:
        from .tasks import upload_preview_task

        transaction.on_commit(lambda: upload_preview_task.delay(upload.pk))
    return upload


def _plan_upload(upload: VolunteerUpload, today: dt.date):
    with upload.file.open("rb") as fh:
        data = fh.read()
    parsed = parse_file(upload.kind, data, upload.original_name, today=today)
    return parsed, import_plan(upload.kind, parsed, upload.team)


def upload_preview_build(upload_id: int, *, today: dt.date | None = None) -> None:
    """Parse the stored file and compare it with the team; store the outcome of every row.
    Writes nothing else. Safe to run again."""
    if not _claim(upload_id, [Status.PENDING, Status.PARSING], Status.PARSING):
        return
    upload = VolunteerUpload.objects.select_related("team").get(pk=upload_id)
    today = today or timezone.localdate()
    upload_progress_set(upload_id, 10)
    try:
        parsed, plan = _plan_upload(upload, today)
    except RosterFileError as exc:
        _fail(upload_id, exc.message)
        return
    except Exception:
        logger.exception("volunteer upload preview failed for upload %s", upload_id)
        _fail(upload_id, "检查文件时系统出错，未作任何修改。请稍后重新上传；如仍出错请联系管理员。")
        return
    counts = plan.summary()
    with transaction.atomic():
        VolunteerUploadRow.objects.filter(upload_id=upload_id).delete()
        VolunteerUploadRow.objects.bulk_create(
            (_preview_row(upload_id, p) for p in plan.rows), batch_size=2000
        )
        VolunteerUpload.objects.filter(pk=upload_id, status=Status.PARSING).update(
            status=Status.PREVIEW,
            progress=100,
            rows=counts["rows"],
            new=counts["created"],
            updated=counts["updated"],
            unchanged=counts["unchanged"],
            rejected=counts["rejected"],
            warnings=list(parsed.warnings),
            header=parsed.header,
            message="",
        )
    upload_progress_set(upload_id, 100)


def _fail(upload_id: int, message: str) -> None:
    VolunteerUpload.objects.filter(pk=upload_id).update(status=Status.FAILED, message=message[:300])


def _json_cell(value):
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value)
    return value


def _preview_row(upload_id: int, plan_row) -> VolunteerUploadRow:
    values = plan_row.row.values
    if "hours" in values and values.get("hours") is not None:
        when = values.get("signed_in") or values.get("service_date")
        when = f"{when:%Y-%m-%d %H:%M}" if isinstance(when, dt.datetime) else str(when or "")
        detail = f"{when} {values.get('activity', '')} {values['hours']}小时"
    elif plan_row.changes:
        labels = [str(Volunteer._meta.get_field(name).verbose_name) for name in plan_row.changes]
        detail = "修改：" + "、".join(labels)
    elif plan_row.join:
        detail = "加入本队"
    else:
        detail = ""
    return VolunteerUploadRow(
        upload_id=upload_id,
        row_number=plan_row.row.row_number,
        outcome=plan_row.outcome,
        name=str(values.get("name") or "")[:50],
        account=str(values.get("account") or "")[:40],
        detail=detail[:200],
        errors=[
            {"column": e.column, "code": e.code, "message": e.message} for e in plan_row.errors
        ],
        raw=[_json_cell(v) for v in plan_row.row.raw] if plan_row.errors else [],
    )


def upload_confirm(*, upload: VolunteerUpload, actor) -> bool:
    """Confirm the preview: import now (small file) or in a worker (large)."""
    claimed = (
        VolunteerUpload.objects.filter(pk=upload.pk, status=Status.PREVIEW).update(
            status=Status.IMPORTING, confirmed_by=actor, confirmed_at=timezone.now(), progress=0
        )
        == 1
    )
    if not claimed:
        return False
    upload_progress_set(upload.pk, 0)
    if upload.size <= INLINE_MAX_BYTES:
        try:
            upload_import_run(upload.pk)
        except Exception:
            logger.exception("volunteer upload import failed for upload %s", upload.pk)
            VolunteerUpload.objects.filter(pk=upload.pk, status=Status.IMPORTING).update(
                status=Status.PREVIEW,
                message="导入时系统出错（可能有人同时导入了相同的数据），未作任何修改。请再次点击“确认导入”。",
            )
    else:
        from .tasks import upload_import_task

        transaction.on_commit(lambda: upload_import_task.delay(upload.pk))
    return True


def upload_import_run(upload_id: int, *, today: dt.date | None = None) -> None:
    """Write the confirmed upload in one transaction, parsed and compared again so that what
    is written matches the team as it is now. Runs once: the row must still be importing."""
    today = today or timezone.localdate()
    with transaction.atomic():
        upload = (
            VolunteerUpload.objects.select_for_update()
            .filter(pk=upload_id, status=Status.IMPORTING)
            .first()
        )
        if upload is None:
            return
        upload_progress_set(upload_id, 10)
        _parsed, plan = _plan_upload(upload, today)
        upload_progress_set(upload_id, 50)
        source = ChangeSource(upload.confirmed_by, ChangeRecord.Source.IMPORT, upload.ref)
        counts = import_apply(plan, source=source, upload_id=upload.pk, today=today)
        VolunteerUpload.objects.filter(pk=upload_id).update(
            status=Status.DONE,
            message="",
            progress=100,
            rows=counts["rows"],
            new=counts["created"],
            updated=counts["updated"],
            unchanged=counts["unchanged"],
            rejected=counts["rejected"],
        )
    upload_progress_set(upload_id, 100)


def upload_cancel(*, upload: VolunteerUpload) -> bool:
    return _claim(upload.pk, [Status.PREVIEW, Status.FAILED], Status.CANCELLED)


# --------------------------------------------------------------------------- entry


def record_enter(
    *,
    actor,
    team: Team,
    volunteer: Volunteer,
    service_date: dt.date,
    hours,
    activity_name: str,
    signed_in: dt.time | None = None,
    signed_out: dt.time | None = None,
) -> ServiceRecord:
    """A service entered by hand for a member of ``team``; it starts 待审核. The record's
    identity (volunteer + sign-in, or volunteer + date + activity) is the database's to keep:
    a second entry of the same service is refused in Chinese."""
    if service_date > timezone.localdate():
        raise ValidationError("服务日期晚于今天：尚未发生的服务不能登记时长。")
    if not Membership.objects.filter(
        team=team, volunteer=volunteer, state=Membership.State.ACTIVE
    ).exists():
        raise ValidationError("该志愿者不是本队在队队员。")
    tz = timezone.get_current_timezone()
    moment = lambda t: dt.datetime.combine(service_date, t, tzinfo=tz) if t else None  # noqa: E731
    record = ServiceRecord(
        volunteer=volunteer,
        team=team,
        service_date=service_date,
        signed_in_at=moment(signed_in),
        signed_out_at=moment(signed_out),
        hours=hours,
        activity_name=activity_name.strip(),
        programme=programme_of(activity_name),
        source=ServiceRecord.Source.ENTERED,
    )
    record.full_clean(validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            record.save()
            changes_record(
                model=ServiceRecord,
                entries=[(record.pk, ChangeRecord.Action.CREATE, {})],
                source=ChangeSource(actor),
            )
    except IntegrityError:
        raise ValidationError(
            "该志愿者已有这条服务记录（同一签到时间，或同一日期的同一活动），没有重复登记。"
        ) from None
    return record


# --------------------------------------------------------------------------- approval


@dataclass(frozen=True)
class DecideResult:
    changed: int
    skipped: int  # already decided by someone else (or earlier)


def _state_entries(ids, old: str, new: str):
    return [(pk, ChangeRecord.Action.UPDATE, {"state": [old, new]}) for pk in ids]


@transaction.atomic
def records_decide(
    *, actor, team: Team, record_ids, approve: bool, reason: str = ""
) -> DecideResult:
    """Approve or decline pending records of ``team`` in one conditional UPDATE (a fixed
    number of queries however many records). Refused as a whole when a record belongs to
    another team, or when declining without a reason. Records someone has decided meanwhile
    are skipped and counted."""
    reason = (reason or "").strip()
    if not approve and not reason:
        raise ValidationError("请填写未通过的原因：志愿者会看到这条原因。")
    ids = sorted({int(pk) for pk in record_ids})
    if not ids:
        raise ValidationError("没有选中任何记录。")
    if ServiceRecord.objects.filter(pk__in=ids).exclude(team=team).exists():
        raise ValidationError("所选记录中有不属于本队的记录，未作任何修改。")
    pending = list(
        ServiceRecord.objects.select_for_update()
        .filter(pk__in=ids, team=team, state=ServiceRecord.State.PENDING)
        .values_list("pk", flat=True)
    )
    new_state = ServiceRecord.State.APPROVED if approve else ServiceRecord.State.DECLINED
    changed = ServiceRecord.objects.filter(
        pk__in=pending, state=ServiceRecord.State.PENDING
    ).update(
        state=new_state,
        decided_by=actor,
        decided_at=timezone.now(),
        decline_reason="" if approve else reason[:200],
    )
    changes_record(
        model=ServiceRecord,
        entries=_state_entries(pending, ServiceRecord.State.PENDING, new_state),
        source=ChangeSource(actor),
        reason="" if approve else reason[:200],
    )
    return DecideResult(changed=changed, skipped=len(ids) - changed)


def record_decide(*, actor, record: ServiceRecord, approve: bool, reason: str = "") -> None:
    """One record: as ``records_decide``, but a record already decided is an error."""
    result = records_decide(
        actor=actor, team=record.team, record_ids=[record.pk], approve=approve, reason=reason
    )
    if not result.changed:
        record.refresh_from_db(fields=["state"])
        raise ValidationError(f"该记录已审核（{record.get_state_display()}），不能重复审核。")


# --------------------------------------------------------------------------- memberships


def membership_request(*, user, team: Team) -> Membership:
    """A volunteer with a login asks to join a team of their organisation or school."""
    volunteer = Volunteer.objects.filter(user=user).first()
    if volunteer is None:
        raise ValidationError(
            "您的账号尚未关联志愿者档案：请联系所在队伍的联络员，在志愿者名册中登记后关联账号。"
        )
    if not team.is_active or team not in teams_joinable(user):
        raise ValidationError("该队伍不接受您的申请。")
    now = timezone.now()
    try:
        with transaction.atomic():
            membership, created = Membership.objects.get_or_create(
                team=team,
                volunteer=volunteer,
                defaults={"state": Membership.State.APPLIED, "requested_at": now},
            )
            if not created:
                if membership.state != Membership.State.LEFT:
                    raise ValidationError(
                        "您已是该队队员。"
                        if membership.state == Membership.State.ACTIVE
                        else "您已提交过申请，请等待队长或联络员审核。"
                    )
                Membership.objects.filter(pk=membership.pk, state=Membership.State.LEFT).update(
                    state=Membership.State.APPLIED, requested_at=now
                )
            changes_record(
                model=Membership,
                entries=[(membership.pk, ChangeRecord.Action.CREATE, {"state": [None, "applied"]})],
                source=ChangeSource(user),
            )
    except IntegrityError:
        raise ValidationError("您已提交过申请，请等待队长或联络员审核。") from None
    return membership


@transaction.atomic
def membership_decide(*, actor, membership: Membership, approve: bool) -> None:
    new_state = Membership.State.ACTIVE if approve else Membership.State.LEFT
    changed = Membership.objects.filter(pk=membership.pk, state=Membership.State.APPLIED).update(
        state=new_state,
        decided_by=actor,
        decided_at=timezone.now(),
        joined_on=timezone.localdate() if approve else None,
    )
    if not changed:
        raise ValidationError("该申请已处理过。")
    changes_record(
        model=Membership,
        entries=[(membership.pk, ChangeRecord.Action.UPDATE, {"state": ["applied", new_state]})],
        source=ChangeSource(actor),
    )
