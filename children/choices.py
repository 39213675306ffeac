"""Controlled vocabularies of the national registration form (民发〔2016〕42号 附件1).

Stored values are short ASCII codes; labels are the official Chinese wording. Values seen in
the wild in school rosters map onto these in ``children/roster/normalize.py``.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Gender(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")


class LeftBehindType(models.TextChoices):
    BOTH_AWAY = "both_away", _("双亲外出务工")
    ONE_AWAY_OTHER_INCAPABLE = "one_away_incapable", _("一方外出另一方无监护能力")


class GuardianshipType(models.TextChoices):
    GRANDPARENT = "grandparent", _("祖辈监护")
    RELATIVE = "relative", _("亲友监护")
    ONE_PARENT = "one_parent", _("父母一方监护")
    NONE = "none", _("无人监护")


class GuardianshipAssessment(models.TextChoices):
    GOOD = "good", _("较好")
    FAIR = "fair", _("一般")
    POOR = "poor", _("差")


class Health(models.TextChoices):
    HEALTHY = "healthy", _("健康")
    DISABLED = "disabled", _("残疾")
    ILL = "ill", _("患病")


class SchoolingStage(models.TextChoices):
    """就学情况 on the national form."""

    KINDERGARTEN = "kindergarten", _("幼儿园")
    NOT_IN_KINDERGARTEN = "pre_school", _("未入园")
    PRIMARY = "primary", _("小学")
    JUNIOR = "junior", _("初中")
    SENIOR = "senior", _("高中")
    VOCATIONAL = "vocational", _("中职")
    DROPPED_OUT = "dropped_out", _("辍学")
    NOT_IN_SCHOOL = "not_in_school", _("不在学")


class StudyStatus(models.TextChoices):
    EXCELLENT = "excellent", _("优秀")
    GOOD = "good", _("良好")
    AVERAGE = "average", _("一般")
    POOR = "poor", _("较差")


class LivingStatus(models.TextChoices):
    GOOD = "good", _("良好")
    AVERAGE = "average", _("一般")
    HARD = "hard", _("困难")


class DifficultyType(models.TextChoices):
    """困境儿童 groups of 国发〔2016〕36号."""

    POVERTY = "poverty", _("家庭贫困")
    DISABILITY = "disability", _("自身残疾")
    GUARDIANSHIP = "guardianship", _("监护缺失或不当")


class ChildStatus(models.TextChoices):
    ACTIVE = "active", _("在册")
    LEFT = "left", _("已退出")


class LeaveReason(models.TextChoices):
    TURNED_16 = "turned_16", _("年满十六周岁")
    PARENTS_RETURNED = "parents_returned", _("父母返乡")
    MOVED_AWAY = "moved_away", _("迁出本市")
    OTHER = "other", _("其他")


# Grades are stored as numbers: 1-6 小学, 7-9 初中, 10-12 高中.
GRADE_LABELS = {
    1: "一年级",
    2: "二年级",
    3: "三年级",
    4: "四年级",
    5: "五年级",
    6: "六年级",
    7: "七年级(初一)",
    8: "八年级(初二)",
    9: "九年级(初三)",
    10: "高一",
    11: "高二",
    12: "高三",
}
GRADE_CHOICES = sorted(GRADE_LABELS.items())
