"""Volunteer teams (志愿服务队), volunteer profiles and memberships, service-hour records, and
the uploads (volunteer rosters, 志愿汇 exports) that fill them.

A volunteer profile is not a login: most volunteers never sign in; a profile may be linked
to a ``volunteer`` user. Service records are never deleted: a declined record keeps its
reason. Scoping follows the team: the city sees all, a district its county's teams, a
coordinator its organisation's, school staff their school's, a volunteer only their own
profile and records.
"""

import uuid

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from children.choices import Gender
from huzhou_care.accounts.models import Role
from huzhou_care.accounts.scoping import NOTHING, ScopedQuerySet
from huzhou_care.crypto.fields import EncryptedField


def team_scope(user, prefix: str = "") -> Q:
    """The teams a user manages or oversees, as a Q on ``prefix`` + team fields."""
    if user.sees_whole_city:
        return Q()
    if user.role == Role.DISTRICT_STAFF:
        return Q(**{f"{prefix}county_id": user.district_id})
    if user.role == Role.SCHOOL_STAFF:
        return Q(**{f"{prefix}school_id": user.school_id})
    if user.role == Role.ORG_COORDINATOR:
        return Q(**{f"{prefix}organization_id": user.organization_id})
    if user.role == Role.VOLUNTEER and user.pk:
        # A volunteer with a login who leads a team approves its hours and applications.
        return Q(**{f"{prefix}leader__user_id": user.pk})
    return NOTHING


class TeamKind(models.TextChoices):
    UNIVERSITY = "university", _("高校")
    ENTERPRISE = "enterprise", _("市属企业")
    AGENCY = "agency", _("机关")
    LEAGUE = "league", _("团组织")
    YOUTH_PALACE = "youth_palace", _("青少年宫")
    SCHOOL_STAFF = "school_staff", _("学校教职工")
    SUMMER_PRACTICE = "summer_practice", _("三下乡社会实践团")
    SOCIAL = "social", _("社会组织")
    CARING_MOTHERS = "caring_mothers", _("爱心妈妈")


class PoliticalStatus(models.TextChoices):
    PARTY = "party", _("中共党员")
    LEAGUE = "league", _("共青团员")
    MASSES = "masses", _("群众")


class Programme(models.TextChoices):
    HOLIDAYS = "holidays", _("七彩假期")
    WARM_HEARTS = "warm_hearts", _("情暖童心")
    HAND_IN_HAND = "hand_in_hand", _("心手相连")
    GROWING = "growing", _("相伴成长")


class TeamQuerySet(ScopedQuerySet):
    @staticmethod
    def scope_filter(user) -> Q:
        return team_scope(user)


team_code_validator = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9_-]{1,31}$",
    _("队伍编码由 2～32 位字母、数字、下划线或短横线组成，以字母或数字开头"),
)


