"""A small, hand-countable evaluation fixture (fixed dates, as of 2026-11-27).

吴兴区 (织里镇中心小学): 10 children on the registry as of the date, 9 with every key field
(90 %); 8 with a staff pairing (80 %); 4 with a volunteer pairing (40 %); 5 visited in the
last 30 days (50 %); a team of 2 volunteers with 16 approved hours (8 h each); two reports
due, both submitted, one late (completeness 100 %, timeliness 50 %); 审定 mechanism A,
publicity B; bonus 3, deduction 2. Activities in 2026: the school's team held 3 七彩假期 and
1 相伴成长 (4 activities in 2 programmes: 2.0 at the school), an organisation 1 情暖童心 at a
venue of the school's township (the district: 5 activities / 3 = 1.67). Wishes: 10
published by the date, 7 fulfilled by then (70 %).
长兴县 (煤山镇中心小学): 2 children, both complete, nothing else; its district report missing.

Rows that must NOT count (the as-of date honoured): a child, a pairing, a visit, hours, an
activity, a wish's publication, a fulfilment and a 审定 recorded after the date; a child who
left, a pairing that ended, a visit too old, a pending record, an activity of the year before
and one held after the date, a wish fulfilled after the date (it counts as published), a
rejected wish and one not reviewed yet."""

import datetime as dt
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from campaign.evaluation import services
from campaign.models import (
    Assessment,
    CampaignYear,
    Deadline,
    ReportingUnit,
    ReportTemplate,
    Stage,
    StageReport,
)
from campaign.programmes import services as programmes
from campaign.programmes.models import Activity, Wish
from children.models import Child
from huzhou_care.files.models import StoredFile
from pairing.models import ChildPairing, Visit
from tests.factories import ChildFactory, OrganizationFactory, UserFactory
from tests.files import samples
from tests.volunteers.factories import MembershipFactory, RecordFactory, TeamFactory
from volunteers.models import ServiceRecord, TeamKind

YEAR = 2026
AS_OF = dt.date(2026, 11, 27)


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


BEFORE = at(AS_OF - dt.timedelta(days=20))
AFTER = at(AS_OF + dt.timedelta(days=1), 9)  # the morning after: must not count

EXPECTED_WUXING = {
    "registry": (90.0, 5.56),
    "reports": (100.0, 10.0),
    "timely": (50.0, 0.0),
    "staff": (80.0, 6.0),
    "volunteer": (40.0, 2.4),
    "visited": (50.0, 3.2),
    "hours": (8.0, 2.8),
    "activities": (1.67, 1.67),
    "wishes": (70.0, 1.14),
    "mechanism": ("A", 8.0),
    "publicity": ("B", 4.62),
    "bonus": (3.0, 3.0),
    "penalty": (2.0, -2.0),
}
EXPECTED_WUXING_SCORE = 46.39
EXPECTED_SCHOOL_ACTIVITIES = 2.0  # 织里镇中心小学: 4 activities in 2 programmes
EXPECTED_CHANGXING_SCORE = 10.0  # registry 100 % -> 10; everything else 0


def _child(school, n, **extra):
    return ChildFactory(
        school=school,
        current_address=f"某村 {n} 号",
        registered_on=dt.date(2026, 9, 1),
        **extra,
    )


