"""The org-unit tree (city > county > township > village), schools and organisations."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from huzhou_care.accounts.scoping import NOTHING, ScopedQuerySet


class OrgUnit(models.Model):
    """An administrative division with its 12-digit statistical division code."""

    class Level(models.TextChoices):
        CITY = "city", _("市")
        COUNTY = "county", _("区县")
        TOWNSHIP = "township", _("乡镇(街道)")
        VILLAGE = "village", _("村(社区)")

    code = models.CharField(_("区划代码"), max_length=12, unique=True)
    name = models.CharField(_("名称"), max_length=50)
    level = models.CharField(_("层级"), max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(
                fields=["parent", "name"], name="orgunit_unique_name_per_parent"
            ),
        ]
        # Serves the "townships of a county" and "counties of the city" pickers.
        indexes = [models.Index(fields=["parent", "level"])]

    def __str__(self):
        return self.name

    @property
    def division_prefix(self) -> str:
        """The 6-digit division code used in resident ID numbers (counties only)."""
        return self.code[:6]


class OrgGroup(models.Model):
    """An alternative grouping of townships, e.g. 南太湖新区, a functional zone that manages
    streets of 吴兴区 and parts of 长兴县. Counts by group never replace counts by county,
    so nothing is counted twice."""

    name = models.CharField(_("名称"), max_length=50, unique=True)
    members = models.ManyToManyField(
        OrgUnit,
        verbose_name=_("包含乡镇(街道)"),
        limit_choices_to={"level": OrgUnit.Level.TOWNSHIP},
        related_name="groups",
    )

    class Meta:
        verbose_name = _("功能区分组")
        verbose_name_plural = _("功能区分组")

    def __str__(self):
        return self.name


class SchoolQuerySet(ScopedQuerySet):
    @staticmethod
    def scope_filter(user) -> Q:
        if user.sees_whole_city:
            return Q()
        if user.school_id:
            return Q(pk=user.school_id)
        if user.district_id:
            return Q(county_id=user.district_id)
        return NOTHING


class School(models.Model):
    class Kind(models.TextChoices):
        KINDERGARTEN = "kindergarten", _("幼儿园")
        PRIMARY = "primary", _("小学")
        JUNIOR = "junior", _("初中")
        NINE_YEAR = "nine_year", _("九年一贯制学校")
        SENIOR = "senior", _("高中")
        COMPLETE = "complete", _("完全中学")
        VOCATIONAL = "vocational", _("中职学校")

    code = models.CharField(_("学校标识码"), max_length=20, unique=True)
    name = models.CharField(_("学校名称"), max_length=100)
    kind = models.CharField(_("学校类型"), max_length=20, choices=Kind.choices)
    county = models.ForeignKey(
        OrgUnit,
        verbose_name=_("区县"),
        on_delete=models.PROTECT,
        related_name="county_schools",
        limit_choices_to={"level": OrgUnit.Level.COUNTY},
    )
    township = models.ForeignKey(
        OrgUnit,
        verbose_name=_("乡镇(街道)"),
        on_delete=models.PROTECT,
        related_name="schools",
        limit_choices_to={"level": OrgUnit.Level.TOWNSHIP},
    )
    is_active = models.BooleanField(_("在用"), default=True)

    objects = SchoolQuerySet.as_manager()

    class Meta:
        verbose_name = _("学校")
        verbose_name_plural = _("学校")
        ordering = ["county__code", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["county", "name"], name="school_unique_name_per_county"
            ),
        ]

    def __str__(self):
        return self.name


class OrganizationQuerySet(ScopedQuerySet):
    @staticmethod
    def scope_filter(user) -> Q:
        if user.sees_whole_city:
            return Q()
        if user.organization_id:
            return Q(pk=user.organization_id)
        if user.district_id and not user.school_id:
            return Q(county_id=user.district_id)
        return NOTHING


class Organization(models.Model):
    """A body that pairs with schools and children: university, enterprise, agency..."""

    class Kind(models.TextChoices):
        UNIVERSITY = "university", _("高校")
        ENTERPRISE = "enterprise", _("市属企业")
        AGENCY = "agency", _("机关")
        LEAGUE = "league", _("团组织")
        YOUTH_PALACE = "youth_palace", _("青少年宫")
        SOCIAL = "social", _("社会组织")

    class Level(models.TextChoices):
        CITY = "city", _("市级")
        COUNTY = "county", _("区县级")

    name = models.CharField(_("单位名称"), max_length=100, unique=True)
    kind = models.CharField(_("单位类型"), max_length=20, choices=Kind.choices)
    level = models.CharField(_("层级"), max_length=10, choices=Level.choices)
    county = models.ForeignKey(
        OrgUnit,
        verbose_name=_("所属区县"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organizations",
        limit_choices_to={"level": OrgUnit.Level.COUNTY},
        help_text=_("区县级单位必填"),
    )

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        verbose_name = _("结对单位")
        verbose_name_plural = _("结对单位")
        ordering = ["level", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(level="city") | Q(county__isnull=False),
                name="organization_county_level_has_county",
            ),
        ]

    def __str__(self):
        return self.name
