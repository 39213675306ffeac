"""Activity roll-ups equal hand-computed figures, in a fixed number of queries."""

import datetime as dt
from decimal import Decimal

import pytest

from campaign.programmes import selectors, services
from tests.factories import ChildFactory
from tests.volunteers.factories import MembershipFactory, TeamFactory

from .conftest import TZ

pytestmark = pytest.mark.django_db


@pytest.fixture
def activities(city_admin, alice, bob, carol, dave, wuxing_school, changxing_school, venue_of):
    wx_team = TeamFactory(school=wuxing_school, organization=None)
    cx_team = TeamFactory(school=changxing_school, organization=None)
    wx_vols = [MembershipFactory(team=wx_team).volunteer for _ in range(3)]
    cx_vols = [MembershipFactory(team=cx_team).volunteer for _ in range(2)]
    wx_kids = [ChildFactory(school=wuxing_school) for _ in range(4)]
    cx_kids = [ChildFactory(school=changxing_school) for _ in range(2)]
    wx_venue, cx_venue = venue_of("wuxing"), venue_of("changxing")

    def make(user, team, venue, programme, kind, day, hours, vols, kids, anon, online=""):
        return services.activity_create(
            data={
                "programme": programme,
                "kind": kind,
                "title": f"{kind}{day}",
                "team": team,
                "venue": venue,
                "online": online,
                "starts_at": dt.datetime(2026, day[0], day[1], 9, tzinfo=TZ),
                "hours": Decimal(hours),
                "anonymous_count": anon,
            },
            volunteers=vols,
            children=kids,
            user=user,
        )

    # 吴兴区: A (holidays/tutoring, Jul): 3 vols x 2h, 4 kids + 10 anon
    make(carol, wx_team, wx_venue, "holidays", "tutoring", (7, 10), "2", wx_vols, wx_kids, 10)
    # 吴兴区: B (holidays/safety, Aug): 1 vol x 1.5h, 2 kids + 0 anon
    make(carol, wx_team, wx_venue, "holidays", "safety", (8, 3), "1.5", wx_vols[:1], wx_kids[:2], 0)
    # 吴兴区: C (growing/family_education, Aug, online): 0 vols, 0 kids + 25 anon
    make(
        carol, wx_team, None, "growing", "family_education", (8, 20), "1", [], [], 25, "qinqingbang"
    )
    # 长兴县: D (holidays/tutoring, Jul): 2 vols x 3h, 2 kids + 5 anon
    make(dave, cx_team, cx_venue, "holidays", "tutoring", (7, 15), "3", cx_vols, cx_kids, 5)
    return wx_venue.county, cx_venue.county


def _by(rows, key):
    return {r[key]: r for r in rows}


def test_rollups_equal_hand_computed_figures_in_four_queries(
    city_admin, activities, django_assert_num_queries
):
    wuxing, changxing = activities
    with django_assert_num_queries(4):
        rollups = selectors.activity_rollups(city_admin)
    programme = _by(rollups["programme"], "programme")
    assert programme["holidays"]["activities"] == 3
    assert programme["holidays"]["children"] == (4 + 10) + (2 + 0) + (2 + 5)
    assert programme["holidays"]["volunteers"] == 3 + 1 + 2
    assert programme["holidays"]["volunteer_hours"] == Decimal("6") + Decimal("1.5") + Decimal("6")
    assert programme["growing"]["activities"] == 1 and programme["growing"]["children"] == 25
    assert programme["growing"]["volunteers"] == 0
    kind = _by(rollups["kind"], "kind")
    assert kind["tutoring"]["activities"] == 2 and kind["tutoring"]["children"] == 14 + 7
    assert kind["safety"]["children"] == 2 and kind["family_education"]["children"] == 25
    district = _by(rollups["district"], "county_id")
    assert district[wuxing.pk]["activities"] == 3
    assert district[wuxing.pk]["children"] == 14 + 2 + 25
    assert district[wuxing.pk]["volunteer_hours"] == Decimal("7.5")
    assert district[changxing.pk]["activities"] == 1 and district[changxing.pk]["children"] == 7
    month = {r["month"].month: r for r in rollups["month"]}
    assert month[7]["activities"] == 2 and month[7]["children"] == 14 + 7
    assert month[8]["activities"] == 2 and month[8]["children"] == 2 + 25
    assert month[8]["volunteers"] == 1


def test_rollups_are_scoped_and_take_the_same_queries_with_more_activities(
    alice, activities, django_assert_num_queries
):
    wuxing, _ = activities
    with django_assert_num_queries(4):
        rollups = selectors.activity_rollups(alice)
    assert [r["county_id"] for r in rollups["district"]] == [wuxing.pk]
    assert sum(r["activities"] for r in rollups["programme"]) == 3


def test_the_activity_page_shows_the_rollups(client, city_officer, activities):
    from django.urls import reverse

    client.force_login(city_officer)
    response = client.get(reverse("campaign:activities"))
    assert response.status_code == 200
    rollups = response.context["rollups"]
    assert sum(r["children"] for r in rollups["district"]) == (14 + 2 + 25) + 7
