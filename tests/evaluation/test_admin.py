"""city_admin configures the indicator table in the admin: drafts are edited, published
versions are frozen, a copy makes the next draft."""

import pytest
from django.urls import reverse

from campaign.evaluation import services
from campaign.models import IndicatorTable

pytestmark = pytest.mark.django_db


def test_a_published_table_is_frozen_and_copied_into_a_new_draft(client, city_admin):
    table = services.load_default_table(2026)
    assert table.published
    client.force_login(city_admin)
    url = reverse("admin:campaign_indicatortable_change", args=[table.pk])
    html = client.get(url).content.decode()
    assert 'name="title"' not in html  # read-only once published
    client.post(
        reverse("admin:campaign_indicatortable_changelist"),
        {"action": "copy_as_new_version", "_selected_action": [table.pk]},
    )
    draft = IndicatorTable.objects.get(year=2026, version=2)
    assert not draft.published and draft.groups.count() == table.groups.count()
    assert (
        'name="title"'
        in client.get(
            reverse("admin:campaign_indicatortable_change", args=[draft.pk])
        ).content.decode()
    )
    client.post(
        reverse("admin:campaign_indicatortable_changelist"),
        {"action": "publish", "_selected_action": [draft.pk]},
    )
    draft.refresh_from_db()
    assert draft.published and services.table_for(2026) == draft


def test_snapshots_are_read_only_in_the_admin(client, city_admin):
    client.force_login(city_admin)
    assert client.get(reverse("admin:campaign_snapshot_changelist")).status_code == 200
    assert client.get(reverse("admin:campaign_snapshot_add")).status_code == 403
