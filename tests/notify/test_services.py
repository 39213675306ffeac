"""The reminder engine: rules registered by the apps, sent at most once per (rule, target,
recipient, period), texts that say why, channels and opt-outs."""

import datetime as dt
import json
import logging

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction

from huzhou_care.notify import registry, services
from huzhou_care.notify.models import ChannelOptOut, Delivery, Notification, Reminder

pytestmark = pytest.mark.django_db

DEC = dt.date(2026, 12, 1)


def run(day) -> dict:
    return services.reminders_send(day)


def test_a_roster_waiting_two_days_reminds_its_uploader_once_per_step(waiting_upload, carol):
    upload = waiting_upload()
    assert run(DEC + dt.timedelta(days=1))["by_rule"]["children.roster_waiting"] == 0
    first = run(DEC + dt.timedelta(days=2))
    assert first["by_rule"]["children.roster_waiting"] == 1
    assert run(DEC + dt.timedelta(days=2))["sent"] == 0  # the same date again: nothing
    assert run(DEC + dt.timedelta(days=5))["sent"] == 0  # still the 2-day step
    assert run(DEC + dt.timedelta(days=7))["by_rule"]["children.roster_waiting"] == 1
    reminders = Reminder.objects.order_by("pk")
    assert [r.period for r in reminders] == ["d2", "d7"]
    note = Notification.objects.filter(recipient=carol).first()
    assert "三年级名册.xlsx" in note.text and "已等待确认 7 天" in note.text
    assert note.url == f"/children/rosters/{upload.pk}/"


def test_a_confirmed_or_cancelled_roster_is_not_reminded(waiting_upload):
    waiting_upload(status="done")
    waiting_upload(status="cancelled")
    assert run(DEC + dt.timedelta(days=10))["sent"] == 0


def test_the_run_date_is_honoured_an_upload_after_it_does_not_count(waiting_upload):
    waiting_upload(uploaded_on=DEC + dt.timedelta(days=3))
    assert run(DEC + dt.timedelta(days=2))["sent"] == 0


def test_a_waiting_transfer_reminds_the_district_holding_the_child(
    waiting_transfer, alice, bob, dave
):
    request = waiting_transfer()
    result = run(DEC + dt.timedelta(days=3))
    assert result["by_rule"]["children.transfer_waiting"] == 1
    note = Notification.objects.get()
    assert note.recipient == alice  # 吴兴区 holds the child, not bob nor the asking school
    assert f"编号 {request.pk}" in note.text and "3 天" in note.text
    assert "王小明" not in note.text  # no child's name: the text may travel by e-mail


def test_send_reminders_prints_exactly_the_json_shape_and_sends_nothing_the_second_time(
    waiting_upload, waiting_transfer, alice, capsys
):
    waiting_upload()
    waiting_transfer()
    from huzhou_care.notify.registry import all_rules

    # Every rule with a collector is listed (the apps' rules find nothing due here).
    none = {r.code: 0 for r in all_rules() if r.collect is not None}
    assert {"children.roster_waiting", "pairing.visit_overdue", "campaign.deadline_due"} <= set(
        none
    )
    call_command("send_reminders", "--date", "2026-12-08", "--json")
    assert json.loads(capsys.readouterr().out) == {
        "sent": 2,
        "by_rule": {**none, "children.roster_waiting": 1, "children.transfer_waiting": 1},
    }
    call_command("send_reminders", "--date", "2026-12-08", "--json")
    assert json.loads(capsys.readouterr().out) == {"sent": 0, "by_rule": none}
    assert Reminder.objects.count() == Notification.objects.count() == 2


def test_send_reminders_explains_a_bad_date():
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("send_reminders", "--date", "2026-13-01")


def test_the_database_refuses_a_second_reminder_for_the_same_period(waiting_upload, carol):
    waiting_upload()
    run(DEC + dt.timedelta(days=2))
    first = Reminder.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        Reminder.objects.create(
            rule=first.rule,
            target_type=first.target_type,
            target_id=first.target_id,
            recipient=carol,
            period=first.period,
            run_date=DEC,
        )


def test_email_goes_with_the_why_and_an_absolute_link(waiting_upload, carol, settings):
    settings.PORTAL_BASE_URL = "https://care.huzhou.example"
    carol.email = "cai@example.cn"
    carol.save()
    upload = waiting_upload()
    run(DEC + dt.timedelta(days=2))
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["cai@example.cn"] and "名册待确认导入" in message.subject
    assert "已等待确认 2 天" in message.body
    assert f"https://care.huzhou.example/children/rosters/{upload.pk}/" in message.body
    assert Delivery.objects.get().status == "sent"
    run(DEC + dt.timedelta(days=2))
    assert len(mail.outbox) == 1


