"""The notification centre: the unread count on every page, the list (own notifications
only, paginated), mark read and mark all read (htmx and plain), following a link with the
scope checked again, and the channel settings."""

import pytest
from django.urls import reverse

from huzhou_care.notify import registry, services
from huzhou_care.notify.models import ChannelOptOut, Notification

pytestmark = pytest.mark.django_db


def _note(user, text="名册待确认", **kwargs):
    return services.notify(recipient=user, rule="children.roster_waiting", text=text, **kwargs)


def test_the_navigation_bar_shows_the_unread_count(client, carol):
    _note(carol)
    _note(carol)
    services.notification_mark_read(user=carol, notification_id=_note(carol).pk)
    client.force_login(carol)
    html = client.get(reverse("campaign:home")).content.decode()
    assert 'data-testid="notify-unread">2</span>' in html


def test_the_list_shows_only_the_users_own_notifications_newest_first(client, carol, alice):
    _note(carol, "给蔡老师的第一条")
    _note(carol, "给蔡老师的第二条")
    _note(alice, "给艾丽的")
    client.force_login(carol)
    page = client.get(reverse("notify:list")).context["page"]
    assert [n.text for n in page] == ["给蔡老师的第二条", "给蔡老师的第一条"]


def test_the_list_is_paginated_and_filters_unread(client, carol):
    notes = [_note(carol, f"第{i}条") for i in range(25)]
    services.notification_mark_read(user=carol, notification_id=notes[0].pk)
    client.force_login(carol)
    first = client.get(reverse("notify:list")).context["page"]
    assert len(first) == 20 and first.paginator.count == 25
    assert client.get(reverse("notify:list") + "?page=2").context["page"].paginator.num_pages == 2
    unread = client.get(reverse("notify:list") + "?show=unread").context["page"]
    assert unread.paginator.count == 24


def test_an_empty_centre_says_so(client, carol):
    client.force_login(carol)
    assert "暂无通知" in client.get(reverse("notify:list")).content.decode()


def test_mark_read_with_htmx_returns_the_item_and_the_new_badge(client, carol):
    note = _note(carol)
    _note(carol)
    client.force_login(carol)
    response = client.post(reverse("notify:read", args=[note.pk]), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert f'id="notification-{note.pk}"' in html and "已读" in html
    assert 'hx-swap-oob="true">1</span>' in html
    note.refresh_from_db()
    assert note.read_at is not None


def test_mark_all_read_plain_and_with_htmx(client, carol):
    _note(carol)
    _note(carol)
    client.force_login(carol)
    response = client.post(reverse("notify:read_all"))
    assert response.status_code == 302
    assert not Notification.objects.filter(read_at__isnull=True).exists()
    _note(carol)
    html = client.post(
        reverse("notify:read_all"), {"show": "unread"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "没有未读通知" in html and 'hx-swap-oob="true">0</span>' in html


def test_no_one_reads_or_opens_another_users_notification(client, carol, dave):
    note = _note(carol)
    client.force_login(dave)
    assert client.post(reverse("notify:read", args=[note.pk])).status_code == 404
    assert client.post(reverse("notify:open", args=[note.pk])).status_code == 404
    note.refresh_from_db()
    assert note.read_at is None


def test_opening_a_notification_marks_it_read_and_follows_its_link(client, carol, waiting_upload):
    upload = waiting_upload()
    note = _note(carol, target=upload, url=reverse("children:roster_detail", args=[upload.pk]))
    client.force_login(carol)
    response = client.post(reverse("notify:open", args=[note.pk]))
    assert response.status_code == 302 and response["Location"] == note.url
    note.refresh_from_db()
    assert note.read_at is not None


def test_opening_a_notification_about_an_object_now_out_of_scope_does_not_follow_it(
    client, carol, waiting_upload, changxing_school
):
    upload = waiting_upload()
    note = _note(carol, target=upload, url=reverse("children:roster_detail", args=[upload.pk]))
    upload.school = changxing_school  # the roster now belongs to another county's school
    upload.save()
    client.force_login(carol)
    response = client.post(reverse("notify:open", args=[note.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("notify:list")
    assert "已不在您的工作范围内" in response.content.decode()


def test_a_link_to_another_site_is_never_followed(client, carol):
    note = _note(carol, url="https://evil.example/phish")
    client.force_login(carol)
    response = client.post(reverse("notify:open", args=[note.pk]))
    assert response["Location"] == reverse("notify:list")


def test_settings_turn_a_channel_off_and_on_again(client, carol):
    client.force_login(carol)
    html = client.get(reverse("notify:settings")).content.decode()
    assert "名册待确认导入" in html and "转学申请待处理" not in html  # not a district's rule
    from huzhou_care.notify.registry import rules_for

    optional = {
        (r.code, ch)
        for r in rules_for(carol)
        if not r.mandatory
        for ch in r.channels
        if ch != "in_app"
    }
    assert ("children.roster_waiting", "email") in optional
    client.post(reverse("notify:settings"), {"on": []})
    assert set(ChannelOptOut.objects.values_list("rule", "channel")) == optional
    client.post(reverse("notify:settings"), {"on": [f"{r}:{ch}" for r, ch in optional]})
    assert not ChannelOptOut.objects.exists()


def test_a_posted_setting_for_someone_elses_rule_or_a_mandatory_one_changes_nothing(client, carol):
    client.force_login(carol)
    client.post(
        reverse("notify:settings"),
        {
            "on": [f"{r.code}:email" for r in registry.rules_for(carol)]
            + ["children.transfer_waiting:email"]
        },
    )
    assert not ChannelOptOut.objects.filter(
        rule__in=["children.roster_waiting", "children.transfer_waiting"]
    ).exists()
