"""The registry of rural left-behind children (民发〔2016〕42号 附件1 plus school roster fields).

A child is registered once (unique resident ID number). Leaving the registry is a dated status
change with a reason; nothing is deleted. Every change is kept in ``audit.ChangeRecord`` by the
services in ``children/services.py``.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from huzhou_care.accounts.scoping import (
    ScopedQuerySet,
    any_of,
    contributed_scope,
    place_scope,
)
from huzhou_care.crypto.fields import EncryptedField

from . import choices as c
from .risk import RISK_FLAGS


class ChildQuerySet(ScopedQuerySet):
    @staticmethod
    def scope_filter(user) -> Q:
        # City officers see aggregates only. Coordinators and volunteers see the children
        # their pairings give them: apps above contribute that through ``scopes.SCOPES``
        # (pairing/scopes.py), found by the core's registry, not imported here.
        return any_of(
            place_scope(user, county="county_id", school="school_id"),
            contributed_scope("children.Child", user),
        )

    def active(self):
        return self.filter(status=c.ChildStatus.ACTIVE)

    def as_of(self, day):
        """Children on the registry on ``day``: registered by then and not yet left."""
        return self.filter(registered_on__lte=day).filter(
            Q(left_on__isnull=True) | Q(left_on__gt=day)
        )


class Child(models.Model):
    # --- identity
    name = models.CharField(_("姓名"), max_length=50)
    gender = models.CharField(_("性别"), max_length=1, choices=c.Gender.choices)
    ethnicity = models.CharField(_("民族"), max_length=20, blank=True, default="汉族")
    # Personal identifiers are stored SM4-encrypted (huzhou_care/crypto): the ID number's
    # uniqueness and every exact search use its blind index; pages read the masked forms.
    id_number = EncryptedField(
        _("身份证号"),
        max_length=18,
        kind="id_number",
        blind_index="id_number_bidx",
        masked="id_number_masked",
    )
    birth_date = models.DateField(_("出生日期"))
    hukou_registered = models.BooleanField(_("已登记户口"), default=True)
    hukou_address = EncryptedField(
        _("户籍所在地"), max_length=200, blank=True, kind="address", masked="hukou_address_masked"
    )
    current_address = EncryptedField(
        _("现居住地址"),
        max_length=200,
        blank=True,
        kind="address",
        masked="current_address_masked",
    )
    # --- where: county is the scope (the school's, else the home township's), one indexed column;
    # township and village are where the child lives, which a transfer does not change.
    # (db_index=False: each of these three is the first column of a composite index below.)
    county = models.ForeignKey(
        "orgs.OrgUnit",
        verbose_name=_("区县"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    township = models.ForeignKey(
        "orgs.OrgUnit",
        verbose_name=_("乡镇(街道)"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    village = models.CharField(_("村(社区)"), max_length=50, blank=True)
    # --- school
    school = models.ForeignKey(
        "orgs.School",
        verbose_name=_("学校"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        db_index=False,
    )
    schooling = models.CharField(
        _("就学情况"), max_length=20, choices=c.SchoolingStage.choices, blank=True
    )
    grade = models.PositiveSmallIntegerField(
        _("年级"), null=True, blank=True, choices=c.GRADE_CHOICES
    )
    class_name = models.CharField(_("班级"), max_length=20, blank=True)
    boarding = models.BooleanField(_("学校寄宿"), default=False)
    # --- left-behind situation and guardianship
    left_behind_type = models.CharField(
        _("留守类型"), max_length=20, choices=c.LeftBehindType.choices
    )
    guardianship_type = models.CharField(
        _("监护方式"), max_length=20, choices=c.GuardianshipType.choices
    )
    guardianship_assessment = models.CharField(
        _("监护情况评估"), max_length=10, choices=c.GuardianshipAssessment.choices, blank=True
    )
    guardian_name = models.CharField(_("监护人姓名"), max_length=50, blank=True)
    guardian_relation = models.CharField(_("监护人与儿童关系"), max_length=20, blank=True)
    guardian_phone = EncryptedField(
        _("监护人电话"),
        max_length=20,
        blank=True,
        kind="phone",
        blind_index="guardian_phone_bidx",
        masked="guardian_phone_masked",
    )
    father_name = models.CharField(_("父亲姓名"), max_length=50, blank=True)
    father_work_place = models.CharField(_("父亲务工地点"), max_length=100, blank=True)
    father_phone = EncryptedField(
        _("父亲电话"),
        max_length=20,
        blank=True,
        kind="phone",
        blind_index="father_phone_bidx",
        masked="father_phone_masked",
    )
    mother_name = models.CharField(_("母亲姓名"), max_length=50, blank=True)
    mother_work_place = models.CharField(_("母亲务工地点"), max_length=100, blank=True)
    mother_phone = EncryptedField(
        _("母亲电话"),
        max_length=20,
        blank=True,
        kind="phone",
        blind_index="mother_phone_bidx",
        masked="mother_phone_masked",
    )
    # --- health, study, living
    health = models.CharField(
        _("身体状况"), max_length=10, choices=c.Health.choices, default=c.Health.HEALTHY
    )
    disability_category = models.CharField(_("残疾类别及等级/患病类型"), max_length=50, blank=True)
    study_status = models.CharField(
        _("学习状况"), max_length=10, choices=c.StudyStatus.choices, blank=True
    )
    living_status = models.CharField(
        _("生活状况"), max_length=10, choices=c.LivingStatus.choices, blank=True
    )
    low_income = models.BooleanField(_("低保家庭"), default=False)
    in_difficulty = models.BooleanField(_("困境儿童"), default=False)
    difficulty_type = models.CharField(
        _("困境类型"), max_length=20, choices=c.DifficultyType.choices, blank=True
    )
    notes = models.TextField(_("备注"), blank=True)
    # --- companions of the encrypted fields (filled when a value is assigned)
    id_number_bidx = models.CharField(max_length=64, unique=True, editable=False)
    id_number_masked = models.CharField(_("身份证号"), max_length=18, editable=False)
    guardian_phone_bidx = models.CharField(max_length=64, blank=True, editable=False)
    guardian_phone_masked = models.CharField(
        _("监护人电话"), max_length=20, blank=True, editable=False
    )
    father_phone_bidx = models.CharField(max_length=64, blank=True, editable=False)
    father_phone_masked = models.CharField(_("父亲电话"), max_length=20, blank=True, editable=False)
    mother_phone_bidx = models.CharField(max_length=64, blank=True, editable=False)
    mother_phone_masked = models.CharField(_("母亲电话"), max_length=20, blank=True, editable=False)
    hukou_address_masked = models.CharField(
        _("户籍所在地"), max_length=200, blank=True, editable=False
    )
    current_address_masked = models.CharField(
        _("现居住地址"), max_length=200, blank=True, editable=False
    )
    # --- registry status
    status = models.CharField(
        _("状态"), max_length=10, choices=c.ChildStatus.choices, default=c.ChildStatus.ACTIVE
    )
    registered_on = models.DateField(_("登记日期"))
    left_on = models.DateField(_("退出日期"), null=True, blank=True)
    leave_reason = models.CharField(
        _("退出原因"), max_length=20, choices=c.LeaveReason.choices, blank=True
    )
    # Set by the retention job (children/retention.py) when the record of a child who left
    # more than CHILD_RETENTION_YEARS ago is de-identified; such a record is never edited again.
    deidentified_on = models.DateField(_("去标识化日期"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = ChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("留守儿童")
        verbose_name_plural = _("留守儿童")
        ordering = ["-id"]
        indexes = [
            # The list pages: a district's or a school's children, newest first, by status.
            models.Index(fields=["county", "status", "-id"], name="child_county_status_id"),
            models.Index(
                fields=["school", "status", "grade", "class_name"], name="child_school_grade"
            ),
            models.Index(fields=["township", "status"], name="child_township_status"),
            # A district's list filtered by grade (the paginator counts it).
            models.Index(
                fields=["county", "grade"],
                condition=Q(status="active"),
                name="child_active_county_grade",
            ),
            # Name search is a prefix match (LIKE '王%'): pattern opclasses, so that it works
            # whatever the database collation; one for a district's list, one city-wide.
            models.Index(
                fields=["county", "name"],
                opclasses=["int8_ops", "varchar_pattern_ops"],
                condition=Q(status="active"),
                name="child_active_county_name",
            ),
            models.Index(
                fields=["name"],
                opclasses=["varchar_pattern_ops"],
                condition=Q(status="active"),
                name="child_active_name",
            ),
            # Search by a full phone number (any of the three), through the blind indexes.
            *[
                models.Index(
                    fields=[f"{who}_phone_bidx"],
                    condition=~Q(**{f"{who}_phone_bidx": ""}),
                    name=f"child_{who}_phone_bidx",
                )
                for who in ("guardian", "father", "mother")
            ],
            # Counts of active children by place (pairing's coverage pages: city by county,
            # a district by township or school): index-only with COUNT(*).
            models.Index(
                fields=["county", "township", "school"],
                condition=Q(status="active"),
                name="child_active_place",
            ),
            # "As of" counts for the December evaluation.
            models.Index(fields=["registered_on", "left_on"], name="child_registered_left"),
            # The retention job: leavers not yet de-identified, by leaving date.
            models.Index(
                fields=["left_on"],
                condition=Q(status="left", deidentified_on__isnull=True),
                name="child_leaver_to_deidentify",
            ),
            # Each risk flag is rare (a few per cent): a small partial index per flag serves
            # the flag filters, the early-warning list and the home page counts.
            *[
                models.Index(
                    fields=["county", "-id"],
                    condition=Q(status="active") & risk.condition,
                    name=f"child_risk_{flag}"[:30],
                )
                for flag, risk in RISK_FLAGS.items()
            ],
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="active", left_on__isnull=True)
                | Q(status="left", left_on__isnull=False),
                name="child_left_has_date",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def is_active(self) -> bool:
        return self.status == c.ChildStatus.ACTIVE


def roster_file_path(instance, filename):
    """Uploads are stored under a random name; the clerk's file name is kept in the row only."""
    return f"rosters/{timezone.now():%Y/%m}/{uuid.uuid4().hex}"


