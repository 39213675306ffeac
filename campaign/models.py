"""The staged timeline: campaign year, stages, deadlines and what units owe at each one
(stage reports, modelled on DHIS2 data sets), pilot applications, the showcase.

Every status change goes through a service in ``campaign/services.py`` that records a
:class:`Transition` (who, when, from, to, comment) in the same transaction."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from huzhou_care.accounts.models import Role
from huzhou_care.accounts.scoping import NOTHING, ScopedQuerySet
from huzhou_care.audit.models import AppendOnlyModel


def unit_scope(user, prefix: str = "") -> Q:
    """The reporting units a user may see: the city all, a district its own unit and the
    schools and organisations in its county, a school or organisation itself."""
    p = prefix
    if user.sees_whole_city:
        return Q()
    if user.role == Role.DISTRICT_STAFF:
        return Q(**{f"{p}county_id": user.district_id})
    if user.role == Role.SCHOOL_STAFF:
        return Q(**{f"{p}school_id": user.school_id})
    if user.role == Role.ORG_COORDINATOR:
        return Q(**{f"{p}organization_id": user.organization_id})
    return NOTHING


def own_unit_filter(user, prefix: str = "") -> Q:
    """The unit a user works for (drafts and submits on its behalf)."""
    p = prefix
    if user.role == Role.DISTRICT_STAFF:
        return Q(**{f"{p}kind": "district", f"{p}district_id": user.district_id})
    if user.role == Role.SCHOOL_STAFF:
        return Q(**{f"{p}kind": "school", f"{p}school_id": user.school_id})
    if user.role == Role.ORG_COORDINATOR:
        return Q(**{f"{p}kind": "organization", f"{p}organization_id": user.organization_id})
    return NOTHING


def review_filter(user, prefix: str = "") -> Q:
    """The units whose submissions this user reviews (the level above): the city reviews
    districts and city-level organisations (and may review anything); a district reviews the
    schools and county organisations of its county."""
    p = prefix
    if user.is_city_admin:
        return Q()
    if user.role == Role.DISTRICT_STAFF:
        return Q(**{f"{p}county_id": user.district_id}) & ~Q(**{f"{p}kind": "district"})
    return NOTHING


class CampaignYear(models.Model):
    year = models.PositiveIntegerField(_("年度"), unique=True)
    title = models.CharField(_("名称"), max_length=100)
    is_current = models.BooleanField(_("当前年度"), default=False)

    class Meta:
        verbose_name = _("行动年度")
        verbose_name_plural = _("行动年度")
        ordering = ["-year"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_current"], condition=Q(is_current=True), name="one_current_year"
            )
        ]

    def __str__(self):
        return f"{self.year} 年 {self.title}"


class Stage(models.Model):
    class Kind(models.TextChoices):
        MOBILISE = "mobilise", _("动员部署")
        ROLLOUT = "rollout", _("全面推进")
        PILOT = "pilot", _("试点申报")
        EVALUATE = "evaluate", _("督促考评")
        SHOWCASE = "showcase", _("总结展示")

    year = models.ForeignKey(
        CampaignYear, verbose_name=_("年度"), on_delete=models.CASCADE, related_name="stages"
    )
    kind = models.CharField(_("阶段"), max_length=10, choices=Kind.choices)
    order = models.PositiveSmallIntegerField(_("顺序"))
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    description = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("阶段")
        verbose_name_plural = _("阶段")
        ordering = ["year", "order"]
        constraints = [
            models.UniqueConstraint(fields=["year", "kind"], name="stage_unique_kind_per_year"),
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="stage_window_ordered"
            ),
        ]

    def __str__(self):
        return self.get_kind_display()


class Deadline(models.Model):
    """A date inside a stage by which units owe something. ``grace_days`` after ``due_on`` a
    submission still counts as on time; after ``lock_on`` only the city can reopen a unit's
    report (补报), and what is submitted then is recorded as late."""

    class Kind(models.TextChoices):
        PLAN = "plan", _("活动方案")
        STAGE_REPORT = "stage_report", _("阶段工作情况")
        PILOT = "pilot", _("试点申报")
        SELF_INSPECTION = "self_inspection", _("工作自查")
        PROVINCIAL = "provincial", _("省级考评")
        SHOWCASE = "showcase", _("总结展示")

    stage = models.ForeignKey(
        Stage, verbose_name=_("阶段"), on_delete=models.CASCADE, related_name="deadlines"
    )
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("事项"), max_length=100)
    due_on = models.DateField(_("截止日期"))
    grace_days = models.PositiveSmallIntegerField(_("宽限天数"), default=0)
    lock_on = models.DateField(_("锁定日期"), help_text=_("此后只有团市委可以为单位重新开放补报"))
    description = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("截止事项")
        verbose_name_plural = _("截止事项")
        ordering = ["due_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(lock_on__gte=models.F("due_on")), name="deadline_lock_after_due"
            )
        ]

    def __str__(self):
        return f"{self.title}（{self.due_on:%m月%d日}）"

    @property
    def on_time_until(self):
        import datetime as dt

        return self.due_on + dt.timedelta(days=self.grace_days)


class ReportingUnitQuerySet(ScopedQuerySet):
    @staticmethod
    def scope_filter(user) -> Q:
        return unit_scope(user)


class ReportingUnit(models.Model):
    """A unit that owes reports: a district (区县团委), a pairing organisation or a school.
    ``joined_on`` is when it joined the campaign: it owes only what falls due after that."""

    class Kind(models.TextChoices):
        DISTRICT = "district", _("区县")
        ORGANIZATION = "organization", _("结对单位")
        SCHOOL = "school", _("学校")

    kind = models.CharField(_("类型"), max_length=15, choices=Kind.choices)
    name = models.CharField(_("名称"), max_length=100)
    district = models.OneToOneField(
        "orgs.OrgUnit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reporting_unit",
        limit_choices_to={"level": "county"},
    )
    school = models.OneToOneField(
        "orgs.School", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    organization = models.OneToOneField(
        "orgs.Organization", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The county the unit belongs to (itself for a district); empty for city-level units.
    county = models.ForeignKey(
        "orgs.OrgUnit",
        verbose_name=_("所属区县"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    joined_on = models.DateField(_("加入日期"))

    objects = ReportingUnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("填报单位")
        verbose_name_plural = _("填报单位")
        ordering = ["kind", "county__code", "name"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(
                        kind="district",
                        district__isnull=False,
                        school__isnull=True,
                        organization__isnull=True,
                    )
                    | Q(
                        kind="school",
                        school__isnull=False,
                        district__isnull=True,
                        organization__isnull=True,
                    )
                    | Q(
                        kind="organization",
                        organization__isnull=False,
                        district__isnull=True,
                        school__isnull=True,
                    )
                ),
                name="reportingunit_one_target",
            )
        ]
        # The city table groups expected reports by county and kind.
        indexes = [models.Index(fields=["county", "kind"])]

    def __str__(self):
        return self.name

    @property
    def reviewed_by_city(self) -> bool:
        return self.kind == self.Kind.DISTRICT or self.county_id is None


class ReportTemplate(models.Model):
    """What a deadline asks for (a DHIS2 data set): which kinds of unit owe it, and its parts."""

    deadline = models.OneToOneField(
        Deadline, verbose_name=_("截止事项"), on_delete=models.CASCADE, related_name="template"
    )
    for_districts = models.BooleanField(_("区县团委填报"), default=True)
    for_organizations = models.BooleanField(_("结对单位填报"), default=False)
    for_schools = models.BooleanField(_("学校填报"), default=False)
    instructions = models.TextField(_("填报说明"), blank=True)

    class Meta:
        verbose_name = _("报送模板")
        verbose_name_plural = _("报送模板")
        ordering = ["deadline__due_on"]

    def __str__(self):
        return str(self.deadline)

    @property
    def unit_kinds(self) -> list[str]:
        kinds = []
        if self.for_districts:
            kinds.append(ReportingUnit.Kind.DISTRICT)
        if self.for_organizations:
            kinds.append(ReportingUnit.Kind.ORGANIZATION)
        if self.for_schools:
            kinds.append(ReportingUnit.Kind.SCHOOL)
        return kinds


class ReportPart(models.Model):
    """One part of a report (a DHIS2 data element): a text section, a figure or a document."""

    class Kind(models.TextChoices):
        TEXT = "text", _("文字")
        FIGURE = "figure", _("数字")
        FILE = "file", _("附件")

    template = models.ForeignKey(
        ReportTemplate, verbose_name=_("模板"), on_delete=models.CASCADE, related_name="parts"
    )
    key = models.SlugField(_("代码"), max_length=40)
    label = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    required = models.BooleanField(_("必填"), default=True)
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        verbose_name = _("报送内容项")
        verbose_name_plural = _("报送内容项")
        ordering = ["template", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["template", "key"], name="reportpart_unique_key")
        ]

    def __str__(self):
        return self.label


class StageReportQuerySet(ScopedQuerySet):
    @staticmethod
    def scope_filter(user) -> Q:
        return unit_scope(user, "unit__")


class StageReport(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("已提交")
        RETURNED = "returned", _("已退回")
        APPROVED = "approved", _("已审核")

    template = models.ForeignKey(
        ReportTemplate, verbose_name=_("模板"), on_delete=models.PROTECT, related_name="reports"
    )
    unit = models.ForeignKey(
        ReportingUnit, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="reports"
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    texts = models.JSONField(_("文字内容"), default=dict, blank=True)
    figures = models.JSONField(_("数字"), default=dict, blank=True)
    # The latest submission (DHIS2 keeps one completion date; a returned report that is
    # submitted again gets a new one). ``late`` is decided at each submission and kept.
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    late = models.BooleanField(_("逾期提交"), default=False)
    ever_late = models.BooleanField(_("曾逾期提交"), default=False)
    reopened = models.BooleanField(_("已开放补报"), default=False)
    review_comment = models.CharField(_("审核意见"), max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = StageReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("阶段报送")
        verbose_name_plural = _("阶段报送")
        ordering = ["template", "unit"]
        constraints = [
            models.UniqueConstraint(fields=["template", "unit"], name="one_report_per_unit")
        ]

    def __str__(self):
        return f"{self.unit} · {self.template}"

    @property
    def is_complete(self) -> bool:
        return self.status in (self.Status.SUBMITTED, self.Status.APPROVED)


class Transition(AppendOnlyModel):
    """One status change of a report, pilot application, story or nomination."""

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.BigIntegerField()
    action = models.CharField(_("操作"), max_length=20)
    from_status = models.CharField(_("原状态"), max_length=20)
    to_status = models.CharField(_("新状态"), max_length=20)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("时间"), default=timezone.now)
    comment = models.CharField(_("说明"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("状态变更")
        verbose_name_plural = _("状态变更")
        ordering = ["at", "pk"]
        # An object's history.
        indexes = [models.Index(fields=["content_type", "object_id", "at"])]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.from_status}→{self.to_status}"


class Reminder(models.Model):
    """A one-click reminder sent about an overdue report (one per report and day)."""

    template = models.ForeignKey(ReportTemplate, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(ReportingUnit, on_delete=models.CASCADE, related_name="+")
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    sent_on = models.DateField(_("日期"))
    sent_at = models.DateTimeField(default=timezone.now)
    recipients = models.PositiveIntegerField(_("接收人数"), default=0)

    class Meta:
        verbose_name = _("催报记录")
        verbose_name_plural = _("催报记录")
        constraints = [
            models.UniqueConstraint(
                fields=["template", "unit", "sent_on"], name="one_reminder_per_day"
            )
        ]

    def __str__(self):
        return f"{self.sent_on} {self.unit_id}"


class AttachmentQuerySet(ScopedQuerySet):
    @staticmethod
    def scope_filter(user) -> Q:
        if unit_scope(user) == NOTHING:
            return NOTHING
        return (Q(report__isnull=False) & unit_scope(user, "report__unit__")) | (
            Q(pilot__isnull=False) & unit_scope(user, "pilot__unit__")
        )


class Attachment(models.Model):
    """A document attached to a report part or a pilot application section."""

    file = models.OneToOneField("files.StoredFile", on_delete=models.PROTECT, related_name="+")
    report = models.ForeignKey(
        StageReport, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    pilot = models.ForeignKey(
        "PilotApplication",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    part = models.CharField(_("内容项"), max_length=40)

    objects = AttachmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("报送附件")
        verbose_name_plural = _("报送附件")
        constraints = [
            models.CheckConstraint(
                condition=Q(report__isnull=False, pilot__isnull=True)
                | Q(report__isnull=True, pilot__isnull=False),
                name="attachment_one_owner",
            )
        ]

    def __str__(self):
        return f"{self.part} #{self.file_id}"


# --- Pilot applications -------------------------------------------------------------------


class PilotApplicationQuerySet(ScopedQuerySet):
    @staticmethod
    def scope_filter(user) -> Q:
        return unit_scope(user, "unit__")


PILOT_SECTIONS = [
    ("analysis", _("本地留守儿童群体的情况分析报告")),
    ("basics", _("工作基本情况和特色经验")),
    ("plan", _("试点工作的详细方案")),
]


class PilotApplication(models.Model):
    class Origin(models.TextChoices):
        SELF = "self", _("自主申报")
        DESIGNATED = "designated", _("省级指定")

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("已申报")
        CONSULTED = "consulted", _("已征求意见")
        RECOMMENDED = "recommended", _("拟推荐上报")
        NOT_RECOMMENDED = "not_recommended", _("不予推荐")
        DESIGNATED = "designated", _("确定为试点")
        NOT_DESIGNATED = "not_designated", _("未确定为试点")

    year = models.ForeignKey(CampaignYear, on_delete=models.PROTECT, related_name="pilots")
    unit = models.ForeignKey(
        ReportingUnit, verbose_name=_("申报单位"), on_delete=models.PROTECT, related_name="pilots"
    )
    origin = models.CharField(_("申报形式"), max_length=12, choices=Origin.choices)
    title = models.CharField(_("试点项目名称"), max_length=150)
    analysis = models.TextField(_("本地留守儿童群体的情况分析报告"), blank=True)
    basics = models.TextField(_("工作基本情况和特色经验"), blank=True)
    plan = models.TextField(_("试点工作的详细方案"), blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    consultation = models.TextField(_("征求意见情况"), blank=True)
    decision_note = models.CharField(_("市级决定说明"), max_length=500, blank=True)
    province_note = models.CharField(_("省级确定说明"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = PilotApplicationQuerySet.as_manager()

    class Meta:
        verbose_name = _("试点申报")
        verbose_name_plural = _("试点申报")
        ordering = ["-created_at"]

    def __str__(self):
        return self.title


class PilotCriterion(models.Model):
    """A criterion city reviewers score pilot applications against (configured in the admin)."""

    year = models.ForeignKey(CampaignYear, on_delete=models.CASCADE, related_name="criteria")
    name = models.CharField(_("评分项"), max_length=100)
    max_score = models.PositiveSmallIntegerField(_("满分"), default=10)
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        verbose_name = _("评审标准")
        verbose_name_plural = _("评审标准")
        ordering = ["year", "order", "pk"]

    def __str__(self):
        return f"{self.name}（{self.max_score} 分）"


class PilotScore(models.Model):
    application = models.ForeignKey(
        PilotApplication, on_delete=models.CASCADE, related_name="scores"
    )
    criterion = models.ForeignKey(PilotCriterion, on_delete=models.PROTECT, related_name="+")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    score = models.PositiveSmallIntegerField(_("得分"))
    comment = models.CharField(_("评语"), max_length=500, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("评审打分")
        verbose_name_plural = _("评审打分")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "criterion", "reviewer"], name="one_score_per_reviewer"
            )
        ]

    def __str__(self):
        return f"{self.criterion_id}: {self.score}"


# --- Showcase ------------------------------------------------------------------------------


class ShowcaseQuerySet(ScopedQuerySet):
    @staticmethod
    def scope_filter(user) -> Q:
        return unit_scope(user, "unit__")

    def public(self):
        """What the public showcase may show: approved, and consent recorded for any child."""
        return self.filter(status="approved").filter(
            Q(shows_children=False) | Q(consent_recorded=True)
        )


class Story(models.Model):
    class Kind(models.TextChoices):
        STORY = "story", _("感人事迹")
        FILM = "film", _("微电影")
        PHOTO = "photo", _("摄影作品")
        INTERVIEW = "interview", _("记者采访")

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("待审核")
        APPROVED = "approved", _("已发布")
        REJECTED = "rejected", _("未采用")

    year = models.ForeignKey(CampaignYear, on_delete=models.PROTECT, related_name="stories")
    unit = models.ForeignKey(
        ReportingUnit, verbose_name=_("报送单位"), on_delete=models.PROTECT, related_name="stories"
    )
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    title = models.CharField(_("标题"), max_length=150)
    body = models.TextField(_("内容"), blank=True)
    link = models.URLField(_("视频链接"), blank=True)
    shows_children = models.BooleanField(_("含儿童肖像或信息"), default=False)
    consent_recorded = models.BooleanField(_("已取得监护人同意"), default=False)
    consent_note = models.CharField(_("同意书说明"), max_length=200, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    review_comment = models.CharField(_("审核意见"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = ShowcaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("展示作品")
        verbose_name_plural = _("展示作品")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="approved")
                | Q(shows_children=False)
                | Q(consent_recorded=True),
                name="story_published_only_with_consent",
            )
        ]

    def __str__(self):
        return self.title


class StoryPhotoQuerySet(ScopedQuerySet):
    @staticmethod
    def scope_filter(user) -> Q:
        q = unit_scope(user, "story__unit__")
        if user.role == Role.CITY_OFFICER and q != NOTHING:
            # City officers see no child-level personal data: no photo of a child whose
            # guardian has not consented.
            q &= Q(shows_child=False) | Q(consent_recorded=True)
        return q


class StoryPhoto(models.Model):
    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="photos")
    file = models.OneToOneField("files.StoredFile", on_delete=models.PROTECT, related_name="+")
    caption = models.CharField(_("说明"), max_length=200, blank=True)
    shows_child = models.BooleanField(_("照片中有儿童"), default=False)
    consent_recorded = models.BooleanField(_("已取得监护人同意"), default=False)

    objects = StoryPhotoQuerySet.as_manager()

    class Meta:
        verbose_name = _("作品照片")
        verbose_name_plural = _("作品照片")
        ordering = ["story", "pk"]

    def __str__(self):
        return self.caption or f"#{self.pk}"


class NominationQuerySet(ScopedQuerySet):
    @staticmethod
    def scope_filter(user) -> Q:
        return unit_scope(user, "unit__")

    def public(self):
        return self.filter(status="approved")


class Nomination(models.Model):
    class Category(models.TextChoices):
        COLLECTIVE = "collective", _("先进集体")
        INDIVIDUAL = "individual", _("先进个人")
        BRAND = "brand", _("品牌项目")

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("待评审")
        APPROVED = "approved", _("评审通过")
        REJECTED = "rejected", _("未通过")

    year = models.ForeignKey(CampaignYear, on_delete=models.PROTECT, related_name="nominations")
    unit = models.ForeignKey(
        ReportingUnit,
        verbose_name=_("推荐单位"),
        on_delete=models.PROTECT,
        related_name="nominations",
    )
    category = models.CharField(_("类别"), max_length=12, choices=Category.choices)
    name = models.CharField(_("推荐对象"), max_length=100)
    summary = models.TextField(_("主要事迹"))
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    review_comment = models.CharField(_("评审意见"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = NominationQuerySet.as_manager()

    class Meta:
        verbose_name = _("先进推荐")
        verbose_name_plural = _("先进推荐")
        ordering = ["category", "-created_at"]

    def __str__(self):
        return f"{self.get_category_display()}：{self.name}"


# The December evaluation (campaign/evaluation/) and the programmes (campaign/programmes/)
# live in their own modules; imported here so Django finds their models.
from .evaluation.models import (  # noqa: E402, F401
    Assessment,
    DashboardFigure,
    DashboardRefresh,
    Indicator,
    IndicatorGroup,
    IndicatorTable,
    RollupJob,
    Snapshot,
)
from .programmes.models import *  # noqa: E402,F401,F403
