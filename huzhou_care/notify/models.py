"""Notifications (the in-app centre), the reminder log that makes each reminder go out at most
once, the per-channel deliveries (e-mail, SMS) and the users' channel opt-outs."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from huzhou_care.accounts.scoping import ScopedQuerySet


class OwnQuerySet(ScopedQuerySet):
    """A user's notifications and settings are their own, whatever the role."""

    @staticmethod
    def scope_filter(user) -> Q:
        return Q(recipient_id=user.pk)


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接收人"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    rule = models.CharField(_("规则"), max_length=60)
    target_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    target_id = models.PositiveBigIntegerField(null=True, blank=True)
    text = models.CharField(_("内容"), max_length=500)
    url = models.CharField(_("链接"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    objects = OwnQuerySet.as_manager()

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-pk"]
        indexes = [
            # The centre lists a user's notifications, newest first.
            models.Index(fields=["recipient", "-created_at"], name="notify_recipient_recent"),
            # The unread badge on every page: a count over a small partial index.
            models.Index(
                fields=["recipient"], condition=Q(read_at__isnull=True), name="notify_unread"
            ),
        ]

    def __str__(self):
        return self.text[:40]

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class Reminder(models.Model):
    """The delivery log of rule-driven reminders. The unique constraint is what makes a run
    safe to repeat (a redelivered task, the command run twice, two beats by mistake): the
    second insert of the same (rule, target, recipient, period) fails and nothing is sent."""

    rule = models.CharField(_("规则"), max_length=60)
    target_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    target_id = models.PositiveBigIntegerField()
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    period = models.CharField(_("周期"), max_length=40)
    run_date = models.DateField(_("提醒日期"))
    sent_at = models.DateTimeField(_("发送时间"), auto_now_add=True)
    notification = models.OneToOneField(
        Notification, null=True, on_delete=models.SET_NULL, related_name="reminder"
    )

    class Meta:
        verbose_name = _("提醒记录")
        verbose_name_plural = _("提醒记录")
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "target_type", "target_id", "recipient", "period"],
                name="reminder_once_per_period",
            )
        ]
        # The by-rule counts of one run date (send_reminders' report, the admin).
        indexes = [models.Index(fields=["run_date", "rule"], name="reminder_date_rule")]

    def __str__(self):
        return f"{self.rule} {self.period} → {self.recipient_id}"


class Delivery(models.Model):
    """One notification by one outside channel. Claimed with a conditional update before it
    is handed to the backend, so a redelivered task never sends it twice."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("电子邮件")
        SMS = "sms", _("短信")

    class Status(models.TextChoices):
        PENDING = "pending", _("待发送")
        SENDING = "sending", _("发送中")
        SENT = "sent", _("已发送")
        FAILED = "failed", _("发送失败")
        SKIPPED = "skipped", _("无联系方式")

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="deliveries"
    )
    channel = models.CharField(_("渠道"), max_length=10, choices=Channel.choices)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(_("错误"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("外部发送")
        verbose_name_plural = _("外部发送")
        constraints = [
            models.UniqueConstraint(
                fields=["notification", "channel"], name="delivery_once_per_channel"
            )
        ]
        # The sender picks up what is still pending.
        indexes = [
            models.Index(
                fields=["created_at"], condition=Q(status="pending"), name="delivery_pending"
            )
        ]

    def __str__(self):
        return f"{self.channel} #{self.notification_id} {self.status}"


class ChannelOptOut(models.Model):
    """A user turned one channel of one rule off (mandatory rules cannot be)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notify_opt_outs"
    )
    rule = models.CharField(_("规则"), max_length=60)
    channel = models.CharField(_("渠道"), max_length=10)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OwnQuerySet.as_manager()

    class Meta:
        verbose_name = _("通知退订")
        verbose_name_plural = _("通知退订")
        constraints = [
            models.UniqueConstraint(fields=["recipient", "rule", "channel"], name="optout_once")
        ]

    def __str__(self):
        return f"{self.recipient_id} {self.rule} {self.channel}"
