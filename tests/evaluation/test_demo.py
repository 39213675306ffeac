"""seed_demo ends with the evaluation: the default table, 自评 and 审定 with their reasons,
one snapshot; the city dashboard draws the ranking and the 考评 page lists the snapshot."""

from io import StringIO

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from campaign.evaluation.dashboards import cache_key
from campaign.models import Assessment, IndicatorTable, Snapshot
from huzhou_care.accounts.models import User

pytestmark = pytest.mark.django_db


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", children=120, seed=5, stdout=out)
    return out.getvalue()


def test_seed_demo_leaves_a_snapshot_the_dashboard_and_the_evaluation_page_show(client):
    output = seed()
    snapshot = Snapshot.objects.get()
    assert "考评快照新建 1（已存在 0）" in output and snapshot.as_of <= timezone.localdate()
    assert snapshot.year == snapshot.as_of.year and snapshot.table.version == 1
    assert {"activities", "wishes"} <= set(snapshot.results["districts"][0]["indicators"])
    assert len(snapshot.results["districts"]) == 5
    cells = [d["indicators"] for d in snapshot.results["districts"]]
    assert any(c["activities"]["value"] for c in cells) and any(c["wishes"]["den"] for c in cells)
    entries = Assessment.objects.filter(year=snapshot.year)
    assert set(entries.values_list("side", flat=True)) == {"self", "city"}
    assert not entries.filter(side="city", reason="").exists()
    assert entries.filter(side="self", reason="补充佐证材料后调整自评等次").exists()

    client.force_login(User.objects.get(username="city_officer"))
    cache.delete(cache_key(None, timezone.localdate()))
    html = client.get(reverse("campaign:dashboard")).content.decode()
    assert 'id="ranking-chart"' in html and 'data-testid="ranking-table"' in html
    html = client.get(reverse("campaign:evaluation")).content.decode()
    assert str(snapshot) in html and f"?snapshot={snapshot.pk}" in html


def test_seed_demo_twice_adds_no_entry_and_no_snapshot():
    seed()
    counts = [m.objects.count() for m in (Snapshot, Assessment, IndicatorTable)]
    output = seed()
    assert [m.objects.count() for m in (Snapshot, Assessment, IndicatorTable)] == counts
    assert "考评快照新建 0（已存在 1）" in output
