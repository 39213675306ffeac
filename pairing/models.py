"""心手相连: organisation–school pairings and their visits, person–child pairings, visits and
contacts with their follow-ups, and the feedback thread between school and paired person.

The database decides every race: one school per organisation and campaign year, and at most
one active pairing of each kind (staff / volunteer) per child, are constraints; a visit's
idempotency key is unique, so a phone that sends the same visit twice creates one visit.

Pairings and visits keep the child's county, township and school as they were when written
(``county`` etc.): the coverage and overdue pages count them with index-only scans instead of
joining a million children. A transfer ends the school-side pairing anyway.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from huzhou_care.accounts.models import Role
from huzhou_care.accounts.scoping import NOTHING, ScopedQuerySet, place_scope


def campaign_year(day=None) -> int:
    """The campaign year a day belongs to (the notice runs by calendar year)."""
    return (day or timezone.localdate()).year


class OrgSchoolPairingQuerySet(ScopedQuerySet):
    @staticmethod
    def scope_filter(user) -> Q:
        if user.sees_whole_city:
            return Q()
        if user.role == Role.DISTRICT_STAFF:
            return Q(school__county_id=user.district_id)
        if user.role == Role.SCHOOL_STAFF:
            return Q(school_id=user.school_id)
        if user.role == Role.ORG_COORDINATOR:
            return Q(organization_id=user.organization_id)
        return NOTHING


class OrgSchoolPairing(models.Model):
    """An organisation (a city-committee secretary's office, a department, university,
    enterprise, agency, league body, youth palace) pairs with one school per campaign year."""

    organization = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("结对单位"),
        on_delete=models.PROTECT,
        related_name="school_pairings",
    )
    school = models.ForeignKey(
        "orgs.School", verbose_name=_("结对学校"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("活动年度"))
    note = models.CharField(_("备注"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("结对时间"), auto_now_add=True)

    objects = OrgSchoolPairingQuerySet.as_manager()

    class Meta:
        verbose_name = _("单位与学校结对")
        verbose_name_plural = _("单位与学校结对")
        ordering = ["-year", "organization__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "year"], name="orgpairing_one_school_per_year"
            ),
        ]
        # The coordinator's scope: the schools of an organisation this year (the unique
        # constraint's index); a school's partners: this one.
        indexes = [models.Index(fields=["school", "year"], name="orgpairing_school_year")]

    def __str__(self):
        return f"{self.organization} ↔ {self.school}（{self.year}）"


def coordinator_schools(user):
    """The schools a coordinator's organisation is paired with this campaign year (a
    subquery of school ids)."""
    return OrgSchoolPairing.objects.filter(
        organization_id=user.organization_id, year=campaign_year()
    ).values("school_id")


class OrgVisitQuerySet(ScopedQuerySet):
    @staticmethod
    def scope_filter(user) -> Q:
        inner = OrgSchoolPairingQuerySet.scope_filter(user)
        if inner == NOTHING:
            return NOTHING
        return Q(pairing__in=OrgSchoolPairing.objects.filter(inner).values("pk"))


class OrgVisit(models.Model):
    """定期走访慰问: an organisation's visit to its paired school."""

    pairing = models.ForeignKey(
        OrgSchoolPairing, verbose_name=_("结对"), on_delete=models.PROTECT, related_name="visits"
    )
    visited_on = models.DateField(_("走访日期"))
    participants = models.CharField(_("参加人员"), max_length=200)
    activities = models.TextField(_("开展内容"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OrgVisitQuerySet.as_manager()

    class Meta:
        verbose_name = _("单位走访")
        verbose_name_plural = _("单位走访")
        ordering = ["-visited_on", "-pk"]

    def __str__(self):
        return f"{self.pairing} {self.visited_on}"


class PairingKind(models.TextChoices):
    STAFF = "staff", _("教职工结对")
    VOLUNTEER = "volunteer", _("志愿者结对")


class ChildPairingQuerySet(ScopedQuerySet):
    @staticmethod
    def scope_filter(user) -> Q:
        if user.role == Role.VOLUNTEER:
            return Q(person_id=user.pk) if user.pk else NOTHING
        if user.role == Role.ORG_COORDINATOR:
            return Q(school_id__in=coordinator_schools(user))
        return place_scope(user, county="county_id", school="school_id")

    def active(self):
        return self.filter(ended_on__isnull=True)


class ChildPairing(models.Model):
    """A person (a volunteer, or a teacher of the school) paired with a child. A person may
    have several children (一对多); a child at most one active pairing of each kind."""

    child = models.ForeignKey(
        "children.Child", verbose_name=_("儿童"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("结对类型"), max_length=10, choices=PairingKind.choices)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("结对人"),
        on_delete=models.PROTECT,
        related_name="child_pairings",
    )
    # Where the child was when paired (see the module docstring).
    county = models.ForeignKey(
        "orgs.OrgUnit", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    township = models.ForeignKey(
        "orgs.OrgUnit", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    school = models.ForeignKey(
        "orgs.School",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    started_on = models.DateField(_("开始日期"))
    ended_on = models.DateField(_("结束日期"), null=True, blank=True)
    end_reason = models.CharField(_("结束原因"), max_length=200, blank=True)
    # The child's latest visit (by anyone), and the day the pairing's clock runs from: that
    # visit, else the start. The overdue list is a range of ``last_contact_on`` (one index).
    last_visit_on = models.DateField(_("最近走访"), null=True, blank=True)
    last_contact_on = models.DateField(_("最近联系"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ChildPairingQuerySet.as_manager()

    class Meta:
        verbose_name = _("儿童结对")
        verbose_name_plural = _("儿童结对")
        ordering = ["-started_on", "-pk"]
        constraints = [
            # At most one active pairing of each kind per child: a partial unique index, so
            # that two concurrent requests cannot both pair the same child.
            models.UniqueConstraint(
                fields=["child", "kind"],
                condition=Q(ended_on__isnull=True),
                name="pairing_one_active_per_kind",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | ~Q(end_reason=""),
                name="pairing_ended_has_reason",
            ),
        ]
        indexes = [
            # "My children" (a person's active pairings).
            models.Index(
                fields=["person", "child"],
                condition=Q(ended_on__isnull=True),
                name="pairing_active_person",
            ),
            # Coverage: active pairings counted by place and kind (index-only).
            models.Index(
                fields=["county", "kind", "township", "school"],
                condition=Q(ended_on__isnull=True),
                name="pairing_active_place",
            ),
            # The overdue list, oldest contact first: the city's, a district's, a school's.
            models.Index(
                fields=["last_contact_on", "id"],
                condition=Q(ended_on__isnull=True),
                name="pairing_active_contact",
            ),
            models.Index(
                fields=["county", "last_contact_on", "id"],
                condition=Q(ended_on__isnull=True),
                name="pairing_active_county_contact",
            ),
            models.Index(
                fields=["school", "last_contact_on", "id"],
                condition=Q(ended_on__isnull=True),
                name="pairing_active_school_contact",
            ),
        ]

    def __str__(self):
        return f"{self.person} ↔ {self.child}（{self.get_kind_display()}）"

    @property
    def is_active(self) -> bool:
        return self.ended_on is None


class PairingTallyQuerySet(ScopedQuerySet):
    @staticmethod
    def scope_filter(user) -> Q:
        return ChildPairingQuerySet.scope_filter(user) if user.role != Role.VOLUNTEER else NOTHING


class PairingTally(models.Model):
    """Active pairings per school (or township, for children without a school) and kind,
    kept by the pairing services in the same transaction as the pairings themselves
    (``services._tally``), so that the coverage pages add up a few thousand rows instead of
    counting a million pairings. ``pairing.demo.tallies_rebuild`` recomputes them."""

    county = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="+")
    township = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="+")
    school = models.ForeignKey(
        "orgs.School", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(max_length=10, choices=PairingKind.choices)
    active = models.PositiveIntegerField(default=0)

    objects = PairingTallyQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["school", "kind"],
                condition=Q(school__isnull=False),
                name="tally_unique_school_kind",
            ),
            models.UniqueConstraint(
                fields=["township", "kind"],
                condition=Q(school__isnull=True),
                name="tally_unique_township_kind",
            ),
        ]

    def __str__(self):
        return f"{self.school_id or self.township_id} {self.kind} {self.active}"


class VisitKind(models.TextChoices):
    HOME = "home", _("入户家访")
    HOLIDAY = "holiday", _("七彩假期走访")
    SCHOOL_TALK = "school_talk", _("在校谈心")
    CALL = "call", _("与父母电话/视频")
    LETTER = "letter", _("亲情家书")


class Concern(models.TextChoices):
    """The five concern areas of the notice."""

    STUDY = "study", _("学业")
    LIFE = "life", _("生活")
    EMOTION = "emotion", _("情感")
    DEVELOPMENT = "development", _("身心发展")
    SAFETY = "safety", _("安全")


class VisitQuerySet(ScopedQuerySet):
    @staticmethod
    def scope_filter(user) -> Q:
        if user.role == Role.VOLUNTEER:
            if not user.pk:
                return NOTHING
            return Q(
                child_id__in=ChildPairing.objects.active()
                .filter(person_id=user.pk)
                .values("child_id")
            )
        return ChildPairingQuerySet.scope_filter(user)

    def open_follow_ups(self):
        return self.filter(follow_up_needed=True, follow_up_closed_at__isnull=True)


class Visit(models.Model):
    """A visit or contact with a child (or the parents), by whoever logged it."""

    idempotency_key = models.UUIDField(_("提交编号"), unique=True, default=uuid.uuid4)
    child = models.ForeignKey(
        "children.Child", verbose_name=_("儿童"), on_delete=models.PROTECT, related_name="+"
    )
    pairing = models.ForeignKey(
        ChildPairing,
        verbose_name=_("结对"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="visits",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    county = models.ForeignKey(
        "orgs.OrgUnit", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    township = models.ForeignKey(
        "orgs.OrgUnit", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    school = models.ForeignKey(
        "orgs.School",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    kind = models.CharField(_("方式"), max_length=12, choices=VisitKind.choices)
    visited_on = models.DateField(_("日期"))
    duration_minutes = models.PositiveSmallIntegerField(_("时长（分钟）"))
    concerns = models.JSONField(_("涉及方面"), default=list, blank=True)
    notes = models.TextField(_("情况记录"), blank=True)
    follow_up_needed = models.BooleanField(_("需要跟进"), default=False)
    follow_up_due = models.DateField(_("跟进期限"), null=True, blank=True)
    follow_up_urgent = models.BooleanField(_("紧急"), default=False)
    follow_up_note = models.CharField(_("跟进事项"), max_length=200, blank=True)
    follow_up_closed_at = models.DateTimeField(_("跟进完成时间"), null=True, blank=True)
    follow_up_closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    service_record = models.OneToOneField(
        "volunteers.ServiceRecord",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="visit",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = VisitQuerySet.as_manager()

    class Meta:
        verbose_name = _("走访记录")
        verbose_name_plural = _("走访记录")
        ordering = ["-visited_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__gt=0) & Q(duration_minutes__lte=24 * 60),
                name="visit_duration_range",
            ),
            models.CheckConstraint(
                condition=Q(follow_up_needed=False) | Q(follow_up_due__isnull=False),
                name="visit_follow_up_has_due",
            ),
        ]
        indexes = [
            # A child's latest visits.
            models.Index(fields=["child", "-visited_on"], name="visit_child_recent"),
            # Coverage: children visited lately, counted by place (index-only).
            models.Index(
                fields=["visited_on", "county", "township", "school", "child"],
                name="visit_recent_place",
            ),
            # Open follow-ups of a child (risk list: the urgent ones).
            models.Index(
                fields=["child"],
                condition=Q(follow_up_needed=True, follow_up_closed_at__isnull=True),
                name="visit_open_follow_up",
            ),
            models.Index(
                fields=["child"],
                condition=Q(
                    follow_up_needed=True, follow_up_urgent=True, follow_up_closed_at__isnull=True
                ),
                name="visit_open_urgent",
            ),
        ]

    def __str__(self):
        return f"{self.child} {self.visited_on} {self.get_kind_display()}"

    @property
    def follow_up_open(self) -> bool:
        return self.follow_up_needed and self.follow_up_closed_at is None

    def concern_labels(self) -> list[str]:
        return [str(Concern(c).label) for c in self.concerns if c in Concern.values]


class FeedbackMessageQuerySet(ScopedQuerySet):
    @staticmethod
    def scope_filter(user) -> Q:
        return VisitQuerySet.scope_filter(user)


class FeedbackMessage(models.Model):
    """One message of a child's thread between the school (homeroom teacher) and the paired
    person, so that the parents can be told how the child is doing."""

    child = models.ForeignKey(
        "children.Child", verbose_name=_("儿童"), on_delete=models.PROTECT, related_name="+"
    )
    county = models.ForeignKey(
        "orgs.OrgUnit", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    township = models.ForeignKey(
        "orgs.OrgUnit", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    school = models.ForeignKey(
        "orgs.School",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发送人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    body = models.TextField(_("内容"), max_length=2000)
    sent_at = models.DateTimeField(_("发送时间"), default=timezone.now)

    objects = FeedbackMessageQuerySet.as_manager()

    class Meta:
        verbose_name = _("家校反馈")
        verbose_name_plural = _("家校反馈")
        ordering = ["sent_at", "pk"]
        indexes = [models.Index(fields=["child", "sent_at"], name="feedback_child_time")]

    def __str__(self):
        return f"{self.child} {self.sent_at:%Y-%m-%d %H:%M}"


class FeedbackRead(models.Model):
    """How far a user has read a child's thread (new messages = sent after this)."""

    child = models.ForeignKey("children.Child", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    read_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "child"], name="feedbackread_unique"),
        ]

    def __str__(self):
        return f"{self.user_id} {self.child_id} {self.read_at:%Y-%m-%d %H:%M}"
