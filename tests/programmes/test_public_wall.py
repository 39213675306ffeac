"""The public wish wall: no login, no personal data, claims rate-limited per IP."""

import re

import pytest
from django.core.cache import cache
from django.urls import reverse

from campaign.programmes import services
from campaign.programmes.models import Wish, WishClaim
from tests.factories import ChildFactory

from .conftest import make_wish, photo

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def wall(carol, alice, wuxing_school):
    """Children with wishes in every state (the unpublished ones must not show either)."""
    children = [
        ChildFactory(
            school=wuxing_school,
            name=f"欧阳{given}",
            guardian_phone=f"1380000{i:04d}",
            father_phone=f"1390000{i:04d}",
            mother_phone=f"1370000{i:04d}",
            low_income=i % 2 == 0,
        )
        for i, given in enumerate(["明月", "星辰", "海燕", "子涵", "浩然", "雨桐"])
    ]
    wishes = [make_wish(c, carol, item=f"心愿物品{i}") for i, c in enumerate(children)]
    for w in wishes[1:]:
        services.wish_review(wish=w, approve=True, user=alice)
    services.wish_claim(wish_id=wishes[2].pk, kind="public", name="孙爱心", phone="13611112222")
    for w in wishes[3:5]:
        services.wish_claim(wish_id=w.pk, kind="organization", name="某企业", phone="13633334444")
        services.claim_decide(wish=w, confirm=True, user=alice)
    services.wish_fulfil(
        wish=wishes[4], evidence=photo(), fulfilled_on=wishes[4].collected_at.date(), user=alice
    )
    return children, wishes


def _personal(children):
    values = set()
    for c in children:
        values |= {c.name, c.id_number, c.guardian_phone, c.father_phone, c.mother_phone}
        values |= {c.guardian_name, c.father_name, c.mother_name, c.current_address}
        values |= {c.name[1:]}  # the given name alone
    values |= {"13611112222", "13633334444", "孙爱心"}
    return {v for v in values if v}


def test_the_wall_is_public_and_leaks_no_personal_data(client, wall):
    children, wishes = wall
    response = client.get(reverse("campaign:wish_wall"))
    assert response.status_code == 200
    html = response.content.decode()
    for value in _personal(children):
        assert value not in html, value
    digits = set(re.findall(r"\d{11,18}", html))
    assert not digits & _personal(children)
    # What it does show: published and later wishes, with surname, grade and township.
    assert "心愿物品0" not in html  # not yet reviewed
    for i in range(1, 6):
        assert f"心愿物品{i}" in html
    assert "欧同学" in html and "三年级" in html
    assert children[0].township.name in html
    assert html.count("我来认领") == 2  # only the two published ones


def test_the_claim_page_leaks_nothing_either(client, wall):
    children, wishes = wall
    for w in wishes[1:]:
        response = client.get(reverse("campaign:wish_claim", args=[w.pk]))
        assert response.status_code == 200
        html = response.content.decode()
        for value in _personal(children):
            assert value not in html, value
    assert client.get(reverse("campaign:wish_claim", args=[wishes[0].pk])).status_code == 404


def test_a_public_claim_waits_for_the_district_and_stores_the_phone_encrypted(client, wall):
    from django.db import connection

    _, wishes = wall
    wish = wishes[1]
    response = client.post(
        reverse("campaign:wish_claim", args=[wish.pk]),
        {"kind": "public", "name": "周女士", "phone": "139 1234 5678"},
        follow=True,
    )
    assert "区县团委确认后" in response.content.decode()
    wish.refresh_from_db()
    assert wish.status == Wish.Status.CLAIM_PENDING
    claim = WishClaim.objects.get(wish=wish)
    assert claim.phone == "13912345678"
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM campaign_wishclaim WHERE id = %s", [claim.pk])
        stored = cursor.fetchone()[0]
    assert "13912345678" not in str(stored)


def test_public_claims_are_rate_limited_per_ip(client, carol, alice, wuxing_school):
    wishes = []
    for _ in range(services.CLAIM_LIMIT + 2):
        w = make_wish(ChildFactory(school=wuxing_school), carol)
        services.wish_review(wish=w, approve=True, user=alice)
        wishes.append(w)
    data = {"kind": "public", "name": "热心人", "phone": "13912345678"}
    for w in wishes[: services.CLAIM_LIMIT]:
        client.post(reverse("campaign:wish_claim", args=[w.pk]), data, REMOTE_ADDR="203.0.113.9")
    over = wishes[services.CLAIM_LIMIT]
    response = client.post(
        reverse("campaign:wish_claim", args=[over.pk]), data, REMOTE_ADDR="203.0.113.9"
    )
    assert response.status_code == 200 and "频繁" in response.content.decode()
    over.refresh_from_db()
    assert over.status == Wish.Status.PUBLISHED
    assert WishClaim.objects.count() == services.CLAIM_LIMIT
    # Another address may still claim.
    client.post(reverse("campaign:wish_claim", args=[over.pk]), data, REMOTE_ADDR="198.51.100.7")
    over.refresh_from_db()
    assert over.status == Wish.Status.CLAIM_PENDING


def test_claiming_a_fulfilled_wish_from_the_wall_is_refused(client, wall):
    _, wishes = wall
    fulfilled = wishes[4]
    response = client.post(
        reverse("campaign:wish_claim", args=[fulfilled.pk]),
        {"kind": "public", "name": "周", "phone": "13912345678"},
    )
    assert "已被认领" in response.content.decode()
    assert fulfilled.claims.count() == 1
