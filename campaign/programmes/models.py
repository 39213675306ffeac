"""Models of the programmes (see the package docstring). Scoping: venues and activities follow
their district (and the organising team); records about one child follow the child, as the
registry does (a district its county, a school its school; city officers count only)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from children.choices import GuardianshipAssessment
from huzhou_care.accounts.models import Role
from huzhou_care.accounts.scoping import NOTHING, ScopedQuerySet, place_scope
from huzhou_care.crypto.fields import EncryptedField
from volunteers.models import Programme

__all__ = [
    "VenueKind",
    "Facility",
    "Venue",
    "VenuePhoto",
    "ActivityKind",
    "OnlinePlatform",
    "Activity",
    "ActivityVolunteer",
    "ActivityChild",
    "ActivityPhoto",
    "Wish",
    "WishClaim",
    "AidRecord",
    "SupportPlan",
    "SupportReview",
    "GuardianshipReview",
    "FollowUp",
]


def child_record_scope(user, prefix: str = "child__") -> Q:
    """Rows about one child: the child's district or school (city admins all)."""
    return place_scope(user, county=f"{prefix}county_id", school=f"{prefix}school_id")


class VenueKind(models.TextChoices):
    YOUTH_HOME = "youth_home", _("青年之家")
    COLOURFUL_HUT = "colourful_hut", _("七彩小屋")
    WOMEN_HOME = "women_home", _("妇女之家")
    CHILDREN_HOME = "children_home", _("儿童之家")
    SCHOOL_PALACE = "school_palace", _("乡村学校少年宫")
    YOUTH_PALACE = "youth_palace", _("青少年宫")
    MOBILE_PALACE = "mobile_palace", _("流动少年宫")
    CARE_HOME = "care_home", _("关爱儿童之家")
    CARE_CENTRE = "care_centre", _("留守儿童志愿管护中心")
    SUNNY_HUT = "sunny_hut", _("阳光假日小屋")


class Facility(models.TextChoices):
    TOYS = "toys", _("玩具")
    BOOKS = "books", _("儿童图书")
    COMPUTERS = "computers", _("电脑")
    DESKS = "desks", _("书桌")
    DANCE = "dance", _("舞蹈室")
    COUNSELLING = "counselling", _("心理咨询室")
    TUTORING = "tutoring", _("学业辅导室")
    SPORTS = "sports", _("体育器材")


class VenueQuerySet(ScopedQuerySet):
    @staticmethod
    def scope_filter(user) -> Q:
        # Venues are places, not personal data: the city and the coordinators (who bring
        # activities there) see all; a district its county; a school its county's.
        if user.sees_whole_city or user.role == Role.ORG_COORDINATOR:
            return Q()
        if user.role == Role.DISTRICT_STAFF:
            return Q(county_id=user.district_id)
        if user.role == Role.SCHOOL_STAFF:
            return Q(county_id=user.school.county_id) if user.school_id else NOTHING
        return NOTHING


