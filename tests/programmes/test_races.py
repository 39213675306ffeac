"""Two people claiming the same wish at the same moment, on PostgreSQL (SQLite serialises
writers; the constraint itself is tested on both in test_services.py)."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from campaign.programmes import services
from campaign.programmes.models import Wish, WishClaim

from .conftest import make_wish

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL's concurrency"),
]


def _at_once(*calls):
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            results[index] = call()
        except Exception as exc:  # noqa: BLE001 - reported to the test
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return results


def test_a_wish_claimed_by_several_people_at_once_is_claimed_once(carol, alice, wuxing_child):
    wish = make_wish(wuxing_child, carol)
    services.wish_review(wish=wish, approve=True, user=alice)

    def claim(i):
        return lambda: services.wish_claim(
            wish_id=wish.pk, kind="public", name=f"认领人{i}", phone=f"1391234567{i}"
        )

    results = _at_once(*(claim(i) for i in range(4)))
    won = [r for r in results if isinstance(r, WishClaim)]
    lost = [r for r in results if isinstance(r, ValidationError)]
    assert len(won) == 1 and len(lost) == 3, results
    assert all("已被认领" in str(e) for e in lost)
    wish.refresh_from_db()
    assert wish.status == Wish.Status.CLAIM_PENDING
    assert WishClaim.objects.filter(wish=wish).count() == 1
