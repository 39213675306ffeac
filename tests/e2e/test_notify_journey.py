"""The notification centre in a real browser under the strict CSP: reminders sent by the
engine show as the unread count on the bell; marking one read (htmx) updates the item and the
count in place; following one opens the roster it is about; mark all read empties the count."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from children.models import RosterUpload
from huzhou_care.notify.services import reminders_send

from .conftest import login

PASSWORD = "portal-test-Pass-2026"

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _waiting(school, user, name):
    upload = RosterUpload.objects.create(
        school=school,
        uploaded_by=user,
        original_name=name,
        size=1,
        sha256="0" * 64,
        file="rosters/test",
        status=RosterUpload.Status.PREVIEW,
        rows=3,
    )
    RosterUpload.objects.filter(pk=upload.pk).update(
        uploaded_at=timezone.now() - dt.timedelta(days=3)
    )
    return upload


def test_a_school_clerk_reads_and_follows_her_reminders(
    page, live_server, carol, wuxing_school, artifacts_dir, page_problems
):
    first = _waiting(wuxing_school, carol, "一年级.xlsx")
    _waiting(wuxing_school, carol, "二年级.xlsx")
    _waiting(wuxing_school, carol, "三年级.xlsx")
    assert reminders_send(timezone.localdate())["sent"] == 3

    login(page, live_server, "carol", PASSWORD)
    badge = page.get_by_test_id("notify-unread")
    expect(badge).to_have_text("3")
    page.get_by_test_id("notify-bell").click()
    expect(page.get_by_role("heading", name="通知中心")).to_be_visible()
    items = page.get_by_test_id("notification")
    expect(items).to_have_count(3)

    items.nth(2).get_by_role("button", name="标为已读").click()  # htmx, in place
    expect(badge).to_have_text("2")
    expect(items.nth(2)).to_contain_text("已读")
    page.screenshot(path=str(artifacts_dir / "notify-centre.png"), full_page=True)

    item = items.filter(has_text="一年级.xlsx")
    with page.expect_navigation():
        item.get_by_role("button", name="查看").click()
    assert page.url.endswith(f"/children/rosters/{first.pk}/")
    expect(page.get_by_test_id("notify-unread")).to_have_text("1")

    page.get_by_test_id("notify-bell").click()
    page.get_by_test_id("read-all").click()
    expect(page.get_by_test_id("notify-unread")).to_be_hidden()
    expect(page.get_by_test_id("notification").filter(has_text="未读")).to_have_count(0)
    assert page_problems == []