class Team(models.Model):
    code = models.CharField(
        _("队伍编码"), max_length=32, unique=True, validators=[team_code_validator]
    )
    name = models.CharField(_("队伍名称"), max_length=100)
    kind = models.CharField(_("队伍类型"), max_length=20, choices=TeamKind.choices)
    organization = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("所属单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="teams",
    )
    school = models.ForeignKey(
        "orgs.School",
        verbose_name=_("所属学校"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="teams",
    )
    # The school's county, or a county-level organisation's; empty for city-level bodies.
    county = models.ForeignKey(
        "orgs.OrgUnit",
        verbose_name=_("区县"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"level": "county"},
    )
    leader = models.ForeignKey(
        "Volunteer",
        verbose_name=_("队长"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    is_active = models.BooleanField(_("在用"), default=True)
    imports_approved = models.BooleanField(
        _("志愿汇导入的时长直接通过"),
        default=True,
        help_text=_("志愿汇是时长的权威记录；取消勾选则导入的记录先进入待审核"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = TeamQuerySet.as_manager()

    class Meta:
        verbose_name = _("志愿服务队")
        verbose_name_plural = _("志愿服务队")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(organization__isnull=True, school__isnull=False)
                | Q(organization__isnull=False, school__isnull=True),
                name="team_belongs_to_organization_or_school",
            ),
        ]
        # A district's list of its teams.
        indexes = [models.Index(fields=["county", "code"], name="team_county_code")]

    def __str__(self):
        return self.name

    @property
    def owner(self):
        return self.school or self.organization


class VolunteerQuerySet(ScopedQuerySet):
    @staticmethod
    def scope_filter(user) -> Q:
        if user.sees_whole_city:
            return Q()
        if user.role == Role.VOLUNTEER:
            return Q(user_id=user.pk) if user.pk else NOTHING
        teams = team_scope(user, "team__")
        if teams == NOTHING:
            return NOTHING
        return Q(pk__in=Membership.objects.filter(teams).values("volunteer_id"))


class Volunteer(models.Model):
    name = models.CharField(_("姓名"), max_length=50)
    gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices, blank=True)
    # SM4-encrypted (huzhou_care.crypto); lists read the stored masked form.
    mobile = EncryptedField(_("手机号码"), kind="phone", blank=True, masked="mobile_masked")
    mobile_masked = models.CharField(max_length=20, blank=True, editable=False)
    zyh_account = models.CharField(_("志愿汇账号"), max_length=32, unique=True)
    unit = models.CharField(_("所在单位"), max_length=100, blank=True)
    skills = models.CharField(_("技能特长"), max_length=200, blank=True)
    political_status = models.CharField(
        _("政治面貌"), max_length=10, choices=PoliticalStatus.choices, blank=True
    )
    is_active = models.BooleanField(_("在用"), default=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登录账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="volunteer_profile",
        limit_choices_to={"role": Role.VOLUNTEER},
    )
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = VolunteerQuerySet.as_manager()

    class Meta:
        verbose_name = _("志愿者")
        verbose_name_plural = _("志愿者")
        ordering = ["name", "pk"]

    def __str__(self):
        return self.name


class MembershipQuerySet(ScopedQuerySet):
    @staticmethod
    def scope_filter(user) -> Q:
        if user.role == Role.VOLUNTEER:
            # their own memberships, and those of the teams they lead
            return (
                Q(volunteer__user_id=user.pk) | team_scope(user, "team__") if user.pk else NOTHING
            )
        return team_scope(user, "team__")


class Membership(models.Model):
    class TeamRole(models.TextChoices):
        LEADER = "leader", _("队长")
        MEMBER = "member", _("队员")

    class State(models.TextChoices):
        APPLIED = "applied", _("申请中")
        ACTIVE = "active", _("在队")
        LEFT = "left", _("已退出")

    volunteer = models.ForeignKey(
        Volunteer, verbose_name=_("志愿者"), on_delete=models.CASCADE, related_name="memberships"
    )
    team = models.ForeignKey(
        Team, verbose_name=_("队伍"), on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(
        _("队内角色"), max_length=10, choices=TeamRole.choices, default=TeamRole.MEMBER
    )
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.ACTIVE)
    joined_on = models.DateField(_("入队日期"), null=True, blank=True)
    requested_at = models.DateTimeField(_("申请时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("队伍成员")
        verbose_name_plural = _("队伍成员")
        ordering = ["team", "volunteer__name"]
        constraints = [
            models.UniqueConstraint(fields=["team", "volunteer"], name="membership_unique"),
        ]
        # The volunteer's teams (profile page, scoping of volunteers by team).
        indexes = [models.Index(fields=["volunteer", "team"], name="membership_volunteer")]

    def __str__(self):
        return f"{self.volunteer} · {self.team}"


class ServiceRecordQuerySet(ScopedQuerySet):
    @staticmethod
    def scope_filter(user) -> Q:
        if user.role == Role.VOLUNTEER:
            # their own records, and those of the teams they lead
            return (
                Q(volunteer__user_id=user.pk) | team_scope(user, "team__") if user.pk else NOTHING
            )
        return team_scope(user, "team__")

    def approved(self):
        return self.filter(state=ServiceRecord.State.APPROVED)


class ServiceRecord(models.Model):
    """One service: who, for which team, when, how long. Identity: (volunteer, sign-in time),
    or (volunteer, service date, activity) when only the date is known; the database
    enforces both, so a re-import or a race can never count the same service twice."""

    class State(models.TextChoices):
        PENDING = "pending", _("待审核")
        APPROVED = "approved", _("已通过")
        DECLINED = "declined", _("未通过")

    class Source(models.TextChoices):
        IMPORT = "import", _("志愿汇导入")
        ENTERED = "entered", _("手工录入")
        VISIT = "visit", _("走访记录")

    # No single-column FK indexes: volunteer and team lead composite indexes below, and
    # uploads and deciders are never looked up from here (an import writes 100,000 rows).
    volunteer = models.ForeignKey(
        Volunteer,
        verbose_name=_("志愿者"),
        on_delete=models.PROTECT,
        related_name="records",
        db_index=False,
    )
    team = models.ForeignKey(
        Team,
        verbose_name=_("队伍"),
        on_delete=models.PROTECT,
        related_name="records",
        db_index=False,
    )
    service_date = models.DateField(_("服务日期"))
    signed_in_at = models.DateTimeField(_("签到时间"), null=True, blank=True)
    signed_out_at = models.DateTimeField(_("签退时间"), null=True, blank=True)
    hours = models.DecimalField(_("服务时长（小时）"), max_digits=5, decimal_places=2)
    activity_name = models.CharField(_("活动名称"), max_length=100)
    programme = models.CharField(_("项目"), max_length=20, choices=Programme.choices, blank=True)
    # Later: a link to a campaign activity or a pairing visit (pairing/, campaign/).
    source = models.CharField(_("来源"), max_length=10, choices=Source.choices)
    upload = models.ForeignKey(
        "VolunteerUpload",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    state = models.CharField(
        _("审核状态"), max_length=10, choices=State.choices, default=State.PENDING
    )
    decline_reason = models.CharField(_("未通过原因"), max_length=200, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    objects = ServiceRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("服务时长记录")
        verbose_name_plural = _("服务时长记录")
        ordering = ["-service_date", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["volunteer", "signed_in_at"],
                condition=Q(signed_in_at__isnull=False),
                name="record_unique_sign_in",
            ),
            models.UniqueConstraint(
                fields=["volunteer", "service_date", "activity_name"],
                condition=Q(signed_in_at__isnull=True),
                name="record_unique_date_activity",
            ),
            models.CheckConstraint(
                condition=Q(hours__gt=0) & Q(hours__lte=24), name="record_hours_range"
            ),
            models.CheckConstraint(
                condition=~Q(state="declined") | ~Q(decline_reason=""),
                name="record_declined_has_reason",
            ),
        ]
        indexes = [
            # A team's approval list (by state, newest first) and its hours by month.
            models.Index(fields=["team", "state", "service_date"], name="record_team_state"),
            # A volunteer's totals and records (the unique constraint covers sign-ins only).
            models.Index(fields=["volunteer", "state"], name="record_volunteer_state"),
        ]

    def __str__(self):
        return f"{self.volunteer} {self.service_date} {self.hours}h"


def volunteer_file_path(instance, filename):
    """Stored under a random name; the coordinator's file name is kept in the row only."""
    return f"volunteer-uploads/{timezone.now():%Y/%m}/{uuid.uuid4().hex}"


class VolunteerUploadQuerySet(ScopedQuerySet):
    @staticmethod
    def scope_filter(user) -> Q:
        if user.role in (Role.CITY_OFFICER, Role.VOLUNTEER):  # uploads are coordinators' work
            return NOTHING
        return team_scope(user, "team__")


class VolunteerUpload(models.Model):
    """One uploaded volunteer roster or 志愿汇 export: checked into a preview, then confirmed
    (all-or-nothing) or cancelled."""

    class Kind(models.TextChoices):
        VOLUNTEERS = "volunteers", _("志愿者名册")
        HOURS = "hours", _("志愿汇服务时长")

    class Status(models.TextChoices):
        PENDING = "pending", _("排队中")
        PARSING = "parsing", _("正在检查")
        PREVIEW = "preview", _("待确认")
        IMPORTING = "importing", _("正在导入")
        DONE = "done", _("已导入")
        FAILED = "failed", _("检查未通过")
        CANCELLED = "cancelled", _("已取消")

    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    team = models.ForeignKey(
        Team, verbose_name=_("队伍"), on_delete=models.PROTECT, related_name="uploads"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    file = models.FileField(_("文件"), upload_to=volunteer_file_path)
    original_name = models.CharField(_("文件名"), max_length=200)
    size = models.PositiveIntegerField(_("大小"))
    sha256 = models.CharField(max_length=64)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    progress = models.PositiveSmallIntegerField(_("进度"), default=0)
    message = models.CharField(_("说明"), max_length=300, blank=True)
    rows = models.PositiveIntegerField(_("数据行"), default=0)
    new = models.PositiveIntegerField(_("新增"), default=0)
    updated = models.PositiveIntegerField(_("更新"), default=0)
    unchanged = models.PositiveIntegerField(_("无变化"), default=0)
    rejected = models.PositiveIntegerField(_("不予导入"), default=0)
    warnings = models.JSONField(_("提示"), default=list, blank=True)
    header = models.JSONField(_("表头"), default=list, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)

    objects = VolunteerUploadQuerySet.as_manager()

    class Meta:
        verbose_name = _("志愿者文件上传")
        verbose_name_plural = _("志愿者文件上传")
        ordering = ["-uploaded_at", "-pk"]
        indexes = [models.Index(fields=["team", "-uploaded_at"], name="vupload_team_recent")]

    def __str__(self):
        return f"{self.original_name}（{self.team}）"

    @property
    def ref(self) -> str:
        return f"volunteer-upload:{self.pk}"

    @property
    def in_progress(self) -> bool:
        return self.status in (self.Status.PENDING, self.Status.PARSING, self.Status.IMPORTING)


class VolunteerUploadRow(models.Model):
    """The preview of one row of an upload: what confirming would do with it."""

    class Outcome(models.TextChoices):
        NEW = "new", _("新增")
        UPDATE = "update", _("更新")
        UNCHANGED = "unchanged", _("无变化")
        REJECTED = "rejected", _("不予导入")

    upload = models.ForeignKey(
        VolunteerUpload, on_delete=models.CASCADE, related_name="preview_rows"
    )
    row_number = models.PositiveIntegerField(_("行号"))
    outcome = models.CharField(_("结果"), max_length=10, choices=Outcome.choices)
    name = models.CharField(_("姓名"), max_length=50, blank=True)
    account = models.CharField(_("志愿汇账号"), max_length=40, blank=True)
    detail = models.CharField(_("内容"), max_length=200, blank=True)
    errors = models.JSONField(default=list, blank=True)
    raw = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["row_number"]
        indexes = [
            models.Index(fields=["upload", "outcome", "row_number"], name="vuploadrow_outcome")
        ]

    def __str__(self):
        return f"第{self.row_number}行 {self.get_outcome_display()}"