def build(wuxing, changxing, wuxing_school, changxing_school, city_admin):
    teacher = UserFactory(role="school_staff", school=wuxing_school)
    kids = [_child(wuxing_school, n) for n in range(10)]
    Child.objects.filter(pk=kids[9].pk).update(guardian_name="")
    late_child = _child(wuxing_school, 99)  # entered after the date
    left_child = _child(wuxing_school, 98, status="left", left_on=AS_OF - dt.timedelta(days=3))
    cx = [_child(changxing_school, n) for n in range(2)]

    def pair(child, kind, start=dt.date(2026, 9, 10), ended=None):
        return ChildPairing.objects.create(
            child=child,
            kind=kind,
            person=teacher,
            county=child.county,
            township=child.township,
            school=child.school,
            started_on=start,
            ended_on=ended,
            end_reason="毕业" if ended else "",
            last_contact_on=start,
            created_by=teacher,
        )

    for k in kids[:8]:
        pair(k, "staff")
    for k in kids[:4]:
        pair(k, "volunteer")
    pair(kids[5], "volunteer", ended=AS_OF - dt.timedelta(days=2))  # ended before the date
    pair(kids[6], "volunteer", start=AS_OF + dt.timedelta(days=1))  # starts after it
    late_pairing = pair(kids[7], "volunteer")  # recorded after the date

    def visit(child, day):
        return Visit.objects.create(
            child=child,
            author=teacher,
            county=child.county,
            township=child.township,
            school=child.school,
            kind="home",
            visited_on=day,
            duration_minutes=30,
        )

    for k in kids[:5]:
        visit(k, AS_OF - dt.timedelta(days=3))
    visit(kids[0], AS_OF - dt.timedelta(days=10))  # the same child twice: counted once
    visit(kids[6], AS_OF - dt.timedelta(days=40))  # too old
    late_visit = visit(kids[7], AS_OF - dt.timedelta(days=1))  # entered after the date

    team = TeamFactory(school=wuxing_school, organization=None, kind=TeamKind.SCHOOL_STAFF)
    m1 = MembershipFactory(team=team, joined_on=dt.date(2026, 9, 1))
    m2 = MembershipFactory(team=team, joined_on=dt.date(2026, 9, 1))

    def record(m, hours, state="approved", decided=BEFORE, day=AS_OF - dt.timedelta(days=5)):
        return RecordFactory(
            volunteer=m.volunteer,
            team=team,
            hours=Decimal(hours),
            state=state,
            decided_at=decided if state != "pending" else None,
            service_date=day,
        )

    record(m1, "10")
    record(m2, "6")
    record(m1, "5", state="pending")
    record(m2, "3", decided=AFTER)  # approved after the date

    cy = CampaignYear.objects.create(year=YEAR, title="测试年度", is_current=True)
    stage = Stage.objects.create(
        year=cy,
        kind="rollout",
        order=2,
        starts_on=dt.date(2026, 3, 1),
        ends_on=dt.date(2026, 12, 31),
    )

    def template(title, due):
        d = Deadline.objects.create(
            stage=stage,
            kind="stage_report",
            title=title,
            due_on=due,
            lock_on=due + dt.timedelta(days=30),
        )
        return ReportTemplate.objects.create(deadline=d, for_districts=True)

    t1 = template("全面推进工作情况", dt.date(2026, 6, 30))
    t2 = template("暑期走访情况", dt.date(2026, 9, 15))
    template("年度总结", dt.date(2026, 12, 15))  # not due by the date
    since = dt.date(2026, 1, 1)
    uw = ReportingUnit.objects.create(
        kind="district", name="吴兴区团委", district=wuxing, county=wuxing, joined_on=since
    )
    ReportingUnit.objects.create(
        kind="district", name="长兴县团委", district=changxing, county=changxing, joined_on=since
    )
    StageReport.objects.create(
        template=t1, unit=uw, status="approved", submitted_at=at(dt.date(2026, 6, 28))
    )
    StageReport.objects.create(
        template=t2, unit=uw, status="submitted", submitted_at=at(dt.date(2026, 9, 20)), late=True
    )

    late_activity = _activities(teacher, team, wuxing, wuxing_school, city_admin)
    late_wishes = _wishes(kids, city_admin)

    table = services.load_default_table(YEAR)

    # The city's 审定 as recorded (append-only rows, inserted with their time); the change of
    # publicity to A comes the morning after the date and must not count.
    def city(code, at_=BEFORE, **value):
        return Assessment.objects.create(
            year=YEAR,
            district=wuxing,
            indicator_code=code,
            side="city",
            by=city_admin,
            at=at_,
            **value,
        )

    city("mechanism", grade="A")
    city("publicity", grade="B")
    city("bonus", points=3)
    city("penalty", points=2)
    city("publicity", at_=AFTER, grade="A", reason="补充省级宣传材料")

    # Everything recorded well before the date, except the rows that must not count.
    Child.objects.update(created_at=BEFORE)
    Child.objects.filter(pk=late_child.pk).update(created_at=AFTER)
    ChildPairing.objects.update(created_at=BEFORE)
    ChildPairing.objects.filter(pk=late_pairing.pk).update(created_at=AFTER)
    Visit.objects.update(created_at=BEFORE)
    Visit.objects.filter(pk=late_visit.pk).update(created_at=AFTER)
    from volunteers.models import Volunteer

    Volunteer.objects.update(created_at=BEFORE)
    Activity.objects.update(created_at=BEFORE)
    Activity.objects.filter(pk=late_activity.pk).update(created_at=AFTER)
    Wish.objects.exclude(reviewed_at=None).update(reviewed_at=BEFORE)
    Wish.objects.filter(pk=late_wishes["published"].pk).update(reviewed_at=AFTER)
    StoredFile.objects.update(uploaded_at=BEFORE)
    StoredFile.objects.filter(pk=late_wishes["fulfilled"].evidence_id).update(uploaded_at=AFTER)
    _ = (ServiceRecord, left_child, cx)
    return {"table": table, "wuxing_unit": uw, "kids": kids}


