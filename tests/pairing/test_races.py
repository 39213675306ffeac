"""Two requests at the same moment, on PostgreSQL (SQLite serialises writers, so the race
cannot happen there; the constraints themselves are tested on both in test_services.py)."""

import threading
import uuid

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from pairing.models import ChildPairing, Visit
from tests.factories import UserFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL's concurrency"),
]


def _at_once(*calls):
    """Run each call in its own thread (own database connection), released together."""
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


def test_two_concurrent_requests_cannot_give_a_child_two_active_volunteer_pairings(
    alice, erin, wuxing_child
):
    other = UserFactory(role="volunteer", organization=erin.organization, username="vol2")
    started = timezone.localdate().isoformat()

    def pair(person):
        def call():
            client = Client()
            client.force_login(alice)
            data = {
                "kind": "volunteer",
                "person": person.pk,
                "started_on": started,
                "children": [wuxing_child.pk],
            }
            response = client.post(reverse("pairing:pair"), data, follow=True)
            return response.status_code, response.content.decode()

        return call

    for _round in range(3):
        ChildPairing.objects.all().delete()
        results = _at_once(pair(erin), pair(other))
        assert [r[0] for r in results] == [200, 200], results
        assert (
            ChildPairing.objects.active().filter(child=wuxing_child, kind="volunteer").count() == 1
        )
        pages = [r[1] for r in results]
        assert sum("已将 1 名儿童" in p for p in pages) == 1
        assert sum("已有在结对的志愿者结对" in p for p in pages) == 1


def test_two_concurrent_sends_of_one_visit_create_it_once(erin, alice, wuxing_child):
    from pairing import services

    services.pairing_create(
        child=wuxing_child,
        person=erin,
        kind="volunteer",
        started_on=timezone.localdate(),
        actor=alice,
    )
    key = str(uuid.uuid4())

    def send():
        client = Client()
        client.force_login(erin)
        data = {
            "idempotency_key": key,
            "child": wuxing_child.pk,
            "kind": "home",
            "visited_on": timezone.localdate().isoformat(),
            "duration_minutes": "30",
        }
        return client.post(
            reverse("pairing:visit_new"), data, HTTP_ACCEPT="application/json"
        ).json()

    results = _at_once(send, send)
    assert sorted(r["created"] for r in results) == [False, True], results
    assert results[0]["visit"] == results[1]["visit"]
    assert Visit.objects.count() == 1


def test_two_first_pairings_at_a_school_at_once_both_count(alice, erin, wuxing_school):
    from pairing.models import PairingTally
    from tests.factories import ChildFactory

    kids = [ChildFactory(school=wuxing_school) for _ in range(2)]
    started = timezone.localdate().isoformat()

    def pair(child):
        def call():
            client = Client()
            client.force_login(alice)
            data = {
                "kind": "volunteer",
                "person": erin.pk,
                "started_on": started,
                "children": [child.pk],
            }
            return client.post(reverse("pairing:pair"), data).status_code

        return call

    assert _at_once(pair(kids[0]), pair(kids[1])) == [302, 302]
    assert PairingTally.objects.get(school=wuxing_school, kind="volunteer").active == 2