class Venue(models.Model):
    name = models.CharField(_("阵地名称"), max_length=100)
    kind = models.CharField(_("阵地类型"), max_length=20, choices=VenueKind.choices)
    county = models.ForeignKey(
        "orgs.OrgUnit", verbose_name=_("区县"), on_delete=models.PROTECT, related_name="+"
    )
    township = models.ForeignKey(
        "orgs.OrgUnit", verbose_name=_("乡镇(街道)"), on_delete=models.PROTECT, related_name="+"
    )
    address = models.CharField(_("地址"), max_length=200)
    managed_by = models.CharField(_("管理单位"), max_length=100)
    opening_hours = models.CharField(_("开放时间"), max_length=100, blank=True)
    facilities = models.JSONField(_("设施"), default=list, blank=True)
    is_active = models.BooleanField(_("在用"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    objects = VenueQuerySet.as_manager()

    class Meta:
        verbose_name = _("关爱阵地")
        verbose_name_plural = _("关爱阵地")
        ordering = ["county", "kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["county", "name"], name="venue_unique_name"),
        ]

    def __str__(self):
        return self.name

    def facility_labels(self) -> list[str]:
        return [Facility(f).label for f in self.facilities if f in Facility.values]


class PhotoBase(models.Model):
    """A photo (or document) stored through huzhou_care.files. A photo showing a child may be
    used in the showcase only with the guardian's consent recorded."""

    file = models.OneToOneField("files.StoredFile", on_delete=models.PROTECT, related_name="+")
    caption = models.CharField(_("说明"), max_length=200, blank=True)
    shows_child = models.BooleanField(_("照片中有儿童"), default=False)
    consent_recorded = models.BooleanField(_("已取得监护人同意"), default=False)

    class Meta:
        abstract = True

    def __str__(self):
        return self.caption or f"#{self.pk}"

    @property
    def showcase_ready(self) -> bool:
        return not self.shows_child or self.consent_recorded


class VenuePhotoQuerySet(ScopedQuerySet):
    @staticmethod
    def scope_filter(user) -> Q:
        # Photos may show children: the city officer and other counties' staff do not open them.
        if user.is_city_admin:
            return Q()
        if user.role == Role.DISTRICT_STAFF:
            return Q(venue__county_id=user.district_id)
        if user.role == Role.SCHOOL_STAFF and user.school_id:
            return Q(venue__county_id=user.school.county_id)
        return NOTHING


class VenuePhoto(PhotoBase):
    venue = models.ForeignKey(Venue, on_delete=models.CASCADE, related_name="photos")

    objects = VenuePhotoQuerySet.as_manager()

    class Meta:
        verbose_name = _("阵地照片")
        verbose_name_plural = _("阵地照片")
        ordering = ["pk"]


class ActivityKind(models.TextChoices):
    HOLIDAY_CARE = "holiday_care", _("假期陪护")
    TUTORING = "tutoring", _("学业辅导")
    SELF_PROTECTION = "self_protection", _("自护教育")
    SPORTS_ARTS = "sports_arts", _("文体活动")
    SAFETY = "safety", _("安全知识宣讲")
    ENVIRONMENT = "environment", _("环保宣讲")
    LAW = "law", _("法治教育")
    MENTAL_HEALTH = "mental_health", _("心理健康讲座")
    RED_STUDY = "red_study", _("红色研学")
    CULTURE = "culture", _("送文化下乡")
    PARENT_CHILD = "parent_child", _("亲子互动")
    BREAKFAST = "breakfast", _("早餐看护")
    SOCIAL_SKILLS = "social_skills", _("人际关系训练")
    FAMILY_EDUCATION = "family_education", _("家庭教育指导")
    CRISIS = "crisis", _("危机干预")
    OTHER = "other", _("其他")


class OnlinePlatform(models.TextChoices):
    YOUTH_LECTURE = "youth_lecture", _("青年讲堂")
    QINQINGBANG = "qinqingbang", _("亲青帮")


def activity_scope(user, prefix: str = "") -> Q:
    if user.sees_whole_city:
        return Q()
    if user.role == Role.DISTRICT_STAFF:
        return Q(**{f"{prefix}county_id": user.district_id})
    if user.role == Role.SCHOOL_STAFF:
        return Q(**{f"{prefix}team__school_id": user.school_id})
    if user.role == Role.ORG_COORDINATOR:
        return Q(**{f"{prefix}organization_id": user.organization_id}) | Q(
            **{f"{prefix}team__organization_id": user.organization_id}
        )
    return NOTHING


class ActivityQuerySet(ScopedQuerySet):
    @staticmethod
    def scope_filter(user) -> Q:
        return activity_scope(user)


class Activity(models.Model):
    programme = models.CharField(_("项目"), max_length=20, choices=Programme.choices)
    kind = models.CharField(_("活动类型"), max_length=20, choices=ActivityKind.choices)
    title = models.CharField(_("活动名称"), max_length=80)
    team = models.ForeignKey(
        "volunteers.Team",
        verbose_name=_("组织队伍"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    organization = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("组织单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The district the activity counts for (the venue's, else the organiser's).
    county = models.ForeignKey(
        "orgs.OrgUnit", verbose_name=_("区县"), on_delete=models.PROTECT, related_name="+"
    )
    venue = models.ForeignKey(
        Venue,
        verbose_name=_("活动阵地"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="activities",
    )
    online = models.CharField(
        _("线上平台"), max_length=20, choices=OnlinePlatform.choices, blank=True
    )
    starts_at = models.DateTimeField(_("开始时间"))
    hours = models.DecimalField(_("服务时长（小时）"), max_digits=4, decimal_places=1)
    anonymous_count = models.PositiveIntegerField(
        _("其他参与儿童（仅人数）"), default=0, help_text=_("未逐一登记的参与儿童人数")
    )
    summary = models.TextField(_("活动小结"), blank=True)
    volunteers = models.ManyToManyField(
        "volunteers.Volunteer", through="ActivityVolunteer", related_name="+"
    )
    children = models.ManyToManyField("children.Child", through="ActivityChild", related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    objects = ActivityQuerySet.as_manager()

    class Meta:
        verbose_name = _("关爱活动")
        verbose_name_plural = _("关爱活动")
        ordering = ["-starts_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(venue__isnull=False) & Q(online=""))
                | (Q(venue__isnull=True) & ~Q(online="")),
                name="activity_venue_or_online",
            ),
            models.CheckConstraint(
                condition=Q(team__isnull=False) | Q(organization__isnull=False),
                name="activity_has_organiser",
            ),
            models.CheckConstraint(
                condition=Q(hours__gt=0) & Q(hours__lte=24), name="activity_hours_range"
            ),
        ]
        indexes = [
            models.Index(fields=["county", "-starts_at"], name="activity_county_start"),
        ]

    def __str__(self):
        return self.title

    @property
    def organiser(self):
        return self.team or self.organization

    @property
    def place_label(self) -> str:
        return str(self.venue) if self.venue_id else f"线上·{self.get_online_display()}"


class ActivityVolunteer(models.Model):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="served")
    volunteer = models.ForeignKey(
        "volunteers.Volunteer", on_delete=models.PROTECT, related_name="+"
    )
    # The 待审核 service-hour record this service produced (the team approves it).
    record = models.OneToOneField(
        "volunteers.ServiceRecord", on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["activity", "volunteer"], name="activity_volunteer"),
        ]

    def __str__(self):
        return f"{self.activity_id}:{self.volunteer_id}"


class ActivityChild(models.Model):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="reached")
    child = models.ForeignKey("children.Child", on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["activity", "child"], name="activity_child"),
        ]

    def __str__(self):
        return f"{self.activity_id}:{self.child_id}"


class ActivityPhotoQuerySet(ScopedQuerySet):
    @staticmethod
    def scope_filter(user) -> Q:
        if user.role == Role.CITY_OFFICER:
            return NOTHING
        return activity_scope(user, "activity__")


class ActivityPhoto(PhotoBase):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="photos")

    objects = ActivityPhotoQuerySet.as_manager()

    class Meta:
        verbose_name = _("活动照片")
        verbose_name_plural = _("活动照片")
        ordering = ["pk"]


# --- Micro-wishes -------------------------------------------------------------------------


class WishQuerySet(ScopedQuerySet):
    @staticmethod
    def scope_filter(user) -> Q:
        return child_record_scope(user)

    def on_wall(self):
        return self.filter(status__in=Wish.WALL_STATES)


class Wish(models.Model):
    class Status(models.TextChoices):
        COLLECTED = "collected", _("待区县审核")
        REJECTED = "rejected", _("未通过")
        PUBLISHED = "published", _("已发布")
        CLAIM_PENDING = "claim_pending", _("认领待确认")
        CLAIMED = "claimed", _("已认领")
        FULFILLED = "fulfilled", _("已圆梦")

    WALL_STATES = (Status.PUBLISHED, Status.CLAIM_PENDING, Status.CLAIMED, Status.FULFILLED)
    #: A claimed wish not fulfilled within this many days may be released back to the wall.
    RELEASE_AFTER_DAYS = 30

    child = models.ForeignKey(
        "children.Child", verbose_name=_("儿童"), on_delete=models.PROTECT, related_name="+"
    )
    item = models.CharField(_("心愿物品"), max_length=60)
    estimated_value = models.DecimalField(_("估价（元）"), max_digits=8, decimal_places=2)
    story = models.CharField(_("心愿故事"), max_length=300, blank=True)
    priority = models.BooleanField(_("优先（低保家庭）"), default=False)
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.COLLECTED
    )
    collected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    collected_at = models.DateTimeField(_("征集时间"), default=timezone.now)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    review_note = models.CharField(_("审核意见"), max_length=200, blank=True)
    fulfilled_on = models.DateField(_("圆梦日期"), null=True, blank=True)
    evidence = models.OneToOneField(
        "files.StoredFile",
        verbose_name=_("圆梦照片"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    evidence_consent = models.BooleanField(_("照片已取得监护人同意"), default=False)

    objects = WishQuerySet.as_manager()

    class Meta:
        verbose_name = _("微心愿")
        verbose_name_plural = _("微心愿")
        ordering = ["-priority", "-collected_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="fulfilled")
                | (Q(evidence__isnull=False) & Q(fulfilled_on__isnull=False)),
                name="wish_fulfilled_has_evidence",
            ),
            models.CheckConstraint(
                condition=Q(estimated_value__gte=0), name="wish_value_not_negative"
            ),
        ]
        indexes = [models.Index(fields=["status", "-priority"], name="wish_status_priority")]

    def __str__(self):
        return self.item

    @property
    def active_claim(self):
        return self.claims.filter(status__in=WishClaim.ACTIVE).first()


class WishClaim(models.Model):
    """Someone's claim of a wish. At most one live claim per wish (partial unique constraint):
    two people claiming at the same moment cannot both hold it."""

    class Kind(models.TextChoices):
        PUBLIC = "public", _("爱心人士")
        ORGANIZATION = "organization", _("爱心单位")
        VOLUNTEER = "volunteer", _("志愿者")

    class Status(models.TextChoices):
        PENDING = "pending", _("待区县确认")
        CONFIRMED = "confirmed", _("已确认")
        DECLINED = "declined", _("未确认")
        FULFILLED = "fulfilled", _("已圆梦")
        RELEASED = "released", _("逾期释放")

    ACTIVE = (Status.PENDING, Status.CONFIRMED, Status.FULFILLED)

    wish = models.ForeignKey(Wish, on_delete=models.PROTECT, related_name="claims")
    kind = models.CharField(_("认领人类型"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("认领人姓名/单位"), max_length=60)
    phone = EncryptedField(_("联系电话"), kind="phone", masked="phone_masked")
    phone_masked = models.CharField(max_length=20, blank=True, editable=False)
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    claimed_at = models.DateTimeField(_("认领时间"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("心愿认领")
        verbose_name_plural = _("心愿认领")
        ordering = ["-claimed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["wish"],
                condition=Q(status__in=["pending", "confirmed", "fulfilled"]),
                name="wish_claimed_once",
            ),
        ]

    def __str__(self):
        return f"{self.name} · {self.wish}"


# --- Aid, support plans, guardianship follow-up ------------------------------------------


class ChildRecordQuerySet(ScopedQuerySet):
    @staticmethod
    def scope_filter(user) -> Q:
        return child_record_scope(user)


class AidRecord(models.Model):
    class Kind(models.TextChoices):
        WARM_HEARTS = "warm_hearts", _("情暖童心资助")
        NEW_PARADISE = "new_paradise", _("焕新乐园")
        DREAMS = "dreams", _("你有梦想·我有行动")
        PIONEERS = "pioneers", _("少先队专项资助")
        OTHER = "other", _("其他")

    class Source(models.TextChoices):
        DONATION = "donation", _("社会捐赠")
        CROWDFUNDING = "crowdfunding", _("亲青筹众筹")
        CHARITY_SALE = "charity_sale", _("爱心义卖")

    child = models.ForeignKey(
        "children.Child", verbose_name=_("儿童"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("资助项目"), max_length=20, choices=Kind.choices)
    amount = models.DecimalField(
        _("金额（元）"), max_digits=9, decimal_places=2, null=True, blank=True
    )
    items = models.CharField(_("物品"), max_length=200, blank=True)
    given_on = models.DateField(_("发放日期"))
    source = models.CharField(_("资金来源"), max_length=20, choices=Source.choices)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = ChildRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("资助记录")
        verbose_name_plural = _("资助记录")
        ordering = ["-given_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0) | ~Q(items=""), name="aid_amount_or_items"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.given_on}"


class SupportPlan(models.Model):
    """一人一案 for a disabled left-behind child."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("实施中")
        CLOSED = "closed", _("已结案")

    child = models.ForeignKey(
        "children.Child", verbose_name=_("儿童"), on_delete=models.PROTECT, related_name="+"
    )
    education = models.TextField(_("教育支持"))
    home_teaching = models.TextField(_("送教上门"), blank=True)
    rehabilitation = models.TextField(_("康复服务"), blank=True)
    starts_on = models.DateField(_("开始日期"))
    next_review_on = models.DateField(_("下次评估日期"))
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = ChildRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("一人一案")
        verbose_name_plural = _("一人一案")
        ordering = ["next_review_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["child"], condition=Q(status="active"), name="plan_one_active_per_child"
            ),
        ]

    def __str__(self):
        return f"一人一案 #{self.pk}"


class SupportReview(models.Model):
    plan = models.ForeignKey(SupportPlan, on_delete=models.CASCADE, related_name="reviews")
    reviewed_on = models.DateField(_("评估日期"))
    progress = models.TextField(_("实施情况与调整"))
    next_review_on = models.DateField(_("下次评估日期"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-reviewed_on", "-pk"]

    def __str__(self):
        return f"{self.plan_id} {self.reviewed_on}"


class GuardianshipReview(models.Model):
    """A social worker's assessment of the guardianship situation and capacity
    (监护情况和监护能力评估). Its result becomes the child's current assessment."""

    child = models.ForeignKey(
        "children.Child", verbose_name=_("儿童"), on_delete=models.PROTECT, related_name="+"
    )
    assessed_on = models.DateField(_("评估日期"))
    social_worker = models.CharField(_("社工姓名"), max_length=50)
    situation = models.TextField(_("监护情况"))
    capacity = models.TextField(_("监护能力"))
    result = models.CharField(_("评估结论"), max_length=10, choices=GuardianshipAssessment.choices)
    document = models.OneToOneField(
        "files.StoredFile",
        verbose_name=_("评估表"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = ChildRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("监护评估")
        verbose_name_plural = _("监护评估")
        ordering = ["-assessed_on", "-pk"]

    def __str__(self):
        return f"{self.get_result_display()} {self.assessed_on}"


class FollowUp(models.Model):
    """A crisis intervention or a family-education guidance session for one child."""

    class Kind(models.TextChoices):
        CRISIS = "crisis", _("危机干预")
        FAMILY_EDUCATION = "family_education", _("家庭教育指导")

    child = models.ForeignKey(
        "children.Child", verbose_name=_("儿童"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    on = models.DateField(_("日期"))
    summary = models.TextField(_("情况与措施"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = ChildRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("跟进记录")
        verbose_name_plural = _("跟进记录")
        ordering = ["-on", "-pk"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.on}"
