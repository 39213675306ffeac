"""Factories of the volunteers app, with Chinese fake data."""

import datetime as dt
import zoneinfo
from decimal import Decimal

import factory

from tests.factories import SURNAMES, OrganizationFactory
from volunteers.models import Membership, ServiceRecord, Team, TeamKind, Volunteer

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
GIVEN = ["志强", "秀英", "海燕", "建华", "丽娟", "文杰", "晓明", "雅婷"]


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    code = factory.Sequence(lambda n: f"T{n:04d}")
    name = factory.Sequence(lambda n: f"第{n}志愿服务队")
    kind = TeamKind.UNIVERSITY
    organization = factory.LazyAttribute(
        lambda o: None if o.school is not None else OrganizationFactory()
    )
    school = None
    county = factory.LazyAttribute(
        lambda o: (
            o.school.county if o.school else (o.organization.county if o.organization else None)
        )
    )


class VolunteerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Volunteer

    name = factory.Sequence(lambda n: SURNAMES[n % len(SURNAMES)] + GIVEN[n % len(GIVEN)])
    gender = "F"
    mobile = factory.Sequence(lambda n: f"139{n:08d}")
    zyh_account = factory.Sequence(lambda n: f"{700000000 + n}")
    unit = "湖州师范学院"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    volunteer = factory.SubFactory(VolunteerFactory)
    team = factory.SubFactory(TeamFactory)
    state = Membership.State.ACTIVE
    joined_on = dt.date(2026, 9, 1)


class RecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceRecord

    volunteer = factory.SubFactory(VolunteerFactory)
    team = factory.SubFactory(TeamFactory)
    service_date = factory.Sequence(lambda n: dt.date(2026, 11, 1) - dt.timedelta(days=n % 200))
    signed_in_at = factory.Sequence(
        lambda n: dt.datetime(2026, 1, 1, 8, 0, tzinfo=TZ) + dt.timedelta(hours=n)
    )
    hours = Decimal("2.5")
    activity_name = "周末学业辅导"
    source = ServiceRecord.Source.ENTERED
    state = ServiceRecord.State.PENDING
