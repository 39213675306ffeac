"""seed_demo's pairing part (pairing/demo.py): pairings, a year of visits, feedback and overdue
cases, deterministic per seed and idempotent."""

from io import StringIO

import pytest
from django.core.management import call_command

from children.models import Child
from huzhou_care.accounts.models import User
from pairing import selectors
from pairing.models import ChildPairing, FeedbackMessage, OrgSchoolPairing, Visit

N = 300


def seed():
    out = StringIO()
    call_command("seed_demo", stdout=out, children=N, seed=7)
    return out.getvalue()


def _fingerprint():
    return (
        sorted(
            ChildPairing.objects.values_list(
                "child__id_number_bidx", "kind", "person__username", "started_on", "last_visit_on"
            )
        ),
        sorted(
            Visit.objects.values_list(
                "child__id_number_bidx", "visited_on", "kind", "duration_minutes"
            )
        ),
    )


@pytest.mark.django_db
def test_seed_demo_pairs_most_children_with_a_year_of_visits_and_is_idempotent():
    out = seed()
    assert "结对新建" in out
    children = Child.objects.active().filter(school__isnull=False).count()
    staff = ChildPairing.objects.filter(kind="staff").count()
    volunteer = ChildPairing.objects.filter(kind="volunteer").count()
    assert 0.8 * children <= staff <= children
    assert 0.1 * children <= volunteer <= 0.4 * children
    assert Visit.objects.count() > children
    assert Visit.objects.filter(follow_up_needed=True).exists()
    assert FeedbackMessage.objects.exists()
    assert OrgSchoolPairing.objects.exists()
    # The demo volunteer accounts have children to visit.
    volunteer_1 = User.objects.get(username="volunteer_1")
    assert selectors.my_children(volunteer_1).exists()
    # Some pairings are overdue (no visit for 30 days).
    admin = User.objects.get(username="city_admin")
    assert selectors.overdue(admin)[0].exists()
    before = _fingerprint()
    assert "结对新建 0" in seed()
    assert _fingerprint() == before


@pytest.mark.django_db
def test_the_same_seed_gives_the_same_pairings():
    seed()
    first = _fingerprint()
    Visit.objects.all().delete()
    FeedbackMessage.objects.all().delete()
    ChildPairing.objects.all().delete()
    seed()
    assert _fingerprint() == first
