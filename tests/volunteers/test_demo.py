"""volunteers/demo.py through seed_demo: teams, volunteers, a year of hours in every state."""

from io import StringIO

import pytest
from django.core.management import call_command

from huzhou_care.demo import catalog
from volunteers.models import Membership, ServiceRecord, Team, Volunteer

pytestmark = pytest.mark.django_db


def seed(children=300, seed=7):
    out = StringIO()
    call_command("seed_demo", children=children, seed=seed, stdout=out)
    return out.getvalue()


def test_seed_demo_builds_teams_volunteers_and_a_year_of_hours_in_every_state():
    seed()
    org_teams = Team.objects.filter(organization__isnull=False)
    assert org_teams.count() == len(catalog.ORGANIZATIONS)
    assert Team.objects.filter(school__isnull=False).count() >= 5
    assert 40 <= Volunteer.objects.count() <= 60  # 300 children: 45 volunteers
    assert set(ServiceRecord.objects.values_list("state", flat=True)) == set(
        ServiceRecord.State.values
    )
    dates = ServiceRecord.objects.values_list("service_date", flat=True)
    assert (max(dates) - min(dates)).days > 300
    assert not ServiceRecord.objects.filter(state="declined", decline_reason="").exists()
    assert Membership.objects.filter(state=Membership.State.ACTIVE).count() >= 40
    assert Team.objects.filter(leader__isnull=False).count() >= Team.objects.count() - 2
    linked = Volunteer.objects.filter(user__isnull=False)
    assert linked.count() >= 3
    for volunteer in linked:
        assert volunteer.user.role == "volunteer"
        assert volunteer.memberships.exists()


def test_seed_demo_volunteers_are_deterministic_and_idempotent():
    seed()
    first = sorted(Volunteer.objects.values_list("zyh_account", "name"))
    records = ServiceRecord.objects.count()
    output = seed()
    assert "志愿者" in output
    assert sorted(Volunteer.objects.values_list("zyh_account", "name")) == first
    assert ServiceRecord.objects.count() == records
    seed(children=600)
    assert Volunteer.objects.count() == 90
    accounts = set(Volunteer.objects.values_list("zyh_account", flat=True))
    assert {account for account, _ in first} <= accounts