def _activities(teacher, team, wuxing, school, city_admin) -> Activity:
    """Activities through the service; returns the one recorded after the date."""
    venue = programmes.venue_create(
        data={
            "name": "织里镇七彩小屋",
            "kind": "colourful_hut",
            "township": school.township,
            "address": "某村文化礼堂",
            "managed_by": "团区委",
        },
        user=city_admin,
    )

    def held(programme, day, *, by=teacher, team=team, organization=None, online="qinqingbang"):
        return programmes.activity_create(
            data={
                "programme": programme,
                "kind": "tutoring",
                "title": f"学业辅导{day:%m%d}",
                "team": team,
                "organization": organization,
                "venue": None if online else venue,
                "online": online,
                "starts_at": at(day, 9),
                "hours": Decimal("2"),
            },
            user=by,
        )

    for day in (dt.date(2026, 7, 10), dt.date(2026, 8, 3), dt.date(2026, 8, 20)):
        held("holidays", day)
    held("growing", dt.date(2026, 10, 15))
    org = OrganizationFactory(county=wuxing)
    held(
        "warm_hearts",
        AS_OF - dt.timedelta(days=4),
        by=city_admin,
        team=None,
        organization=org,
        online="",
    )
    held("hand_in_hand", dt.date(2025, 12, 20))  # the year before
    held("hand_in_hand", AS_OF + dt.timedelta(days=1))  # held after the date
    return held("hand_in_hand", AS_OF - dt.timedelta(days=7))  # recorded after the date


def _photo() -> SimpleUploadedFile:
    return SimpleUploadedFile("圆梦.png", samples.png())


def _wishes(kids, city_admin) -> dict:
    """Wishes through the service: 7 fulfilled by the date, 1 claimed, 1 fulfilled after the
    date, 1 fulfilled "before" it but recorded after (10 published by the date); 1 rejected,
    1 not reviewed, 1 published after the date."""

    def wish(n, state, fulfilled_on=AS_OF - dt.timedelta(days=5)):
        w = programmes.wish_collect(
            child=kids[n % len(kids)],
            data={"item": "一套彩笔", "estimated_value": Decimal("45"), "story": "喜欢画画"},
            user=city_admin,
        )
        if state == "collected":
            return w
        programmes.wish_review(
            wish=w, approve=state != "rejected", note="物品超出标准", user=city_admin
        )
        if state in ("rejected", "published"):
            return w
        programmes.wish_claim(wish_id=w.pk, kind="public", name="张先生", phone="13912345678")
        programmes.claim_decide(wish=w, confirm=True, user=city_admin)
        if state == "fulfilled":
            programmes.wish_fulfil(
                wish=w, evidence=_photo(), fulfilled_on=fulfilled_on, user=city_admin
            )
            w.refresh_from_db()
        return w

    for n in range(7):
        wish(n, "fulfilled")
    wish(7, "claimed")
    wish(8, "fulfilled", fulfilled_on=AS_OF + dt.timedelta(days=1))
    late = wish(9, "fulfilled")
    wish(0, "rejected")
    wish(1, "collected")
    return {"fulfilled": late, "published": wish(2, "published")}
