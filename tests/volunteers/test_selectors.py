"""关爱时间 and star levels: approved hours only, by month and by programme; the team page."""

import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.volunteers.factories import (
    MembershipFactory,
    RecordFactory,
    TeamFactory,
    VolunteerFactory,
)
from volunteers import selectors
from volunteers.models import ServiceRecord

State = ServiceRecord.State


@pytest.mark.parametrize(
    ("hours", "stars"),
    [
        (0, 0),
        (99.5, 0),
        (100, 1),
        (299.99, 1),
        (300, 2),
        (600, 3),
        (999, 3),
        (1000, 4),
        (1500, 5),
        (9000, 5),
    ],
)
def test_star_level_follows_the_cumulative_approved_hours(hours, stars):
    assert selectors.star_level(Decimal(str(hours))) == stars


def test_next_star_says_how_many_hours_are_missing():
    assert selectors.next_star(Decimal("250")) == (2, Decimal("50"))
    assert selectors.next_star(Decimal("1500")) is None


@pytest.fixture
def team(org):
    return TeamFactory(code="HUTC-01", organization=org)


@pytest.mark.django_db
def test_only_approved_hours_count_towards_care_time_and_stars(team, olga):
    volunteer = VolunteerFactory()
    MembershipFactory(team=team, volunteer=volunteer)
    for state in (State.APPROVED, State.APPROVED, State.PENDING, State.DECLINED):
        RecordFactory(
            team=team,
            volunteer=volunteer,
            hours=Decimal("20"),
            state=state,
            decline_reason="未签到" if state == State.DECLINED else "",
        )
    listed = selectors.volunteers_for(olga).get(pk=volunteer.pk)
    assert listed.total_hours == Decimal("40")
    RecordFactory.create_batch(
        3, team=team, volunteer=volunteer, hours=Decimal("20"), state=State.APPROVED
    )
    listed = selectors.volunteers_for(olga).get(pk=volunteer.pk)
    assert listed.total_hours == Decimal("100")
    assert selectors.star_level(listed.total_hours) == 1


@pytest.mark.django_db
def test_hours_by_month_covers_twelve_months_of_approved_hours(team):
    today = dt.date(2026, 12, 2)
    RecordFactory(
        team=team, service_date=dt.date(2026, 11, 3), hours=Decimal("2.5"), state=State.APPROVED
    )
    RecordFactory(
        team=team, service_date=dt.date(2026, 11, 20), hours=Decimal("1.5"), state=State.APPROVED
    )
    RecordFactory(
        team=team, service_date=dt.date(2026, 1, 9), hours=Decimal("4"), state=State.APPROVED
    )
    RecordFactory(
        team=team, service_date=dt.date(2026, 11, 21), hours=Decimal("9"), state=State.PENDING
    )
    RecordFactory(
        team=team, service_date=dt.date(2025, 12, 1), hours=Decimal("7"), state=State.APPROVED
    )
    chart = selectors.hours_by_month(ServiceRecord.objects.filter(team=team), today=today)
    assert chart["labels"][0] == "2026年1月" and chart["labels"][-1] == "2026年12月"
    data = dict(zip(chart["labels"], chart["series"][0]["data"], strict=True))
    assert data["2026年11月"] == 4.0
    assert data["2026年1月"] == 4.0
    assert sum(data.values()) == 8.0  # pending and out-of-window hours left out


@pytest.mark.django_db
def test_hours_by_programme_reads_the_programme_of_the_activity(team, olga):
    from django.core.management import call_command

    from tests.volunteers.test_imports import FIXTURES

    call_command(
        "import_volunteers",
        str(FIXTURES / "volunteers-a.xlsx"),
        "--team",
        team.code,
        "--json",
        stdout=io.StringIO(),
    )
    call_command(
        "import_hours",
        str(FIXTURES / "hours-b-gb18030.csv"),
        "--team",
        team.code,
        "--json",
        stdout=io.StringIO(),
    )
    programmes = dict(selectors.hours_by_programme(ServiceRecord.objects.filter(team=team)))
    # 七彩假期·暑期陪护 rows 38, 51 and 55 of the file (序号 38, 51, 55): 4 + 2 + 1 hours
    assert programmes["七彩假期"] == Decimal("7")
    assert "其他活动" in programmes


@pytest.mark.django_db
def test_the_team_page_shows_members_chart_and_pending_in_a_fixed_number_of_queries(
    client, team, olga
):
    def fill(count):
        for _ in range(count):
            membership = MembershipFactory(team=team)
            RecordFactory(
                team=team, volunteer=membership.volunteer, state=State.APPROVED, hours=Decimal("3")
            )
            RecordFactory(team=team, volunteer=membership.volunteer, state=State.PENDING)

    client.force_login(olga)
    url = reverse("volunteers:team_detail", args=[team.pk])
    fill(3)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    fill(30)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert len(many) == len(few)
    page = response.content.decode()
    assert 'id="team-hours-chart" type="application/json"' in page
    assert 'data-chart-source="team-hours-chart"' in page
    assert "时长审核（待审核 33）" in page
    chart = json.loads(
        page.split('id="team-hours-chart" type="application/json">')[1].split("</script>")[0]
    )
    assert len(chart["labels"]) == 12
    assert response.context["page"].paginator.count == 33


@pytest.mark.django_db
def test_lists_show_the_star_level(client, team, olga):
    VolunteerFactory()  # so that volunteer and membership ids differ
    volunteer = VolunteerFactory(name="周海燕")
    MembershipFactory(team=team, volunteer=volunteer)
    RecordFactory(team=team, volunteer=volunteer, hours=Decimal("24"), state=State.APPROVED)
    ServiceRecord.objects.bulk_create(
        [
            RecordFactory.build(
                team=team, volunteer=volunteer, hours=Decimal("24"), state=State.APPROVED
            )
            for _ in range(25)
        ]
    )  # 26 x 24 h = 624 h: 3 stars
    client.force_login(olga)
    page = client.get(reverse("volunteers:volunteer_list")).content.decode()
    assert "★★★☆☆" in page
    assert "★★★☆☆" in client.get(reverse("volunteers:team_detail", args=[team.pk])).content.decode()