def test_a_user_who_turned_email_off_for_a_rule_gets_it_in_app_only(waiting_upload, carol):
    carol.email = "cai@example.cn"
    carol.save()
    services.channel_preferences_set(user=carol, enabled=set())
    assert ChannelOptOut.objects.filter(recipient=carol, channel="email").exists()
    waiting_upload()
    run(DEC + dt.timedelta(days=2))
    assert Notification.objects.filter(recipient=carol).count() == 1
    assert mail.outbox == [] and not Delivery.objects.exists()


@pytest.fixture
def mandatory_rule():
    rule = registry.register(
        registry.Rule(
            code="tests.mandatory", label="紧急通知", mandatory=True, channels=("in_app", "email")
        )
    )
    yield rule
    registry.unregister(rule.code)


def test_mandatory_rules_ignore_opt_outs(carol, mandatory_rule, django_capture_on_commit_callbacks):
    carol.email = "cai@example.cn"
    carol.save()
    ChannelOptOut.objects.create(recipient=carol, rule=mandatory_rule.code, channel="email")
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(recipient=carol, rule=mandatory_rule.code, text="请立即处理")
    assert len(mail.outbox) == 1


def test_notify_refuses_an_unregistered_rule(carol):
    with pytest.raises(LookupError):
        services.notify(recipient=carol, rule="nobody.registered", text="x")


def test_a_manual_reminder_with_a_period_goes_once(carol, mandatory_rule, wuxing_school):
    """The one-click reminder other apps build on: the period makes a second click a no-op."""
    kwargs = {
        "recipient": carol,
        "rule": mandatory_rule.code,
        "text": "请报送",
        "period": "manual:2026-12-02",
    }
    assert services.notify(target=wuxing_school, **kwargs) is not None
    assert services.notify(target=wuxing_school, **kwargs) is None
    assert Notification.objects.count() == 1


def test_sms_goes_through_the_gateway_and_never_logs_the_phone_in_clear(
    carol, caplog, django_capture_on_commit_callbacks
):
    rule = registry.register(
        registry.Rule(code="tests.sms", label="短信测试", channels=("in_app", "sms"))
    )
    try:
        carol.phone = "13912345678"
        carol.save()
        with (
            caplog.at_level(logging.INFO, logger="huzhou_care.notify"),
            django_capture_on_commit_callbacks(execute=True),
        ):
            services.notify(recipient=carol, rule=rule.code, text="明天上午走访")
        assert Delivery.objects.get().status == "sent"
        assert "139****5678" in caplog.text
        assert "13912345678" not in caplog.text and "明天上午走访" not in caplog.text
    finally:
        registry.unregister(rule.code)


def test_a_transient_mail_error_leaves_the_delivery_pending_for_a_retry(
    waiting_upload, carol, monkeypatch
):
    from huzhou_care.notify import channels

    carol.email = "cai@example.cn"
    carol.save()
    calls = []

    def down(**kwargs):
        calls.append(kwargs)
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr(channels, "email_send", down)
    waiting_upload()
    with pytest.raises(channels.TransientDeliveryError):
        run(DEC + dt.timedelta(days=2))
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.error) == (
        "pending",
        1,
        "ConnectionRefusedError",
    )
    assert Reminder.objects.count() == 1  # the reminder itself is recorded once
    monkeypatch.undo()
    assert services.deliveries_send() == 1
    assert len(mail.outbox) == 1


def test_a_permanent_mail_error_is_recorded_and_not_retried(waiting_upload, carol, monkeypatch):
    from huzhou_care.notify import channels

    carol.email = "cai@example.cn"
    carol.save()
    monkeypatch.setattr(
        channels, "email_send", lambda **kw: (_ for _ in ()).throw(ValueError("bad address"))
    )
    waiting_upload()
    run(DEC + dt.timedelta(days=2))
    assert Delivery.objects.get().status == "failed"
    assert services.deliveries_send() == 0


def test_a_delivery_claimed_by_another_run_is_not_sent_again(waiting_upload, carol):
    carol.email = "cai@example.cn"
    carol.save()
    waiting_upload()
    run(DEC + dt.timedelta(days=2))
    Delivery.objects.update(status="sending")  # as if a killed process had claimed it
    assert services.deliveries_send() == 0
    assert len(mail.outbox) == 1


def test_notification_text_is_cleaned_of_control_and_bidi_characters(carol):
    note = services.notify(
        recipient=carol, rule="children.roster_waiting", text="请确认\u202e名册\x00《a》\u200f"
    )
    assert note.text == "请确认名册《a》"
