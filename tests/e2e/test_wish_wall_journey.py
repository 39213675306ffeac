"""The public wish wall in a real browser under the strict CSP: an anonymous visitor sees a
published wish without the child's personal data, claims it with a name and a phone and reads
the Chinese confirmation; the child's district finds the pending claim among its wishes and
confirms it; the wall then shows the wish as claimed and no longer offers it."""

from decimal import Decimal

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from campaign.programmes import services
from campaign.programmes.models import Wish, WishClaim
from tests.factories import ChildFactory

from .conftest import login

PASSWORD = "portal-test-Pass-2026"
CLAIMER_PHONE = "13611112222"

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _fresh_claim_counts():
    """The claim rate limit counts in the cache: start and end empty."""
    cache.clear()
    yield
    cache.clear()


def _published(child, item, carol, alice):
    wish = services.wish_collect(
        child=child,
        data={"item": item, "estimated_value": Decimal("45"), "story": "喜欢画画，想给奶奶画像"},
        user=carol,
    )
    return services.wish_review(wish=wish, approve=True, user=alice)


def _card(page, item):
    return page.get_by_test_id("wish-wall").locator(".card").filter(has_text=item)


def test_a_visitor_claims_a_wish_on_the_public_wall_and_the_district_confirms_it(
    page, live_server, carol, alice, wuxing_school, artifacts_dir, page_problems
):
    child = ChildFactory(
        school=wuxing_school,
        name="欧阳明月",
        guardian_phone="13800001234",
        father_phone="13900001234",
        mother_phone="13700001234",
    )
    other = ChildFactory(school=wuxing_school, name="李小芳")
    wish = _published(child, "一套彩笔", carol, alice)
    _published(other, "一个书包", carol, alice)
    personal = {
        child.name,
        child.name[1:],
        child.id_number,
        child.guardian_phone,
        child.father_phone,
        child.mother_phone,
        child.guardian_name,
        CLAIMER_PHONE,
    }

    # An anonymous visitor: the wish shows by surname, grade and township only.
    page.goto(live_server.url + "/wishes/")
    expect(page.get_by_role("heading", name="微心愿墙")).to_be_visible()
    card = _card(page, "一套彩笔")
    expect(card).to_contain_text("欧同学")
    expect(card).to_contain_text("三年级")
    html = page.content()
    for value in personal:
        assert value not in html, value

    card.get_by_role("link", name="我来认领").click()
    expect(page.get_by_role("heading", name="认领心愿：一套彩笔")).to_be_visible()
    page.get_by_label("认领人类型").select_option(label="爱心人士")
    page.get_by_label("姓名或单位名称").fill("孙爱心")
    page.get_by_label("手机号码").fill(CLAIMER_PHONE)
    page.get_by_role("button", name="提交认领").click()
    expect(page.get_by_role("alert").first).to_contain_text(
        "感谢您的爱心！认领已提交，区县团委确认后会与您电话联系。"
    )
    # Back on the wall: the wish waits for confirmation and cannot be claimed again.
    expect(page.get_by_role("heading", name="微心愿墙")).to_be_visible()
    expect(_card(page, "一套彩笔")).to_contain_text("认领待确认")
    expect(_card(page, "一套彩笔").get_by_role("link", name="我来认领")).to_have_count(0)
    expect(_card(page, "一个书包").get_by_role("link", name="我来认领")).to_have_count(1)
    assert CLAIMER_PHONE not in page.content()
    assert WishClaim.objects.get(wish=wish).status == WishClaim.Status.PENDING

    # The child's district finds the claim among its wishes and confirms it.
    login(page, live_server, "alice", PASSWORD)
    page.get_by_role("link", name="微心愿").first.click()  # the home page's shortcut
    row = page.locator("tbody tr").filter(has_text="一套彩笔")
    expect(row).to_contain_text("欧阳明月")
    expect(row).to_contain_text("认领待确认")
    row.get_by_role("link", name="一套彩笔").click()
    expect(page.get_by_role("heading", name="一套彩笔")).to_contain_text("认领待确认")
    claims = page.locator("table").filter(has_text="认领人")
    expect(claims).to_contain_text("孙爱心")
    expect(claims).to_contain_text("待区县确认")
    page.get_by_role("button", name="确认认领").click()
    expect(page.get_by_role("alert").first).to_contain_text("已记录")
    expect(page.get_by_role("heading", name="一套彩笔")).to_contain_text("已认领")
    expect(claims).to_contain_text("已确认")
    expect(page.get_by_role("button", name="确认认领")).to_have_count(0)

    page.goto(live_server.url + "/campaign/wishes/")
    expect(page.locator("tbody tr").filter(has_text="一套彩笔")).to_contain_text("已认领")
    wish.refresh_from_db()
    assert wish.status == Wish.Status.CLAIMED

    # The wall, for the public again: shown as claimed, no longer offered.
    page.context.clear_cookies()
    page.goto(live_server.url + "/wishes/")
    expect(_card(page, "一套彩笔")).to_contain_text("已认领")
    expect(_card(page, "一套彩笔").get_by_role("link", name="我来认领")).to_have_count(0)
    expect(page.get_by_role("link", name="我来认领")).to_have_count(1)  # only 一个书包
    for value in personal:
        assert value not in page.content(), value
    page.screenshot(path=str(artifacts_dir / "wish-wall-claimed.png"), full_page=True)
    assert page_problems == []
