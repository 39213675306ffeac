"""Users, their role, and the scope the role is bound to."""

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from huzhou_care.crypto.fields import EncryptedField

from .scoping import NOTHING, ScopedQuerySet


class Role(models.TextChoices):
    CITY_ADMIN = "city_admin", _("团市委管理员")
    CITY_OFFICER = "city_officer", _("市级部门人员")
    DISTRICT_STAFF = "district_staff", _("区县团委工作人员")
    SCHOOL_STAFF = "school_staff", _("学校工作人员")
    ORG_COORDINATOR = "org_coordinator", _("结对单位联络员")
    VOLUNTEER = "volunteer", _("志愿者/结对教师")


# Which scope each role is bound to: the field that must be set, and those that must not.
ROLE_SCOPE = {
    Role.CITY_ADMIN: (None, ("district", "school", "organization")),
    Role.CITY_OFFICER: (None, ("district", "school", "organization")),
    Role.DISTRICT_STAFF: ("district", ("school", "organization")),
    Role.SCHOOL_STAFF: ("school", ("organization",)),
    Role.ORG_COORDINATOR: ("organization", ("school",)),
}


class UserQuerySet(ScopedQuerySet):
    @staticmethod
    def scope_filter(user) -> Q:
        if user.is_city_admin:
            return Q()
        if user.role == Role.DISTRICT_STAFF:
            return Q(district_id=user.district_id)
        if user.role == Role.SCHOOL_STAFF:
            return Q(school_id=user.school_id)
        if user.role == Role.ORG_COORDINATOR:
            return Q(organization_id=user.organization_id)
        return Q(pk=user.pk) if user.pk else NOTHING


class PortalUserManager(UserManager.from_queryset(UserQuerySet)):
    def create_superuser(self, username, email=None, password=None, **extra_fields):
        extra_fields.setdefault("role", Role.CITY_ADMIN)
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    full_name = models.CharField(_("姓名"), max_length=50, blank=True)
    # SM4-encrypted (huzhou_care.crypto, issue 13); lists read the stored masked form. No blind
    # index: nothing looks users up by phone.
    phone = EncryptedField(
        _("手机号"), kind="phone", max_length=20, blank=True, masked="phone_masked"
    )
    phone_masked = models.CharField(_("手机号"), max_length=20, blank=True, editable=False)
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices)
    district = models.ForeignKey(
        "orgs.OrgUnit",
        verbose_name=_("所属区县"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
        limit_choices_to={"level": "county"},
    )
    school = models.ForeignKey(
        "orgs.School",
        verbose_name=_("所属学校"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    organization = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("所属单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )

    objects = PortalUserManager()

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        constraints = [
            models.CheckConstraint(
                condition=~Q(role="district_staff") | Q(district__isnull=False),
                name="user_district_staff_has_district",
            ),
            models.CheckConstraint(
                condition=~Q(role="school_staff") | Q(school__isnull=False),
                name="user_school_staff_has_school",
            ),
            models.CheckConstraint(
                condition=~Q(role="org_coordinator") | Q(organization__isnull=False),
                name="user_org_coordinator_has_organization",
            ),
        ]

    def __str__(self):
        return self.full_name or self.username

    def clean(self):
        super().clean()
        if self.role == Role.VOLUNTEER:
            if not (self.school_id or self.organization_id):
                raise ValidationError(_("志愿者/结对教师须属于一所学校或一个结对单位。"))
            return
        required, forbidden = ROLE_SCOPE.get(self.role, (None, ()))
        if required and not getattr(self, f"{required}_id"):
            raise ValidationError({required: _("该角色必须指定所属范围。")})
        for name in forbidden:
            if getattr(self, f"{name}_id"):
                raise ValidationError({name: _("该角色不应设置此项。")})
        if self.school_id and self.district_id and self.school.county_id != self.district_id:
            raise ValidationError({"school": _("学校不在所选区县内。")})

    # Role predicates used by the scoping rules and the navigation.
    @property
    def is_city_admin(self) -> bool:
        return self.role == Role.CITY_ADMIN

    @property
    def sees_whole_city(self) -> bool:
        """City-level roles see city-wide reference data and aggregates."""
        return self.role in (Role.CITY_ADMIN, Role.CITY_OFFICER)

    @property
    def sees_child_records(self) -> bool:
        """Roles that may open child-level personal data at all (city officers may not)."""
        return self.role != Role.CITY_OFFICER

    @property
    def scope_label(self) -> str:
        if self.sees_whole_city:
            return "湖州市（全市）"
        parts = [str(x) for x in (self.district, self.school, self.organization) if x]
        return " · ".join(parts) or "—"
