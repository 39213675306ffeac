"""The reminder rules the apps register (campaign, pairing, volunteers), run through the
notify service: who gets what, once per period, and the text says why."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from campaign import services as campaign_services
from campaign.models import StageReport
from huzhou_care.notify.models import Notification
from huzhou_care.notify.services import reminders_send
from pairing.models import ChildPairing, Visit
from tests.campaign import builders as cb
from tests.volunteers.factories import RecordFactory, TeamFactory
from volunteers.models import ServiceRecord, TeamKind

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def _texts(rule, user=None):
    qs = Notification.objects.filter(rule=rule)
    if user is not None:
        qs = qs.filter(recipient=user)
    return list(qs.values_list("text", flat=True))


@pytest.fixture
def campaign(wuxing, changxing, wuxing_school, changxing_school, org):
    year = cb.make_year()
    units = {
        "wuxing": cb.district_unit(wuxing),
        "changxing": cb.district_unit(changxing),
        "wuxing_school": cb.school_unit(wuxing_school),
    }
    return year, units


@pytest.mark.parametrize(
    ("offset", "period"), [(7, "D-7"), (3, "D-3"), (1, "D-1"), (-1, "D+1"), (-3, "D+3")]
)
def test_deadline_reminders_at_each_offset_to_the_owing_unit(
    campaign, alice, bob, carol, offset, period
):
    year, units = campaign
    t = cb.make_template(
        year, title="全面推进情况", due=TODAY + dt.timedelta(days=offset), schools=True
    )
    # 长兴 has submitted: it is not reminded.
    report = StageReport.objects.create(template=t, unit=units["changxing"], status="submitted")
    assert report.is_complete
    result = reminders_send(TODAY)
    assert result["by_rule"]["campaign.deadline_due"] == 2  # alice (吴兴团委), carol (school)
    assert _texts("campaign.deadline_due", bob) == []
    (text,) = _texts("campaign.deadline_due", carol)
    assert "全面推进情况" in text and ("还有" in text if offset > 0 else "已逾期" in text)
    assert (
        Notification.objects.get(rule="campaign.deadline_due", recipient=alice).reminder.period
        == period
    )
    # The district's daily summary names its school that owes.
    (summary,) = _texts("campaign.deadline_summary", alice)
    assert "1 个单位未提交" in summary and period in summary
    assert reminders_send(TODAY)["sent"] == 0


def test_no_deadline_reminder_between_the_offsets(campaign, alice):
    year, _units = campaign
    cb.make_template(year, title="年度总结", due=TODAY + dt.timedelta(days=5))
    assert reminders_send(TODAY)["by_rule"]["campaign.deadline_due"] == 0


def test_a_returned_report_is_reminded_once_after_two_days(campaign, alice, city_admin):
    year, units = campaign
    t = cb.make_template(year, title="暑期走访", due=TODAY - dt.timedelta(days=20))
    report = StageReport.objects.create(template=t, unit=units["wuxing"], status="draft")
    cb.filled(report, alice)
    campaign_services.report_submit(report=report, user=alice)
    campaign_services.report_review(
        report=report, approve=False, comment="请补充走访人数", user=city_admin
    )
    assert reminders_send(TODAY)["by_rule"]["campaign.report_returned"] == 0  # too soon
    later = TODAY + dt.timedelta(days=2)
    assert reminders_send(later)["by_rule"]["campaign.report_returned"] == 1
    (text,) = _texts("campaign.report_returned", alice)
    assert "已被退回" in text and "请补充走访人数" in text
    assert reminders_send(later + dt.timedelta(days=1))["by_rule"]["campaign.report_returned"] == 0


def _pairing(child, person, last_contact):
    return ChildPairing.objects.create(
        child=child,
        kind="staff",
        person=person,
        county=child.county,
        township=child.township,
        school=child.school,
        started_on=last_contact,
        last_contact_on=last_contact,
        created_by=person,
    )


def test_overdue_visits_go_to_the_paired_person_and_the_school(wuxing_child, carol, dave):
    from tests.factories import UserFactory

    teacher = UserFactory(role="school_staff", school=wuxing_child.school)
    _pairing(wuxing_child, teacher, TODAY - dt.timedelta(days=45))
    result = reminders_send(TODAY)
    assert result["by_rule"]["pairing.visit_overdue"] == 2  # the teacher and carol
    assert _texts("pairing.visit_overdue", dave) == []
    (text,) = _texts("pairing.visit_overdue", teacher)
    assert "45 天" in text and wuxing_child.name not in text
    assert reminders_send(TODAY)["sent"] == 0


def test_a_follow_up_past_its_due_date_is_reminded(wuxing_child, carol):
    Visit.objects.create(
        child=wuxing_child,
        author=carol,
        county=wuxing_child.county,
        township=wuxing_child.township,
        school=wuxing_child.school,
        kind="home",
        visited_on=TODAY - dt.timedelta(days=10),
        duration_minutes=30,
        follow_up_needed=True,
        follow_up_due=TODAY - dt.timedelta(days=2),
        follow_up_urgent=True,
    )
    Visit.objects.create(
        child=wuxing_child,
        author=carol,
        county=wuxing_child.county,
        township=wuxing_child.township,
        school=wuxing_child.school,
        kind="home",
        visited_on=TODAY - dt.timedelta(days=1),
        duration_minutes=30,
        follow_up_needed=True,
        follow_up_due=TODAY + dt.timedelta(days=2),
    )
    assert reminders_send(TODAY)["by_rule"]["pairing.follow_up_overdue"] == 1
    (text,) = _texts("pairing.follow_up_overdue", carol)
    assert "紧急" in text and "2 天" in text


def test_hours_waiting_over_seven_days_go_to_the_approvers_once_a_week(
    wuxing_school, carol, olga, org
):
    team = TeamFactory(school=wuxing_school, organization=None, kind=TeamKind.SCHOOL_STAFF)
    other = TeamFactory(organization=org)
    for _n in range(3):
        RecordFactory(team=team, hours=Decimal(2))
    RecordFactory(team=other, hours=Decimal(2))
    fresh = RecordFactory(team=team, hours=Decimal(1))
    old = timezone.now() - dt.timedelta(days=8)
    ServiceRecord.objects.exclude(pk=fresh.pk).update(created_at=old)
    result = reminders_send(TODAY)
    assert result["by_rule"]["volunteers.hours_waiting"] == 2  # carol (school team), olga (org)
    (text,) = _texts("volunteers.hours_waiting", carol)
    assert "3 条" in text and "超过 7 天" in text
    assert reminders_send(TODAY + dt.timedelta(days=1))["by_rule"]["volunteers.hours_waiting"] in (
        0,
        2,
    )
