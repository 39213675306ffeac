import datetime as dt
import zoneinfo
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from campaign.programmes import services
from tests.factories import ChildFactory, first_township
from tests.files import samples
from tests.volunteers.factories import MembershipFactory, TeamFactory

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")


def at(day: dt.date, hour=9):
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=TZ)


def photo(name="p.jpg"):
    return SimpleUploadedFile(name, samples.jpeg_with_gps((64, 48)))


@pytest.fixture
def venue_of(alice, bob, wuxing, changxing):
    def make(place, name="七彩小屋一号", kind="colourful_hut"):
        county, user = (wuxing, alice) if place == "wuxing" else (changxing, bob)
        return services.venue_create(
            data={
                "name": name,
                "kind": kind,
                "township": first_township(county),
                "address": "某村文化礼堂",
                "managed_by": "团县委",
                "facilities": ["books", "toys"],
            },
            user=user,
        )

    return make


@pytest.fixture
def school_team(wuxing_school):
    return TeamFactory(school=wuxing_school, organization=None)


@pytest.fixture
def team_volunteers(school_team):
    return [MembershipFactory(team=school_team).volunteer for _ in range(2)]


def make_wish(child, user, **extra):
    data = {"item": "一套彩笔", "estimated_value": Decimal("45"), "story": "喜欢画画"}
    data.update(extra)
    return services.wish_collect(child=child, data=data, user=user)


@pytest.fixture
def low_income_child(wuxing_school):
    return ChildFactory(school=wuxing_school, name="赵小兰", low_income=True)


@pytest.fixture(autouse=True)
def _fresh_claim_counts():
    """The claim rate limit counts in the cache (Redis when REDIS_URL is set): start empty."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
