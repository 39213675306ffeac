"""The notification centre: a user's own notifications (others' answer 404), marked read in
place with htmx, and the channel settings per rule."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from huzhou_care.accounts.decorators import role_required
from huzhou_care.accounts.navigation import ALL_ROLES
from huzhou_care.accounts.scoping import get_visible_or_404

from . import selectors, services
from .models import Notification
from .registry import CHANNEL_LABELS

PAGE_SIZE = 20


def _list_context(user, params):
    unread_only = params.get("show") == "unread"
    page = Paginator(
        selectors.notifications_for(user, unread_only=unread_only), PAGE_SIZE
    ).get_page(params.get("page"))
    return {"page": page, "unread_only": unread_only, "labels": selectors.rule_labels()}


@role_required(ALL_ROLES)
def notification_list(request):
    return render(request, "notify/list.html", _list_context(request.user, request.GET))


def _badge_or_back(request, notification=None):
    if request.htmx:
        context = {
            "notification": notification,
            "labels": selectors.rule_labels(),
            "notify_unread": selectors.unread_count(request.user),
        }
        return render(request, "notify/_read_response.html", context)
    return redirect("notify:list")


@require_POST
@role_required(ALL_ROLES)
def notification_read(request, pk):
    notification = get_visible_or_404(Notification, request.user, pk=pk)
    services.notification_mark_read(user=request.user, notification_id=notification.pk)
    notification.refresh_from_db()
    return _badge_or_back(request, notification)


@require_POST
@role_required(ALL_ROLES)
def notification_read_all(request):
    count = services.notifications_mark_all_read(user=request.user)
    if request.htmx:
        context = {**_list_context(request.user, request.POST), "notify_unread": 0}
        return render(request, "notify/_read_all_response.html", context)
    messages.success(request, f"已将 {count} 条通知标为已读。" if count else "没有未读通知。")
    return redirect("notify:list")


@require_POST
@role_required(ALL_ROLES)
def notification_open(request, pk):
    """Follow a notification's link: it is marked read, and the object it is about is checked
    against the user's scope now (a child may have moved, a district changed)."""
    notification = get_visible_or_404(Notification, request.user, pk=pk)
    services.notification_mark_read(user=request.user, notification_id=notification.pk)
    url = notification.url
    if not url or not url_has_allowed_host_and_scheme(url, allowed_hosts=None):
        return redirect("notify:list")
    if not selectors.target_visible(request.user, notification):
        messages.warning(request, "该通知所涉及的事项已不在您的工作范围内，或已被删除。")
        return redirect("notify:list")
    return redirect(url)


@role_required(ALL_ROLES)
def notification_settings(request):
    preferences = selectors.channel_preferences(request.user)
    if request.method == "POST":
        enabled = {
            tuple(value.split(":", 1)) for value in request.POST.getlist("on") if ":" in value
        }
        services.channel_preferences_set(user=request.user, enabled=enabled)
        messages.success(request, "通知设置已保存。")
        return redirect("notify:settings")
    return render(
        request,
        "notify/settings.html",
        {"preferences": preferences, "channel_labels": CHANNEL_LABELS},
    )