class RosterUploadQuerySet(ScopedQuerySet):
    @staticmethod
    def scope_filter(user) -> Q:
        return place_scope(user, county="school__county_id", school="school_id")


class RosterUpload(models.Model):
    """One uploaded school roster: parsed into a preview, then confirmed (or cancelled)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("排队中")
        PARSING = "parsing", _("正在检查")
        PREVIEW = "preview", _("待确认")
        IMPORTING = "importing", _("正在导入")
        DONE = "done", _("已导入")
        # The preview had nothing new or changed: closed without a confirmation.
        IN_STEP = "in_step", _("无需导入")
        FAILED = "failed", _("检查未通过")
        CANCELLED = "cancelled", _("已取消")

    school = models.ForeignKey(
        "orgs.School", verbose_name=_("学校"), on_delete=models.PROTECT, related_name="rosters"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    file = models.FileField(_("文件"), upload_to=roster_file_path)
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
    # The file's header row, for the sheet of rejected rows that goes back to the clerk.
    header = models.JSONField(_("表头"), default=list, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)

    objects = RosterUploadQuerySet.as_manager()

    class Meta:
        verbose_name = _("名册上传")
        verbose_name_plural = _("名册上传")
        ordering = ["-uploaded_at", "-pk"]
        indexes = [models.Index(fields=["school", "-uploaded_at"], name="roster_school_recent")]

    def __str__(self):
        return f"{self.original_name}（{self.school}）"

    @property
    def ref(self) -> str:
        """How the audit trail names this upload."""
        return f"roster:{self.pk}"

    @property
    def in_progress(self) -> bool:
        return self.status in (self.Status.PENDING, self.Status.PARSING, self.Status.IMPORTING)


class RosterRow(models.Model):
    """The preview of one spreadsheet row: what confirming would do with it."""

    class Outcome(models.TextChoices):
        NEW = "new", _("新增")
        UPDATE = "update", _("更新")
        UNCHANGED = "unchanged", _("无变化")
        REJECTED = "rejected", _("不予导入")

    upload = models.ForeignKey(RosterUpload, on_delete=models.CASCADE, related_name="preview_rows")
    row_number = models.PositiveIntegerField(_("行号"))
    outcome = models.CharField(_("结果"), max_length=10, choices=Outcome.choices)
    name = models.CharField(_("姓名"), max_length=50, blank=True)
    id_number = EncryptedField(
        _("身份证号"),
        max_length=40,
        blank=True,
        kind="id_number",
        blind_index="id_number_bidx",
        masked="id_number_masked",
    )
    id_number_bidx = models.CharField(max_length=64, blank=True, editable=False)
    id_number_masked = models.CharField(_("身份证号"), max_length=40, blank=True, editable=False)
    # Chinese labels of the fields an update would change.
    changed_fields = models.JSONField(default=list, blank=True)
    # [{"column": header as in the file, "code": ..., "message": Chinese}]
    errors = models.JSONField(default=list, blank=True)
    # (A rejected row's cells are not kept here: the error sheet reads them from the stored
    # file, so that no identifier lies in this table in clear.)

    class Meta:
        ordering = ["row_number"]
        # The preview pages list one upload's rows, optionally one outcome.
        indexes = [
            models.Index(
                fields=["upload", "outcome", "row_number"], name="rosterrow_upload_outcome"
            )
        ]

    def __str__(self):
        return f"第{self.row_number}行 {self.get_outcome_display()}"


class TransferRequestQuerySet(ScopedQuerySet):
    @staticmethod
    def scope_filter(user) -> Q:
        # Seen by those who hold the child now (they decide) and by the receiving school's side.
        return place_scope(
            user, county="child__county_id", school="child__school_id"
        ) | place_scope(user, county="to_school__county_id", school="to_school_id")


class TransferRequest(models.Model):
    """A child's move to a school that needs someone else's yes.

    - A school asks to receive a child registered at another school (found by a roster
      upload): the district holding the child decides first (stage ``holding``).
    - A move into another county also needs the receiving district (stage ``receiving``):
      after the holding district's yes, or at once when the holding district itself asked
      for the move from the child's page. Approving the last stage is the transfer."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待处理")
        APPROVED = "approved", _("已同意")
        DECLINED = "declined", _("未同意")

    class Stage(models.TextChoices):
        HOLDING = "holding", _("待原区县团委处理")
        RECEIVING = "receiving", _("待转入区县团委处理")

    child = models.ForeignKey(
        Child, verbose_name=_("儿童"), on_delete=models.PROTECT, related_name="transfer_requests"
    )
    from_school = models.ForeignKey(
        "orgs.School",
        verbose_name=_("原学校"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    to_school = models.ForeignKey(
        "orgs.School", verbose_name=_("申请转入学校"), on_delete=models.PROTECT, related_name="+"
    )
    upload = models.ForeignKey(
        RosterUpload, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # What the asking school's roster said: all the asking side sees of the child until the
    # holding district decides (the registered name and school are not theirs to see).
    asked_name = models.CharField(_("申请方填写的姓名"), max_length=50, blank=True)
    note = models.CharField(_("申请说明"), max_length=200)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("处理人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    decision_note = models.CharField(_("处理意见"), max_length=200, blank=True)
    # Who decides next while pending (a cross-county move has two yeses).
    stage = models.CharField(
        _("处理环节"), max_length=10, choices=Stage.choices, default=Stage.HOLDING
    )
    # The holding district's yes on a cross-county move, kept when the receiving one decides.
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("原区县同意人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    released_at = models.DateTimeField(_("原区县同意时间"), null=True, blank=True)
    released_note = models.CharField(_("原区县意见"), max_length=200, blank=True)
    # Grade and class asked for by a district moving the child from the child's page.
    grade = models.PositiveSmallIntegerField(_("转入年级"), null=True, blank=True)
    class_name = models.CharField(_("转入班级"), max_length=20, blank=True)

    objects = TransferRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("转学申请")
        verbose_name_plural = _("转学申请")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            # One open request per child: a second school asking waits for the first decision.
            models.UniqueConstraint(
                fields=["child"],
                condition=Q(status="pending"),
                name="transfer_one_pending_per_child",
            ),
        ]

    def __str__(self):
        return f"{self.child} → {self.to_school}"

    @property
    def crosses_counties(self) -> bool:
        return self.child.county_id != self.to_school.county_id

    @property
    def deciding_county_id(self) -> int | None:
        """The district whose turn it is: the holding one, then the receiving one."""
        if self.stage == self.Stage.RECEIVING:
            return self.to_school.county_id
        return self.child.county_id
