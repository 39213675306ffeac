"""Demo content for the staged timeline: the current year with every stage from the notice,
stage reports in every state (on time, late, returned and resubmitted, missing, draft), a
unit that joined mid-stage, two pilot applications and a few showcase stories.

A builder in ``campaign/demo.py``'s ``BUILDERS`` (:func:`build`); it runs after the core's
accounts, schools and organisations exist. "Today" is the seed's anchor day. Idempotent: a year
that already has reports is left as it is."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from huzhou_care.accounts.models import Role, User
from huzhou_care.demo.services import DemoContext, DemoPart

from . import services
from .models import PilotCriterion, ReportingUnit, StageReport, Story


@dataclass
class CampaignDemoResult:
    year: int
    units: int
    reports: int
    pilots: int
    stories: int
    skipped: bool = False


def _docx(title: str) -> SimpleUploadedFile:
    from docx import Document

    doc = Document()
    doc.add_heading(title, 1)
    doc.add_paragraph("（演示文件）")
    out = io.BytesIO()
    doc.save(out)
    return SimpleUploadedFile(f"{title}.docx", out.getvalue())


def _png(name: str, colour: tuple[int, int, int]) -> SimpleUploadedFile:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (640, 420), colour).save(out, "PNG")
    return SimpleUploadedFile(f"{name}.png", out.getvalue())


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _fill(report: StageReport, user) -> None:
    parts = list(report.template.parts.all())
    services.report_save(
        report=report,
        texts={p.key: f"{report.unit.name}{p.label}（演示）" for p in parts if p.kind == "text"},
        figures={p.key: "12" for p in parts if p.kind == "figure"},
        user=user,
    )
    for p in parts:
        if p.kind == "file" and p.required:
            services.report_attach(
                report=report, part_key=p.key, uploaded=_docx(p.label), user=user
            )


def _reviewer(unit: ReportingUnit):
    if unit.reviewed_by_city:
        return User.objects.filter(role=Role.CITY_ADMIN, is_active=True).first()
    return User.objects.filter(role=Role.DISTRICT_STAFF, district_id=unit.county_id).first()


def _reported(template, unit, *, submit_on=None, review=None, resubmit_on=None):
    """A report for ``unit``: filled; submitted on ``submit_on``; then ``review`` ('approve'
    or 'return'); a returned one resubmitted on ``resubmit_on``."""
    user = services.unit_users(unit).first()
    reviewer = _reviewer(unit)
    if user is None or reviewer is None:
        return None
    # Demo history is written as if the unit had acted on those days: the lock is lifted for
    # the seeding only by writing directly what the services would have written.
    report, _ = StageReport.objects.get_or_create(template=template, unit=unit)
    StageReport.objects.filter(pk=report.pk).update(reopened=True)
    report.refresh_from_db()
    _fill(report, user)
    if submit_on:
        services.report_submit(report=report, user=user, now=_at(submit_on))
        if review:
            services.report_review(
                report=report,
                approve=review == "approve",
                comment="材料齐全" if review == "approve" else "请补充活动照片和服务人次的统计口径",
                user=reviewer,
                now=_at(submit_on + dt.timedelta(days=2), 15),
            )
        if review == "return" and resubmit_on:
            services.report_submit(report=report, user=user, now=_at(resubmit_on))
    StageReport.objects.filter(pk=report.pk).update(reopened=False)
    return report


@transaction.atomic
def campaign_demo_seed(*, today: dt.date | None = None) -> CampaignDemoResult:
    today = today or timezone.localdate()
    year = services.campaign_year_load_defaults(year=today.year)
    start = year.stages.order_by("starts_on").first().starts_on
    units_added = services.reporting_units_sync(joined_on=start - dt.timedelta(days=1))
    if StageReport.objects.filter(template__deadline__stage__year=year).exists():
        return CampaignDemoResult(year.year, units_added, 0, 0, 0, skipped=True)

    for order, (name, top) in enumerate(
        [
            ("留守儿童底数清晰、分析深入", 30),
            ("工作基础扎实、特色鲜明", 30),
            ("试点方案可行、可推广", 40),
        ]
    ):
        PilotCriterion.objects.get_or_create(
            year=year, name=name, defaults={"max_score": top, "order": order}
        )

    templates = {
        t.deadline.title: t
        for t in services.ReportTemplate.objects.filter(deadline__stage__year=year).select_related(
            "deadline"
        )
    }
    districts = {
        u.district.name: u
        for u in ReportingUnit.objects.filter(kind="district").select_related("district")
    }
    plan = templates["活动方案报送"]
    due = plan.deadline.due_on
    reports = 0
    # 活动方案: on time and approved; late; returned and resubmitted; missing (德清县); draft (安吉县).
    for name, kwargs in [
        ("吴兴区", {"submit_on": due - dt.timedelta(days=2), "review": "approve"}),
        ("长兴县", {"submit_on": due + dt.timedelta(days=plan.deadline.grace_days + 4)}),
        (
            "南浔区",
            {
                "submit_on": due - dt.timedelta(days=1),
                "review": "return",
                "resubmit_on": due + dt.timedelta(days=1),
            },
        ),
    ]:
        if name in districts and _reported(plan, districts[name], **kwargs):
            reports += 1
    if "安吉县" in districts and _reported(plan, districts["安吉县"]):
        reports += 1
    # Stage report (上半年): schools, one on time, one late; one school joined mid-stage.
    half = templates.get("上半年工作情况报送")
    staffed = User.objects.filter(role=Role.SCHOOL_STAFF).values("school_id")
    schools = list(
        ReportingUnit.objects.filter(kind="school", school_id__in=staffed).order_by("name")
    )
    if half and schools:
        d = half.deadline.due_on
        for i, unit in enumerate(schools[:6]):
            when = [d - dt.timedelta(days=3), d + dt.timedelta(days=10), None][i % 3]
            if when and _reported(
                half, unit, submit_on=when, review="approve" if i % 2 == 0 else None
            ):
                reports += 1
        # A school that joined the campaign mid-stage owes only what fell due after it joined.
        late_joiner = (
            ReportingUnit.objects.filter(kind="school")
            .exclude(school_id__in=staffed)
            .order_by("-name")
            .first()
        )
        if late_joiner:
            ReportingUnit.objects.filter(pk=late_joiner.pk).update(
                joined_on=d + dt.timedelta(days=15)
            )

    # Two pilot applications: one recommended (self-applied), one designated and in review.
    pilots = 0
    city = User.objects.filter(role=Role.CITY_ADMIN).first()
    wuxing_user = (
        services.unit_users(districts["吴兴区"]).first() if "吴兴区" in districts else None
    )
    if wuxing_user and city:
        app = services.pilot_create(
            year=year,
            data={
                "title": "吴兴区“织里童心港湾”留守儿童关爱试点",
                "analysis": "全区在册农村留守儿童以祖辈监护为主，集中在织里镇、八里店镇。",
                "basics": "已建成童心港湾 12 个，结对志愿者 300 余名，形成“周末课堂”特色做法。",
                "plan": "一、目标\n二、主要举措\n三、进度安排\n四、保障措施",
            },
            user=wuxing_user,
        )
        services.pilot_attach(
            app=app, section="plan", uploaded=_docx("试点工作方案"), user=wuxing_user
        )
        services.pilot_submit(app=app, user=wuxing_user)
        services.pilot_score(
            app=app,
            scores={str(c.pk): c.max_score - 3 for c in PilotCriterion.objects.filter(year=year)},
            comment="基础扎实",
            user=city,
        )
        services.pilot_consult(
            app=app,
            consultation="已征求市文明办、市教育局、市民政局、市妇联意见，均表示同意。",
            user=city,
        )
        services.pilot_decide(app=app, recommend=True, note="拟推荐上报团省委", user=city)
        pilots += 1
    if city and "安吉县" in districts:
        app = services.pilot_create(
            year=year,
            unit=districts["安吉县"],
            data={
                "title": "安吉县“两山”志愿关爱试点",
                "analysis": "（省级指定，材料由团市委代为登记）",
                "basics": "依托青年之家开展假期陪护。",
                "plan": "按团省委要求制定。",
            },
            user=city,
        )
        services.pilot_submit(app=app, user=city)
        pilots += 1

    # Stories: one published without children, one published with consent, one submitted,
    # one draft with a child shown and no consent yet.
    stories = 0
    org = (
        ReportingUnit.objects.filter(kind="organization", county__isnull=True)
        .order_by("name")
        .first()
    )
    org_user = services.unit_users(org).first() if org else None
    if org_user and city:
        specs = [
            ("暑期“七彩课堂”开课啦", Story.Kind.STORY, False, False, "approve", (231, 76, 60)),
            ("微电影《我们在一起》", Story.Kind.FILM, True, True, "approve", (52, 152, 219)),
            ("亲情家书传真情", Story.Kind.INTERVIEW, False, False, "submit", (46, 204, 113)),
            ("志愿者自拍：陪伴的一天", Story.Kind.PHOTO, True, False, None, (241, 196, 15)),
        ]
        for title, kind, shows, consent, step, colour in specs:
            story = services.story_create(
                year=year,
                data={
                    "title": title,
                    "kind": kind,
                    "body": f"{title}（演示内容）。",
                    "link": "https://example.org/film" if kind == Story.Kind.FILM else "",
                    "shows_children": shows,
                    "consent_recorded": consent,
                    "consent_note": "监护人书面同意书已存档" if consent else "",
                },
                user=org_user,
            )
            services.story_add_photo(
                story=story,
                uploaded=_png(title, colour),
                caption=title,
                shows_child=shows,
                consent=consent,
                user=org_user,
            )
            if step:
                services.story_move(story=story, action="submit", comment="", user=org_user)
            if step == "approve":
                services.story_move(story=story, action="approve", comment="发布", user=city)
            stories += 1
        nomination = services.nomination_create(
            year=year,
            data={
                "category": "brand",
                "name": "“童心港湾”周末课堂",
                "summary": "常态化开展学业辅导和亲情陪伴。",
            },
            user=org_user,
        )
        services.nomination_move(nomination=nomination, action="submit", comment="", user=org_user)
        services.nomination_move(
            nomination=nomination, action="approve", comment="评审通过", user=city
        )
    return CampaignDemoResult(year.year, units_added, reports, pilots, stories)


def build(context: DemoContext) -> DemoPart:
    result = campaign_demo_seed(today=context.anchor)
    if result.skipped:
        existing = StageReport.objects.filter(template__deadline__stage__year__year=result.year)
        return DemoPart("阶段报送", 0, existing.count())
    context.say(
        f"行动年度 {result.year}：填报单位新建 {result.units}，试点申报 {result.pilots}，"
        f"展示作品 {result.stories}。"
    )
    return DemoPart("阶段报送", result.reports, 0)
