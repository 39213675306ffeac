"""seed_demo grows venues, a year of activities per programme, wishes in every state, aid
records, support plans and guardianship assessments; a second run adds nothing."""

from io import StringIO

import pytest
from django.core.management import call_command

from campaign.programmes.models import (
    Activity,
    AidRecord,
    GuardianshipReview,
    SupportPlan,
    Venue,
    Wish,
)
from volunteers.models import Programme, ServiceRecord

pytestmark = pytest.mark.django_db


def test_seed_demo_builds_the_programmes_once():
    out = StringIO()
    call_command("seed_demo", children=200, seed=3, stdout=out)
    assert "关爱阵地" in out.getvalue()
    assert Venue.objects.values("county").distinct().count() == 5
    assert set(Activity.objects.values_list("programme", flat=True)) == set(Programme.values)
    months = {a.starts_at.strftime("%Y-%m") for a in Activity.objects.all()}
    assert len(months) >= 11
    assert ServiceRecord.objects.filter(activity_name__contains="（活动").exists()
    assert set(Wish.objects.values_list("status", flat=True)) == set(Wish.Status.values)
    assert AidRecord.objects.exists() and GuardianshipReview.objects.filter(result="poor").exists()
    assert SupportPlan.objects.count() == SupportPlan.objects.filter(reviews__isnull=False).count()
    counts = [m.objects.count() for m in (Venue, Activity, Wish, AidRecord)]
    call_command("seed_demo", children=200, seed=3, stdout=StringIO())
    assert [m.objects.count() for m in (Venue, Activity, Wish, AidRecord)] == counts
