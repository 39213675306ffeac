"""Append-only records: who opened which child data, and every change to a record."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AppendOnlyModel(models.Model):
    """Rows are inserted, never updated or deleted through the ORM."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("audit records are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("audit records are append-only")


class AccessLog(AppendOnlyModel):
    class Action(models.TextChoices):
        VIEW = "view", _("查看")
        LIST = "list", _("列表")
        SEARCH = "search", _("搜索")
        EXPORT = "export", _("导出")
        DOWNLOAD = "download", _("下载")

    at = models.DateTimeField(_("时间"), default=timezone.now)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    role = models.CharField(_("角色"), max_length=20)
    action = models.CharField(_("操作"), max_length=10, choices=Action.choices)
    object_type = models.CharField(_("对象类型"), max_length=50)
    object_ids = models.JSONField(_("对象"), default=list, blank=True)
    query = models.JSONField(_("查询条件"), default=dict, blank=True)
    row_count = models.PositiveIntegerField(_("条数"), null=True, blank=True)
    ip = models.GenericIPAddressField(_("IP"), null=True, blank=True)

    class Meta:
        verbose_name = _("访问记录")
        verbose_name_plural = _("访问记录")
        ordering = ["-at"]
        # "Who accessed what, lately": the audit page filters by user and time.
        indexes = [models.Index(fields=["user", "-at"]), models.Index(fields=["-at"])]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.user_id} {self.get_action_display()} {self.object_type}"


class ChangeRecord(AppendOnlyModel):
    """One change to one record: the changed fields with old and new values, who, when, and
    from where (a form, a roster upload id, a transfer, a bulk job)."""

    class Action(models.TextChoices):
        CREATE = "create", _("登记")
        UPDATE = "update", _("修改")
        TRANSFER = "transfer", _("转学")
        LEAVE = "leave", _("退出")
        RESTORE = "restore", _("恢复")

    class Source(models.TextChoices):
        FORM = "form", _("页面填报")
        IMPORT = "import", _("名册导入")
        TRANSFER = "transfer", _("转学")
        SYSTEM = "system", _("系统")
        SEED = "seed", _("演示数据")

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.BigIntegerField()
    at = models.DateTimeField(_("时间"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    action = models.CharField(_("动作"), max_length=10, choices=Action.choices)
    source = models.CharField(_("来源"), max_length=10, choices=Source.choices)
    source_ref = models.CharField(_("来源编号"), max_length=64, blank=True)
    # {field: [old, new]} with values as stored (codes, ISO dates).
    changes = models.JSONField(_("变更内容"), default=dict)
    reason = models.CharField(_("原因"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("变更记录")
        verbose_name_plural = _("变更记录")
        ordering = ["at", "pk"]
        indexes = [
            # A record's timeline, and "as of" reconstruction (changes after a date).
            models.Index(fields=["content_type", "object_id", "at"]),
            # Everything one upload changed.
            models.Index(fields=["source", "source_ref"]),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_action_display()} #{self.object_id}"
