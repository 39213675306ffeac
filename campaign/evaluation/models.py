"""Evaluation models. The indicator table is versioned: a version is edited while it is a
draft and frozen once published (a roll-up names the version it used). Snapshots and
assessment entries are append-only: nothing is updated or deleted, not even through a
queryset (and on PostgreSQL a trigger refuses UPDATE and DELETE on the snapshot table)."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from huzhou_care.audit.models import AppendOnlyModel


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("append-only records cannot be updated")

    def delete(self):
        raise PermissionError("append-only records cannot be deleted")

    _raw_delete = delete


class IndicatorTable(models.Model):
    """One version of the indicator table of a campaign year, with the grade thresholds."""

    year = models.PositiveIntegerField(_("年度"))
    version = models.PositiveIntegerField(_("版本"))
    title = models.CharField(_("名称"), max_length=100)
    published = models.BooleanField(_("已发布"), default=False)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    excellent_from = models.DecimalField(
        _("优秀分数线"), max_digits=6, decimal_places=2, default=90
    )
    good_from = models.DecimalField(_("良好分数线"), max_digits=6, decimal_places=2, default=80)
    pass_from = models.DecimalField(_("合格分数线"), max_digits=6, decimal_places=2, default=60)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    note = models.CharField(_("修订说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("考评指标表")
        verbose_name_plural = _("考评指标表")
        ordering = ["-year", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["year", "version"], name="indicator_table_version"),
            models.CheckConstraint(
                condition=Q(excellent_from__gte=models.F("good_from"))
                & Q(good_from__gte=models.F("pass_from")),
                name="indicator_table_thresholds_ordered",
            ),
        ]

    def __str__(self):
        return f"{self.year} 年{self.title}（第 {self.version} 版）"

    def grade_for(self, score) -> str:
        score = Decimal(str(score))
        if score >= self.excellent_from:
            return "优秀"
        if score >= self.good_from:
            return "良好"
        if score >= self.pass_from:
            return "合格"
        return "不合格"


class IndicatorGroup(models.Model):
    """A first-level indicator (一级指标) with its weight (points)."""

    table = models.ForeignKey(IndicatorTable, on_delete=models.CASCADE, related_name="groups")
    code = models.SlugField(_("代码"), max_length=40)
    name = models.CharField(_("一级指标"), max_length=100)
    weight = models.DecimalField(_("分值"), max_digits=6, decimal_places=2)
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        verbose_name = _("一级指标")
        verbose_name_plural = _("一级指标")
        ordering = ["table", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["table", "code"], name="indicator_group_code")
        ]

    def __str__(self):
        return self.name


class Indicator(models.Model):
    """A second-level indicator (二级指标). Quantitative: a registered measure with target
    and floor; qualitative: graded A/B/C/C# by the city; bonus (附加分, capped) and
    deduction (扣分, capped) points entered by the city."""

    class Kind(models.TextChoices):
        QUANTITATIVE = "quantitative", _("定量")
        QUALITATIVE = "qualitative", _("定性")
        BONUS = "bonus", _("附加分")
        DEDUCTION = "deduction", _("扣分")

    group = models.ForeignKey(IndicatorGroup, on_delete=models.CASCADE, related_name="indicators")
    code = models.SlugField(_("代码"), max_length=40)
    name = models.CharField(_("二级指标"), max_length=100)
    kind = models.CharField(_("类型"), max_length=15, choices=Kind.choices)
    weight = models.DecimalField(_("分值"), max_digits=6, decimal_places=2, default=0)
    measure = models.CharField(_("计算口径"), max_length=60, blank=True)
    target = models.DecimalField(
        _("目标值"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    floor = models.DecimalField(_("起评值"), max_digits=10, decimal_places=2, null=True, blank=True)
    # Bonus and deduction: the most points that count.
    cap = models.DecimalField(_("上限"), max_digits=6, decimal_places=2, null=True, blank=True)
    description = models.CharField(_("评分说明"), max_length=300, blank=True)
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        verbose_name = _("二级指标")
        verbose_name_plural = _("二级指标")
        ordering = ["group__order", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["group", "code"], name="indicator_code_in_group"),
            models.CheckConstraint(
                condition=~Q(kind="quantitative")
                | (
                    ~Q(measure="")
                    & Q(target__isnull=False, floor__isnull=False)
                    & Q(target__gt=models.F("floor"))
                ),
                name="indicator_quantitative_has_measure",
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=["bonus", "deduction"]) | Q(cap__isnull=False),
                name="indicator_points_have_cap",
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"


class Snapshot(AppendOnlyModel):
    """One roll-up: a campaign year as of a date, with the table version used, the inputs
    (numerators and denominators per unit and indicator, the city's grades and points as of
    the date) and the results. One per (year, as-of date): the unique constraint decides."""

    year = models.PositiveIntegerField(_("年度"))
    as_of = models.DateField(_("截至日期"))
    table = models.ForeignKey(IndicatorTable, on_delete=models.PROTECT, related_name="snapshots")
    created_at = models.DateTimeField(_("生成时间"), default=timezone.now)
    inputs = models.JSONField(_("输入数据"))
    results = models.JSONField(_("结果"))
    checksum = models.CharField(max_length=64)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("考评快照")
        verbose_name_plural = _("考评快照")
        ordering = ["-year", "-as_of"]
        constraints = [
            models.UniqueConstraint(fields=["year", "as_of"], name="one_snapshot_per_year_date")
        ]

    def __str__(self):
        return f"{self.year} 年考评（截至 {self.as_of:%Y-%m-%d}）"


class RollupJob(models.Model):
    """A roll-up requested by city_admin, with its progress (the task updates it)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("计算中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    year = models.PositiveIntegerField(_("年度"))
    as_of = models.DateField(_("截至日期"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    message = models.CharField(max_length=300, blank=True)
    snapshot = models.ForeignKey(
        Snapshot, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("考评计算任务")
        verbose_name_plural = _("考评计算任务")
        ordering = ["-requested_at"]

    def __str__(self):
        return f"{self.year} 年考评计算（截至 {self.as_of:%Y-%m-%d}）{self.get_status_display()}"


class Assessment(AppendOnlyModel):
    """One entry of a district's 自评 or the city's 审定 for one indicator: kept for ever;
    the latest entry of each (district, indicator, side) is the current one. Every entry
    after the first says why it changed."""

    class Side(models.TextChoices):
        SELF = "self", _("自评")
        CITY = "city", _("审定")

    class Grade(models.TextChoices):
        A = "A", "A"
        B = "B", "B"
        C = "C", "C"
        C_SHARP = "C#", "C#"

    year = models.PositiveIntegerField(_("年度"))
    district = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="+")
    indicator_code = models.SlugField(_("指标代码"), max_length=40)
    side = models.CharField(_("类别"), max_length=5, choices=Side.choices)
    grade = models.CharField(_("等次"), max_length=2, choices=Grade.choices, blank=True)
    points = models.DecimalField(_("分数"), max_digits=6, decimal_places=2, null=True, blank=True)
    evidence = models.TextField(_("佐证材料说明"), blank=True)
    reason = models.CharField(_("修改理由"), max_length=300, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("时间"), default=timezone.now)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("自评与审定")
        verbose_name_plural = _("自评与审定")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["year", "district", "indicator_code", "side", "at"])]

    def __str__(self):
        return f"{self.get_side_display()} {self.indicator_code} {self.grade or self.points}"


class DashboardRefresh(models.Model):
    """One refresh of the dashboards' pre-aggregated figures (campaign/evaluation/counts.py):
    the heavy counts over children, pairings, visits and service hours, taken once so that a
    dashboard adds up a few hundred rows instead of scanning millions. Only the latest is
    kept; the page says when it was taken ("数据截至")."""

    day = models.DateField(_("统计日期"))  # the day the windows (30 days, month) run to
    computed_at = models.DateTimeField(_("数据截至"))  # when the counting started
    seconds = models.FloatField(_("用时（秒）"), default=0)

    class Meta:
        verbose_name = _("看板预汇总")
        verbose_name_plural = _("看板预汇总")
        ordering = ["-pk"]

    def __str__(self):
        return f"看板预汇总（数据截至 {timezone.localtime(self.computed_at):%Y-%m-%d %H:%M}）"


class DashboardFigure(models.Model):
    """One figure of a refresh: a metric for a (county, township) pair, and for the hours a
    month. The child figures are keyed by the child's place, the pairings' and visits' by
    theirs, the hours by the team's county and its school's township (either may be empty:
    city-level teams, teams without a school)."""

    class Metric(models.TextChoices):
        CHILDREN = "children", _("在册儿童")
        STAFF = "staff", _("有教职工结对的儿童")
        VOLUNTEER = "volunteer", _("有志愿者结对的儿童")
        VISITED_30 = "visited_30", _("近 30 天走访的儿童")
        VISITED_MONTH = "visited_month", _("本月走访的儿童")
        PAIRINGS_OVERDUE = "pairings_overdue", _("走访逾期结对")
        FOLLOW_UPS_OVERDUE = "follow_ups_overdue", _("跟进逾期")
        HOURS = "hours", _("已审核服务时长")
        HOURS_WAITING = "hours_waiting", _("时长待审核超 7 天")

    refresh = models.ForeignKey(DashboardRefresh, on_delete=models.CASCADE, related_name="figures")
    metric = models.CharField(max_length=20, choices=Metric.choices)
    county = models.ForeignKey(
        "orgs.OrgUnit", null=True, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    township = models.ForeignKey(
        "orgs.OrgUnit", null=True, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    month = models.DateField(null=True)
    value = models.DecimalField(max_digits=14, decimal_places=2)

    class Meta:
        verbose_name = _("看板预汇总数字")
        verbose_name_plural = _("看板预汇总数字")
        indexes = [models.Index(fields=["refresh", "county"], name="dashboard_figure_scope")]

    def __str__(self):
        return f"{self.get_metric_display()} {self.county_id}/{self.township_id} {self.value}"
