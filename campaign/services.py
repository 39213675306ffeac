"""Writes for the staged timeline. Each service is atomic and records its own history: every
status change is a :class:`~campaign.models.Transition` (who, when, from, to, comment),
claimed with a conditional UPDATE so that of two people acting at once one wins and the other
gets a Chinese message, never a 500.

State machines (action -> allowed from-states -> to-state) are the ``*_MACHINE`` tables
below; anything else is refused."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from huzhou_care.accounts.models import Role, User
from huzhou_care.files.checks import DOCUMENT_KINDS, IMAGE_KINDS
from huzhou_care.files.services import stored_file_create
from huzhou_care.orgs.models import Organization, OrgUnit, School
from huzhou_care.text import clean_text

from .models import (
    PILOT_SECTIONS,
    Attachment,
    CampaignYear,
    Deadline,
    Nomination,
    PilotApplication,
    PilotCriterion,
    PilotScore,
    Reminder,
    ReportingUnit,
    ReportPart,
    ReportTemplate,
    Stage,
    StageReport,
    Story,
    StoryPhoto,
    Transition,
    own_unit_filter,
    review_filter,
)
from .notice import DEFAULT_GRACE_DAYS, DEFAULT_LOCK_DAYS, default_timeline

RS = StageReport.Status
REPORT_MACHINE = {
    "submit": ({RS.DRAFT, RS.RETURNED}, RS.SUBMITTED),
    "approve": ({RS.SUBMITTED}, RS.APPROVED),
    "return": ({RS.SUBMITTED, RS.APPROVED}, RS.RETURNED),
}
PS = PilotApplication.Status
PILOT_MACHINE = {
    "submit": ({PS.DRAFT}, PS.SUBMITTED),
    "consult": ({PS.SUBMITTED, PS.CONSULTED}, PS.CONSULTED),
    "recommend": ({PS.CONSULTED}, PS.RECOMMENDED),
    "not_recommend": ({PS.CONSULTED}, PS.NOT_RECOMMENDED),
    "designate": ({PS.RECOMMENDED}, PS.DESIGNATED),
    "not_designate": ({PS.RECOMMENDED}, PS.NOT_DESIGNATED),
}
SS = Story.Status
STORY_MACHINE = {
    "submit": ({SS.DRAFT, SS.REJECTED}, SS.SUBMITTED),
    "approve": ({SS.SUBMITTED}, SS.APPROVED),
    "reject": ({SS.SUBMITTED, SS.APPROVED}, SS.REJECTED),
}
NS = Nomination.Status
NOMINATION_MACHINE = {
    "submit": ({NS.DRAFT}, NS.SUBMITTED),
    "approve": ({NS.SUBMITTED}, NS.APPROVED),
    "reject": ({NS.SUBMITTED}, NS.REJECTED),
}

MSG_RACE = "该记录刚刚被其他人处理过，请刷新页面后查看最新状态。"


def local_today() -> dt.date:
    return timezone.localdate()


def _move(obj, machine: dict, action: str, *, by: User, comment: str = "", at=None, **fields):
    """Apply one transition: refuse it unless ``action`` is allowed from the current status,
    claim it with a conditional UPDATE, and record who and when."""
    if action not in machine:
        raise ValidationError("未知操作。")
    sources, target = machine[action]
    current = obj.status
    if current not in sources:
        raise ValidationError(f"当前状态为“{obj.get_status_display()}”，不能执行此操作。")
    updated = type(obj).objects.filter(pk=obj.pk, status=current).update(status=target, **fields)
    if updated != 1:
        raise ValidationError(MSG_RACE)
    Transition.objects.create(
        content_type=ContentType.objects.get_for_model(type(obj)),
        object_id=obj.pk,
        action=action,
        from_status=current,
        to_status=target,
        by=by,
        comment=clean_text(comment or "")[:500],
        at=at or timezone.now(),
    )
    obj.refresh_from_db()
    return obj


def history(obj):
    return Transition.objects.filter(
        content_type=ContentType.objects.get_for_model(type(obj)), object_id=obj.pk
    ).select_related("by")


# --- The year, its stages and deadlines; reporting units ------------------------------------


@transaction.atomic
def campaign_year_load_defaults(*, year: int, make_current: bool = True) -> CampaignYear:
    """Create ``year`` with the stages and deadlines of the notice (idempotent: what exists,
    including the city administrator's changes, is left alone)."""
    campaign, _ = CampaignYear.objects.get_or_create(
        year=year, defaults={"title": "“我们在一起”关爱农村留守儿童专项行动"}
    )
    if make_current and not campaign.is_current:
        CampaignYear.objects.filter(is_current=True).update(is_current=False)
        CampaignYear.objects.filter(pk=campaign.pk).update(is_current=True)
        campaign.is_current = True
    for order, spec in enumerate(default_timeline(year), 1):
        stage, created = Stage.objects.get_or_create(
            year=campaign,
            kind=spec.kind,
            defaults={
                "order": order,
                "starts_on": spec.starts_on,
                "ends_on": spec.ends_on,
                "description": spec.description,
            },
        )
        if not created:
            continue
        for d in spec.deadlines:
            deadline = Deadline.objects.create(
                stage=stage,
                kind=d.kind,
                title=d.title,
                due_on=d.due_on,
                grace_days=DEFAULT_GRACE_DAYS,
                lock_on=d.due_on + dt.timedelta(days=DEFAULT_LOCK_DAYS),
                description=f"通知原文：{d.source}",
            )
            template = ReportTemplate.objects.create(
                deadline=deadline,
                for_districts=d.for_districts,
                for_organizations=d.for_organizations,
                for_schools=d.for_schools,
            )
            ReportPart.objects.bulk_create(
                ReportPart(template=template, key=k, label=lbl, kind=kind, required=req, order=i)
                for i, (k, lbl, kind, req) in enumerate(d.parts)
            )
    return campaign


@transaction.atomic
def reporting_units_sync(*, joined_on: dt.date) -> int:
    """A reporting unit for every county, active school and organisation that has none yet,
    joining on ``joined_on``. Returns how many were added."""
    have_d = set(
        ReportingUnit.objects.filter(kind="district").values_list("district_id", flat=True)
    )
    have_s = set(ReportingUnit.objects.filter(kind="school").values_list("school_id", flat=True))
    have_o = set(
        ReportingUnit.objects.filter(kind="organization").values_list("organization_id", flat=True)
    )
    new = [
        ReportingUnit(
            kind="district", name=f"{c.name}团委", district=c, county=c, joined_on=joined_on
        )
        for c in OrgUnit.objects.filter(level=OrgUnit.Level.COUNTY).exclude(pk__in=have_d)
    ]
    new += [
        ReportingUnit(
            kind="school", name=s.name, school=s, county_id=s.county_id, joined_on=joined_on
        )
        for s in School.objects.filter(is_active=True).exclude(pk__in=have_s)
    ]
    new += [
        ReportingUnit(
            kind="organization",
            name=o.name,
            organization=o,
            county_id=o.county_id,
            joined_on=joined_on,
        )
        for o in Organization.objects.exclude(pk__in=have_o)
    ]
    ReportingUnit.objects.bulk_create(new)
    return len(new)


def reporting_unit_for(user) -> ReportingUnit | None:
    """The unit a user works for, if any."""
    return ReportingUnit.objects.filter(own_unit_filter(user)).first()


# --- Stage reports ---------------------------------------------------------------------------


def _owes(template: ReportTemplate, unit: ReportingUnit) -> bool:
    return unit.kind in template.unit_kinds and unit.joined_on < template.deadline.due_on


def _locked(report_or_template, today=None) -> bool:
    template = getattr(report_or_template, "template", report_or_template)
    return (today or local_today()) > template.deadline.lock_on


def _require_owner(report: StageReport, user) -> None:
    if not ReportingUnit.objects.filter(own_unit_filter(user), pk=report.unit_id).exists():
        raise ValidationError("只有本单位的工作人员可以填报和提交。")


def _require_open(report: StageReport) -> None:
    if _locked(report) and not report.reopened:
        raise ValidationError(
            f"该事项已于 {report.template.deadline.lock_on:%Y年%m月%d日} 锁定：如需补报，请联系团市委开放补报。"
        )


@transaction.atomic
def report_start(*, template: ReportTemplate, user) -> StageReport:
    """The user's unit's report for ``template``: the existing one, or a new draft."""
    unit = reporting_unit_for(user)
    if unit is None or not _owes(template, unit):
        raise ValidationError("您的单位无需报送此事项。")
    report = StageReport.objects.filter(template=template, unit=unit).first()
    if report:
        return report
    if _locked(template):
        raise ValidationError(
            f"该事项已于 {template.deadline.lock_on:%Y年%m月%d日} 锁定：如需补报，请联系团市委开放补报。"
        )
    try:
        with transaction.atomic():
            report = StageReport.objects.create(template=template, unit=unit)
    except IntegrityError:
        return StageReport.objects.get(template=template, unit=unit)
    Transition.objects.create(
        content_type=ContentType.objects.get_for_model(StageReport),
        object_id=report.pk,
        action="create",
        from_status="",
        to_status=RS.DRAFT,
        by=user,
    )
    return report


def _parse_figure(label: str, value) -> str:
    value = str(value or "").strip()
    if not value:
        return ""
    try:
        number = Decimal(value)
    except InvalidOperation as exc:
        raise ValidationError({"figures": f"“{label}”须填写数字。"}) from exc
    if number < 0 or number != number:
        raise ValidationError({"figures": f"“{label}”不能为负数。"})
    return str(number)


@transaction.atomic
def report_save(*, report: StageReport, texts: dict, figures: dict, user) -> StageReport:
    _require_owner(report, user)
    _require_open(report)
    if report.status not in (RS.DRAFT, RS.RETURNED):
        raise ValidationError("已提交的报送不能修改；如需修改，请联系审核单位退回。")
    parts = {p.key: p for p in report.template.parts.all()}
    clean_texts = {
        k: clean_text(str(v), multiline=True).strip()[:20000]
        for k, v in texts.items()
        if k in parts and parts[k].kind == ReportPart.Kind.TEXT
    }
    clean_figures = {
        k: _parse_figure(parts[k].label, v)
        for k, v in figures.items()
        if k in parts and parts[k].kind == ReportPart.Kind.FIGURE
    }
    updated = StageReport.objects.filter(pk=report.pk, status=report.status).update(
        texts={**report.texts, **clean_texts}, figures={**report.figures, **clean_figures}
    )
    if updated != 1:
        raise ValidationError(MSG_RACE)
    report.refresh_from_db()
    return report


@transaction.atomic
def report_attach(*, report: StageReport, part_key: str, uploaded, user) -> Attachment:
    _require_owner(report, user)
    _require_open(report)
    if report.status not in (RS.DRAFT, RS.RETURNED):
        raise ValidationError("已提交的报送不能再添加附件。")
    part = report.template.parts.filter(key=part_key, kind=ReportPart.Kind.FILE).first()
    if part is None:
        raise ValidationError("请选择要上传附件的内容项。")
    stored = stored_file_create(
        uploaded=uploaded,
        allowed=DOCUMENT_KINDS + IMAGE_KINDS,
        folder="campaign/reports",
        user=user,
    )
    return Attachment.objects.create(file=stored, report=report, part=part.key)


def missing_parts(report: StageReport) -> list[str]:
    """Labels of the required parts the report does not have yet."""
    attached = set(report.attachments.values_list("part", flat=True))
    missing = []
    for part in report.template.parts.all():
        if not part.required:
            continue
        if (
            part.kind == ReportPart.Kind.TEXT
            and not report.texts.get(part.key)
            or part.kind == ReportPart.Kind.FIGURE
            and report.figures.get(part.key) in (None, "")
            or part.kind == ReportPart.Kind.FILE
            and part.key not in attached
        ):
            missing.append(part.label)
    return missing


@transaction.atomic
def report_submit(*, report: StageReport, user, now=None) -> StageReport:
    """Submit (or resubmit) a report. It must have every required part. Whether it is late is
    decided now, in the local date, against the due date plus grace, and kept."""
    _require_owner(report, user)
    _require_open(report)
    missing = missing_parts(report)
    if missing:
        raise ValidationError("还缺少必填内容：" + "、".join(missing) + "。")
    now = now or timezone.now()
    late = timezone.localdate(now) > report.template.deadline.on_time_until
    return _move(
        report,
        REPORT_MACHINE,
        "submit",
        by=user,
        comment="逾期提交" if late else "",
        at=now,
        submitted_at=now,
        late=late,
        ever_late=report.ever_late or late,
    )


def _require_reviewer(report_unit_id: int, user) -> None:
    if not ReportingUnit.objects.filter(review_filter(user), pk=report_unit_id).exists():
        raise ValidationError("只有上级单位可以审核。")


@transaction.atomic
def report_review(
    *, report: StageReport, approve: bool, comment: str, user, now=None
) -> StageReport:
    _require_reviewer(report.unit_id, user)
    comment = clean_text(comment or "").strip()
    if not approve and not comment:
        raise ValidationError("退回时请填写退回原因，便于填报单位修改。")
    return _move(
        report,
        REPORT_MACHINE,
        "approve" if approve else "return",
        by=user,
        comment=comment,
        at=now,
        review_comment=comment[:500],
    )


@transaction.atomic
def report_reopen(*, template: ReportTemplate, unit: ReportingUnit, user) -> StageReport:
    """补报: after the lock date only the city reopens a unit's report (creating the draft if
    the unit never started one). What is then submitted is recorded as late."""
    if not user.is_city_admin:
        raise ValidationError("只有团市委可以开放补报。")
    if not _owes(template, unit):
        raise ValidationError("该单位无需报送此事项。")
    if not _locked(template):
        raise ValidationError("该事项尚未锁定，单位可以直接填报。")
    report, created = StageReport.objects.get_or_create(template=template, unit=unit)
    if report.reopened:
        raise ValidationError("已为该单位开放补报。")
    StageReport.objects.filter(pk=report.pk).update(reopened=True)
    Transition.objects.create(
        content_type=ContentType.objects.get_for_model(StageReport),
        object_id=report.pk,
        action="reopen",
        from_status=report.status,
        to_status=report.status,
        by=user,
        comment="开放补报",
    )
    report.refresh_from_db()
    return report


REMINDER_RULE = "campaign.report_overdue"


def _notify_users(*, users, text: str, url: str, unit, template, today) -> int:
    """The one place the campaign sends in-app notifications (huzhou_care/notify): each of
    the unit's staff once per report and day (notify's reminder log decides)."""
    from huzhou_care.notify.services import notify

    sent = 0
    for user in users:
        notification = notify(
            recipient=user,
            rule=REMINDER_RULE,
            text=text,
            target=unit,
            url=url,
            period=f"t{template.pk}:{today.isoformat()}",
            run_date=today,
        )
        sent += notification is not None
    return sent


def unit_users(unit: ReportingUnit):
    if unit.kind == ReportingUnit.Kind.DISTRICT:
        q = {"role": Role.DISTRICT_STAFF, "district_id": unit.district_id}
    elif unit.kind == ReportingUnit.Kind.SCHOOL:
        q = {"role": Role.SCHOOL_STAFF, "school_id": unit.school_id}
    else:
        q = {"role": Role.ORG_COORDINATOR, "organization_id": unit.organization_id}
    return User.objects.filter(is_active=True, **q)


@transaction.atomic
def reminder_send(
    *, template: ReportTemplate, unit: ReportingUnit, user, url: str = ""
) -> Reminder:
    """One-click reminder for an overdue report: an in-app notification to the unit's staff,
    at most once per report and day (the database decides)."""
    if not ReportingUnit.objects.filter(review_filter(user), pk=unit.pk).exists():
        raise ValidationError("只有上级单位可以催报。")
    if not _owes(template, unit):
        raise ValidationError("该单位无需报送此事项。")
    report = StageReport.objects.filter(template=template, unit=unit).first()
    if report and report.is_complete:
        raise ValidationError("该单位已提交，无需催报。")
    today = local_today()
    if today <= template.deadline.on_time_until:
        raise ValidationError("尚未逾期，无需催报。")
    try:
        with transaction.atomic():
            reminder = Reminder.objects.create(
                template=template, unit=unit, sent_by=user, sent_on=today
            )
    except IntegrityError as exc:
        raise ValidationError("今天已经催报过该单位，请明天再试。") from exc
    d = template.deadline
    count = _notify_users(
        users=unit_users(unit),
        text=f"催报：{unit.name}的“{d.title}”已于 {d.due_on:%m月%d日} 截止，尚未提交，请尽快报送。",
        url=url,
        unit=unit,
        template=template,
        today=today,
    )
    Reminder.objects.filter(pk=reminder.pk).update(recipients=count)
    reminder.recipients = count
    return reminder


# --- Pilot applications ------------------------------------------------------------------


def _pilot_texts(data: dict) -> dict:
    out = {"title": clean_text(str(data.get("title", ""))).strip()[:150]}
    for key, _label in PILOT_SECTIONS:
        out[key] = clean_text(str(data.get(key, "")), multiline=True).strip()
    return out


@transaction.atomic
def pilot_create(
    *, year: CampaignYear, data: dict, user, unit: ReportingUnit | None = None
) -> PilotApplication:
    """自主申报 by the user's own unit; or, by the city, a unit recorded as 省级指定."""
    texts = _pilot_texts(data)
    if not texts["title"]:
        raise ValidationError({"title": "请填写试点项目名称。"})
    if user.is_city_admin and unit is not None:
        origin = PilotApplication.Origin.DESIGNATED
    else:
        unit = reporting_unit_for(user)
        origin = PilotApplication.Origin.SELF
    if unit is None:
        raise ValidationError("您的账号不属于任何填报单位，不能申报。")
    app = PilotApplication.objects.create(
        year=year, unit=unit, origin=origin, created_by=user, **texts
    )
    Transition.objects.create(
        content_type=ContentType.objects.get_for_model(PilotApplication),
        object_id=app.pk,
        action="create",
        from_status="",
        to_status=PS.DRAFT,
        by=user,
        comment=app.get_origin_display(),
    )
    return app


def _require_pilot_editor(app: PilotApplication, user) -> None:
    own = ReportingUnit.objects.filter(own_unit_filter(user), pk=app.unit_id).exists()
    if not (own or (user.is_city_admin and app.origin == PilotApplication.Origin.DESIGNATED)):
        raise ValidationError("只有申报单位可以修改和提交申报材料。")


@transaction.atomic
def pilot_update(*, app: PilotApplication, data: dict, user) -> PilotApplication:
    _require_pilot_editor(app, user)
    texts = _pilot_texts(data)
    if not texts["title"]:
        raise ValidationError({"title": "请填写试点项目名称。"})
    if PilotApplication.objects.filter(pk=app.pk, status=PS.DRAFT).update(**texts) != 1:
        raise ValidationError("已申报的材料不能修改。")
    app.refresh_from_db()
    return app


@transaction.atomic
def pilot_attach(*, app: PilotApplication, section: str, uploaded, user) -> Attachment:
    _require_pilot_editor(app, user)
    if app.status != PS.DRAFT:
        raise ValidationError("已申报的材料不能再添加附件。")
    if section not in dict(PILOT_SECTIONS):
        raise ValidationError("请选择附件对应的申报材料。")
    stored = stored_file_create(
        uploaded=uploaded, allowed=DOCUMENT_KINDS, folder="campaign/pilots", user=user
    )
    return Attachment.objects.create(file=stored, pilot=app, part=section)


@transaction.atomic
def pilot_submit(*, app: PilotApplication, user) -> PilotApplication:
    _require_pilot_editor(app, user)
    missing = [str(label) for key, label in PILOT_SECTIONS if not getattr(app, key)]
    if missing:
        raise ValidationError("申报材料不完整，还缺少：" + "、".join(missing) + "。")
    return _move(app, PILOT_MACHINE, "submit", by=user)


def _require_city(user) -> None:
    if not user.is_city_admin:
        raise ValidationError("只有团市委可以评审试点申报。")


@transaction.atomic
def pilot_score(*, app: PilotApplication, scores: dict, comment: str, user) -> int:
    """A city reviewer's scores against the year's criteria (a later score replaces theirs)."""
    _require_city(user)
    if app.status not in (PS.SUBMITTED, PS.CONSULTED):
        raise ValidationError("只有已申报、尚未决定的申请可以评分。")
    criteria = {c.pk: c for c in PilotCriterion.objects.filter(year_id=app.year_id)}
    count = 0
    for key, raw in scores.items():
        criterion = criteria.get(int(key))
        if criterion is None or raw in (None, ""):
            continue
        try:
            value = int(raw)
        except (TypeError, ValueError) as exc:
            raise ValidationError(f"“{criterion.name}”的得分须为整数。") from exc
        if not 0 <= value <= criterion.max_score:
            raise ValidationError(f"“{criterion.name}”的得分须在 0 到 {criterion.max_score} 之间。")
        PilotScore.objects.update_or_create(
            application=app,
            criterion=criterion,
            reviewer=user,
            defaults={
                "score": value,
                "comment": clean_text(comment or "")[:500],
                "at": timezone.now(),
            },
        )
        count += 1
    if not count:
        raise ValidationError("请至少为一项评审标准打分。")
    return count


@transaction.atomic
def pilot_consult(*, app: PilotApplication, consultation: str, user) -> PilotApplication:
    """Record the consultation (征求意见) on a scored application."""
    _require_city(user)
    text = clean_text(consultation or "", multiline=True).strip()
    if not text:
        raise ValidationError("请填写征求意见的情况（征求了哪些单位、意见如何）。")
    if not app.scores.exists():
        raise ValidationError("请先完成评分，再记录征求意见情况。")
    return _move(app, PILOT_MACHINE, "consult", by=user, comment=text[:500], consultation=text)


@transaction.atomic
def pilot_decide(*, app: PilotApplication, recommend: bool, note: str, user) -> PilotApplication:
    _require_city(user)
    note = clean_text(note or "").strip()[:500]
    action = "recommend" if recommend else "not_recommend"
    return _move(app, PILOT_MACHINE, action, by=user, comment=note, decision_note=note)


@transaction.atomic
def pilot_designate(
    *, app: PilotApplication, designated: bool, note: str, user
) -> PilotApplication:
    """The province's final designation, recorded by the city when it comes back."""
    _require_city(user)
    note = clean_text(note or "").strip()[:500]
    action = "designate" if designated else "not_designate"
    return _move(app, PILOT_MACHINE, action, by=user, comment=note, province_note=note)


# --- Showcase ---------------------------------------------------------------------------------


@transaction.atomic
def story_create(*, year: CampaignYear, data: dict, user) -> Story:
    unit = reporting_unit_for(user)
    if unit is None:
        raise ValidationError("您的账号不属于任何填报单位，不能报送作品。")
    title = clean_text(str(data.get("title", ""))).strip()[:150]
    if not title:
        raise ValidationError({"title": "请填写标题。"})
    shows = bool(data.get("shows_children"))
    consent = bool(data.get("consent_recorded"))
    story = Story(
        year=year,
        unit=unit,
        kind=data.get("kind") or Story.Kind.STORY,
        title=title,
        body=clean_text(str(data.get("body", "")), multiline=True).strip(),
        link=str(data.get("link", "")).strip(),
        shows_children=shows,
        consent_recorded=shows and consent,
        consent_note=clean_text(str(data.get("consent_note", ""))).strip()[:200],
        created_by=user,
    )
    story.full_clean()
    story.save()
    return story


@transaction.atomic
def story_add_photo(
    *, story: Story, uploaded, caption: str, shows_child: bool, consent: bool, user
) -> StoryPhoto:
    if not ReportingUnit.objects.filter(own_unit_filter(user), pk=story.unit_id).exists():
        raise ValidationError("只有报送单位可以添加照片。")
    if story.status not in (SS.DRAFT, SS.REJECTED):
        raise ValidationError("已提交的作品不能再添加照片。")
    stored = stored_file_create(
        uploaded=uploaded, allowed=IMAGE_KINDS, folder="campaign/photos", user=user
    )
    return StoryPhoto.objects.create(
        story=story,
        file=stored,
        caption=clean_text(caption or "").strip()[:200],
        shows_child=shows_child,
        consent_recorded=shows_child and consent,
    )


@transaction.atomic
def story_move(*, story: Story, action: str, comment: str, user) -> Story:
    if action == "submit":
        if not ReportingUnit.objects.filter(own_unit_filter(user), pk=story.unit_id).exists():
            raise ValidationError("只有报送单位可以提交作品。")
        if story.shows_children and not story.consent_recorded:
            raise ValidationError("作品含儿童肖像或信息，须先取得并登记监护人同意。")
    else:
        _require_city(user)
        if action == "approve" and story.shows_children and not story.consent_recorded:
            raise ValidationError("作品含儿童肖像或信息但未登记监护人同意，不能发布。")
    comment = clean_text(comment or "").strip()[:500]
    extra = {"review_comment": comment} if action != "submit" else {}
    return _move(story, STORY_MACHINE, action, by=user, comment=comment, **extra)


@transaction.atomic
def nomination_create(*, year: CampaignYear, data: dict, user) -> Nomination:
    unit = reporting_unit_for(user)
    if unit is None:
        raise ValidationError("您的账号不属于任何填报单位，不能推荐。")
    nomination = Nomination(
        year=year,
        unit=unit,
        category=data.get("category") or "",
        name=clean_text(str(data.get("name", ""))).strip()[:100],
        summary=clean_text(str(data.get("summary", "")), multiline=True).strip(),
        created_by=user,
    )
    nomination.full_clean()
    nomination.save()
    return nomination


@transaction.atomic
def nomination_move(*, nomination: Nomination, action: str, comment: str, user) -> Nomination:
    if action == "submit":
        if not ReportingUnit.objects.filter(own_unit_filter(user), pk=nomination.unit_id).exists():
            raise ValidationError("只有推荐单位可以提交。")
    else:
        _require_city(user)
    comment = clean_text(comment or "").strip()[:500]
    extra = {"review_comment": comment} if action != "submit" else {}
    return _move(nomination, NOMINATION_MACHINE, action, by=user, comment=comment, **extra)
