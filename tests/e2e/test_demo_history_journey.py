"""seed_demo's children have a past: a district officer opens a demo child "as of" two years
ago in Chromium and sees the record as it stood then (the screenshot is kept)."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from .conftest import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_demo_child_as_of_two_years_ago(page, live_server, artifacts_dir, page_problems):
    from children.choices import GRADE_CHOICES
    from children.models import Child
    from huzhou_care.audit.services import change_history

    call_command("seed_demo", children=200, seed=3, stdout=StringIO())
    today = timezone.localdate()
    then = dt.date(today.year - 2, today.month, min(today.day, 28))
    # A 吴兴区 child registered before then whose guardian changed since (and who went up two
    # school years): the page as of then must show the guardian and grade of then.
    candidates = Child.objects.filter(
        county__name="吴兴区", registered_on__lt=then, grade__gte=3, status="active"
    ).order_by("pk")
    child = next(
        c
        for c in candidates
        if change_history(c).filter(at__date__gt=then, changes__has_key="guardian_name").exists()
    )
    change = change_history(child).filter(changes__has_key="guardian_name").order_by("at").last()
    old_guardian = change.changes["guardian_name"][0]

    login(page, live_server, "wuxing_staff", "Huzhou-Demo-2026")
    page.goto(f"{live_server.url}/children/{child.pk}/?as_of={then.isoformat()}")
    banner = page.get_by_test_id("as-of-banner")
    expect(banner).to_contain_text(f"截至 {then.year}年{then.month}月{then.day}日 该儿童在册")
    expect(page.locator("main")).to_contain_text(old_guardian)
    grade_then = str(dict(GRADE_CHOICES)[child.grade - 2])  # two Septembers ago
    expect(page.locator("main")).to_contain_text(grade_then)
    page.screenshot(path=str(artifacts_dir / "demo-child-as-of-two-years-ago.png"), full_page=True)

    # The list as of the same day includes her (the list and the page agree).
    page.goto(f"{live_server.url}/children/?as_of={then.isoformat()}&q={child.name}")
    expect(page.get_by_test_id("children-table")).to_contain_text(child.name)
    assert page_problems == []
