"""Reads for the notification centre: always the signed-in user's own notifications."""

from django.db.models import QuerySet

from .models import ChannelOptOut, Notification
from .registry import rules_for


def unread_count(user) -> int:
    return Notification.objects.visible_to(user).filter(read_at__isnull=True).count()


def notifications_for(user, *, unread_only: bool = False) -> QuerySet:
    qs = Notification.objects.visible_to(user)
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs


def channel_preferences(user) -> list[dict]:
    """The rules this user may receive, each with its channels and whether each is on."""
    off = set(ChannelOptOut.objects.visible_to(user).values_list("rule", "channel"))
    return [
        {
            "rule": rule,
            "channels": [
                {
                    "code": channel,
                    "on": rule.mandatory or channel == "in_app" or (rule.code, channel) not in off,
                    "locked": rule.mandatory or channel == "in_app",
                }
                for channel in rule.channels
            ],
        }
        for rule in rules_for(user)
    ]


def rule_labels() -> dict[str, str]:
    from .registry import all_rules

    return {rule.code: rule.label for rule in all_rules()}


def target_visible(user, notification) -> bool:
    """Whether the object a notification is about is still there and in the user's scope.
    Models with a scoped manager (``visible_to``) are checked through it; others only for
    existence."""
    if notification.target_type_id is None:
        return True
    model = notification.target_type.model_class()
    if model is None:
        return False
    manager = model._default_manager
    qs = manager.visible_to(user) if hasattr(manager, "visible_to") else manager.all()
    return qs.filter(pk=notification.target_id).exists()
