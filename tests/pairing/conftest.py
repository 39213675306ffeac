import datetime as dt

import pytest
from django.utils import timezone

from pairing import services
from pairing.models import PairingKind, campaign_year
from volunteers.models import Membership, Team, Volunteer


@pytest.fixture
def erin_profile(erin, org):
    """Erin's volunteer profile, member of her university's team."""
    team = Team.objects.create(
        code="HZNU-01", name="湖师院青年志愿者队", kind="university", organization=org
    )
    volunteer = Volunteer.objects.create(name="尔雅", zyh_account="zyh-erin", user=erin)
    Membership.objects.create(volunteer=volunteer, team=team, joined_on=dt.date(2026, 3, 1))
    return volunteer


@pytest.fixture
def erin_paired(alice, erin, wuxing_child):
    """Erin is the volunteer paired with the 吴兴区 child (by the district officer)."""
    return services.pairing_create(
        child=wuxing_child,
        person=erin,
        kind=PairingKind.VOLUNTEER,
        started_on=timezone.localdate() - dt.timedelta(days=60),
        actor=alice,
    )


@pytest.fixture
def olga_school(alice, org, wuxing_school):
    """Olga's organisation is paired with the 吴兴区 school this campaign year."""
    return services.org_pairing_create(
        organization=org, school=wuxing_school, year=campaign_year(), actor=alice
    )
