"""Every state change of the programmes and its refusals."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from campaign.programmes import services
from campaign.programmes.models import (
    Activity,
    FollowUp,
    SupportPlan,
    Wish,
    WishClaim,
)
from children.choices import GuardianshipAssessment, Health
from children.models import Child
from children.risk import RISK_FLAGS
from huzhou_care.audit.services import change_history
from tests.factories import ChildFactory
from volunteers.models import ServiceRecord

from .conftest import at, make_wish, photo

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
WS = Wish.Status


# --- venues -------------------------------------------------------------------------------


def test_a_district_registers_a_venue_of_its_own_county_only(venue_of, alice, changxing):
    from tests.factories import first_township

    venue = venue_of("wuxing")
    assert venue.county == alice.district and venue.facility_labels() == ["儿童图书", "玩具"]
    assert change_history(venue).count() == 1
    with pytest.raises(ValidationError, match="本区县"):
        services.venue_create(
            data={
                "name": "外县阵地",
                "kind": "youth_home",
                "township": first_township(changxing),
                "address": "x",
                "managed_by": "y",
            },
            user=alice,
        )
    with pytest.raises(ValidationError, match="同名"):
        venue_of("wuxing")


def test_a_school_cannot_register_a_venue(carol, wuxing):
    from tests.factories import first_township

    with pytest.raises(ValidationError):
        services.venue_create(
            data={
                "name": "a",
                "kind": "youth_home",
                "township": first_township(wuxing),
                "address": "x",
                "managed_by": "y",
            },
            user=carol,
        )


# --- activities ---------------------------------------------------------------------------


def _activity_data(team=None, venue=None, **extra):
    data = {
        "programme": "holidays",
        "kind": "tutoring",
        "title": "暑期学业辅导",
        "team": team,
        "venue": venue,
        "starts_at": at(TODAY - dt.timedelta(days=3)),
        "hours": Decimal("2.5"),
        "anonymous_count": 7,
        "summary": "辅导作业",
    }
    data.update(extra)
    return data


def test_an_activity_gives_each_volunteer_a_pending_service_record(
    carol, school_team, team_volunteers, venue_of, wuxing_child
):
    venue = venue_of("wuxing")
    activity = services.activity_create(
        data=_activity_data(school_team, venue),
        volunteers=team_volunteers,
        children=[wuxing_child],
        user=carol,
    )
    records = ServiceRecord.objects.filter(pk__in=activity.served.values("record"))
    assert records.count() == 2
    assert set(records.values_list("state", flat=True)) == {ServiceRecord.State.PENDING}
    assert {r.volunteer for r in records} == set(team_volunteers)
    assert all(r.team == school_team and r.hours == Decimal("2.5") for r in records)
    assert all(r.programme == "holidays" for r in records)
    assert list(activity.children.all()) == [wuxing_child]
    assert activity.county == venue.county and activity.anonymous_count == 7


def test_a_team_cannot_add_children_outside_its_scope(
    carol, school_team, venue_of, wuxing_child, changxing_child
):
    with pytest.raises(ValidationError, match="不在本单位范围内"):
        services.activity_create(
            data=_activity_data(school_team, venue_of("wuxing")),
            children=[wuxing_child, changxing_child],
            user=carol,
        )
    assert not Activity.objects.exists() and not ServiceRecord.objects.exists()


def test_an_activity_refuses_other_organisers_both_or_no_place_and_outside_volunteers(
    carol, dave, school_team, venue_of
):
    from tests.volunteers.factories import MembershipFactory

    venue = venue_of("wuxing")
    with pytest.raises(ValidationError, match="本单位"):
        services.activity_create(data=_activity_data(school_team, venue), user=dave)
    with pytest.raises(ValidationError, match="二选一"):
        services.activity_create(
            data=_activity_data(school_team, venue, online="qinqingbang"), user=carol
        )
    with pytest.raises(ValidationError, match="二选一"):
        services.activity_create(data=_activity_data(school_team, None), user=carol)
    with pytest.raises(ValidationError, match="阵地不在本单位"):
        services.activity_create(
            data=_activity_data(school_team, venue_of("changxing", name="外县小屋")), user=carol
        )
    stranger = MembershipFactory().volunteer
    with pytest.raises(ValidationError, match="不在本队伍"):
        services.activity_create(
            data=_activity_data(school_team, venue), volunteers=[stranger], user=carol
        )
    with pytest.raises(ValidationError, match="尚未开展"):
        services.activity_create(
            data=_activity_data(school_team, venue, starts_at=at(TODAY + dt.timedelta(days=2))),
            user=carol,
        )


def test_an_online_activity_counts_for_the_teams_county(carol, school_team):
    activity = services.activity_create(
        data=_activity_data(school_team, None, online="youth_lecture"), user=carol
    )
    assert activity.county == school_team.county
    assert activity.place_label == "线上·青年讲堂"


# --- micro-wishes -------------------------------------------------------------------------


def test_a_wish_goes_from_collected_to_fulfilled(carol, alice, wuxing_child):
    wish = make_wish(wuxing_child, carol)
    assert wish.status == WS.COLLECTED and not wish.priority
    services.wish_review(wish=wish, approve=True, user=alice)
    assert wish.status == WS.PUBLISHED
    claim = services.wish_claim(wish_id=wish.pk, kind="public", name="张先生", phone="13912345678")
    wish.refresh_from_db()
    assert wish.status == WS.CLAIM_PENDING and claim.status == WishClaim.Status.PENDING
    assert claim.phone_masked and "13912345678" not in claim.phone_masked
    services.claim_decide(wish=wish, confirm=True, user=alice)
    assert wish.status == WS.CLAIMED
    services.wish_fulfil(wish=wish, evidence=photo(), fulfilled_on=TODAY, user=carol)
    wish.refresh_from_db()
    assert wish.status == WS.FULFILLED and wish.evidence and wish.fulfilled_on == TODAY
    assert wish.claims.get().status == WishClaim.Status.FULFILLED
    steps = [r.changes["status"][1] for r in change_history(wish).order_by("pk")]
    assert steps == ["collected", "published", "claim_pending", "claimed", "fulfilled"]


def test_a_low_income_childs_wish_is_priority(carol, low_income_child):
    assert make_wish(low_income_child, carol).priority


def test_a_wish_text_naming_the_child_is_refused(carol, wuxing_child):
    with pytest.raises(ValidationError, match="公开展示"):
        make_wish(wuxing_child, carol, story=f"{wuxing_child.name}想要彩笔")


def test_a_school_cannot_collect_for_a_child_of_another_school(carol, changxing_child):
    with pytest.raises(ValidationError, match="本单位"):
        make_wish(changxing_child, carol)


def test_review_refusals(carol, alice, bob, wuxing_child):
    wish = make_wish(wuxing_child, carol)
    with pytest.raises(ValidationError, match="所在区县"):
        services.wish_review(wish=wish, approve=True, user=bob)
    with pytest.raises(ValidationError, match="所在区县"):
        services.wish_review(wish=wish, approve=True, user=carol)
    with pytest.raises(ValidationError, match="原因"):
        services.wish_review(wish=wish, approve=False, user=alice)
    services.wish_review(wish=wish, approve=False, note="物品不合适", user=alice)
    assert wish.status == WS.REJECTED
    with pytest.raises(ValidationError, match="未通过"):
        services.wish_review(wish=wish, approve=True, user=alice)


def _claimed(carol, alice, child, now=None):
    wish = make_wish(child, carol)
    services.wish_review(wish=wish, approve=True, user=alice)
    services.wish_claim(wish_id=wish.pk, kind="organization", name="爱心企业", phone="13900000000")
    services.claim_decide(wish=wish, confirm=True, user=alice)
    return wish


def test_claiming_a_wish_not_published_or_already_claimed_is_refused(carol, alice, wuxing_child):
    wish = make_wish(wuxing_child, carol)
    with pytest.raises(ValidationError, match="没有找到"):
        services.wish_claim(wish_id=wish.pk, kind="public", name="张", phone="13912345678")
    services.wish_review(wish=wish, approve=True, user=alice)
    services.wish_claim(wish_id=wish.pk, kind="public", name="张", phone="13912345678")
    with pytest.raises(ValidationError, match="已被认领"):
        services.wish_claim(wish_id=wish.pk, kind="public", name="李", phone="13912345679")
    assert WishClaim.objects.count() == 1


def test_claiming_a_fulfilled_wish_is_refused(carol, alice, wuxing_child):
    wish = _claimed(carol, alice, wuxing_child)
    services.wish_fulfil(wish=wish, evidence=photo(), fulfilled_on=TODAY, user=alice)
    with pytest.raises(ValidationError, match="已被认领"):
        services.wish_claim(wish_id=wish.pk, kind="public", name="张", phone="13912345678")


def test_the_claim_form_checks_name_and_phone(carol, alice, wuxing_child):
    wish = make_wish(wuxing_child, carol)
    services.wish_review(wish=wish, approve=True, user=alice)
    with pytest.raises(ValidationError, match="手机"):
        services.wish_claim(wish_id=wish.pk, kind="public", name="张", phone="123")
    with pytest.raises(ValidationError, match="姓名"):
        services.wish_claim(wish_id=wish.pk, kind="public", name="\u200b", phone="13912345678")


def test_a_declined_claim_puts_the_wish_back_on_the_wall(carol, alice, wuxing_child):
    wish = make_wish(wuxing_child, carol)
    services.wish_review(wish=wish, approve=True, user=alice)
    services.wish_claim(wish_id=wish.pk, kind="public", name="张", phone="13912345678")
    services.claim_decide(wish=wish, confirm=False, user=alice)
    assert wish.status == WS.PUBLISHED
    with pytest.raises(ValidationError, match="没有待确认"):
        services.claim_decide(wish=wish, confirm=True, user=alice)
    # the wish can be claimed again
    services.wish_claim(wish_id=wish.pk, kind="public", name="李", phone="13912345679")


def test_fulfilling_without_evidence_or_before_the_claim_is_refused(carol, alice, wuxing_child):
    wish = make_wish(wuxing_child, carol)
    services.wish_review(wish=wish, approve=True, user=alice)
    with pytest.raises(ValidationError, match="已认领"):
        services.wish_fulfil(wish=wish, evidence=photo(), fulfilled_on=TODAY, user=alice)
    services.wish_claim(wish_id=wish.pk, kind="public", name="张", phone="13912345678")
    services.claim_decide(wish=wish, confirm=True, user=alice)
    with pytest.raises(ValidationError, match="圆梦照片"):
        services.wish_fulfil(wish=wish, evidence=None, fulfilled_on=TODAY, user=alice)
    with pytest.raises(ValidationError, match="圆梦照片"):
        services.wish_fulfil(wish=wish, evidence=photo(), fulfilled_on=None, user=alice)
    with pytest.raises(ValidationError, match="晚于今天"):
        services.wish_fulfil(
            wish=wish, evidence=photo(), fulfilled_on=TODAY + dt.timedelta(days=1), user=alice
        )
    wish.refresh_from_db()
    assert wish.status == WS.CLAIMED and wish.evidence is None


def test_the_database_refuses_a_fulfilled_wish_without_evidence(carol, wuxing_child):
    from django.db import IntegrityError, transaction

    wish = make_wish(wuxing_child, carol)
    with pytest.raises(IntegrityError), transaction.atomic():
        Wish.objects.filter(pk=wish.pk).update(status=WS.FULFILLED)


def test_releasing_a_wish_not_overdue_is_refused_then_allowed_after_30_days(
    carol, alice, wuxing_child
):
    wish = _claimed(carol, alice, wuxing_child)
    with pytest.raises(ValidationError, match="未满 30 天"):
        services.wish_release(wish=wish, user=alice)
    later = timezone.now() + dt.timedelta(days=29)
    with pytest.raises(ValidationError, match="未满 30 天"):
        services.wish_release(wish=wish, user=alice, now=later)
    services.wish_release(wish=wish, user=alice, now=timezone.now() + dt.timedelta(days=31))
    assert wish.status == WS.PUBLISHED
    assert wish.claims.get().status == WishClaim.Status.RELEASED
    # back on the wall: a new claim is possible
    services.wish_claim(wish_id=wish.pk, kind="public", name="李", phone="13912345679")


def test_releasing_a_wish_that_is_not_claimed_is_refused(carol, alice, wuxing_child):
    wish = make_wish(wuxing_child, carol)
    services.wish_review(wish=wish, approve=True, user=alice)
    with pytest.raises(ValidationError, match="已认领"):
        services.wish_release(wish=wish, user=alice, now=timezone.now() + dt.timedelta(days=60))


def test_the_database_holds_one_live_claim_per_wish(carol, alice, wuxing_child):
    from django.db import IntegrityError, transaction

    wish = _claimed(carol, alice, wuxing_child)
    with pytest.raises(IntegrityError), transaction.atomic():
        WishClaim.objects.create(wish=wish, kind="public", name="x", phone="13912345678")


def test_the_claim_rate_limit_counts_per_ip_through_the_cache():
    from django.core.cache import cache

    cache.clear()
    for _ in range(services.CLAIM_LIMIT):
        services.claim_rate_check("10.0.0.1")
    with pytest.raises(ValidationError, match="频繁"):
        services.claim_rate_check("10.0.0.1")
    services.claim_rate_check("10.0.0.2")  # another address is not affected


# --- aid, plans, guardianship -------------------------------------------------------------


def test_aid_records_need_an_amount_or_items_and_a_child_in_scope(carol, wuxing_child, dave):
    data = {"kind": "warm_hearts", "given_on": TODAY, "source": "crowdfunding"}
    with pytest.raises(ValidationError, match="金额或资助物品"):
        services.aid_create(child=wuxing_child, data=data, user=carol)
    with pytest.raises(ValidationError, match="范围"):
        services.aid_create(child=wuxing_child, data={**data, "amount": 500}, user=dave)
    record = services.aid_create(
        child=wuxing_child, data={**data, "amount": Decimal("500")}, user=carol
    )
    assert record.amount == Decimal("500") and change_history(record).count() == 1


def test_a_support_plan_is_for_a_disabled_child_and_reviews_move_it(carol, wuxing_school):
    healthy = ChildFactory(school=wuxing_school)
    data = {
        "education": "随班就读，配资源教师",
        "home_teaching": "每周一次送教上门",
        "rehabilitation": "康复训练",
        "starts_on": TODAY - dt.timedelta(days=10),
        "next_review_on": TODAY + dt.timedelta(days=80),
    }
    with pytest.raises(ValidationError, match="残疾"):
        services.plan_create(child=healthy, data=data, user=carol)
    child = ChildFactory(school=wuxing_school, health=Health.DISABLED)
    plan = services.plan_create(child=child, data=data, user=carol)
    with pytest.raises(ValidationError, match="已有实施中"):
        services.plan_create(child=child, data=data, user=carol)
    with pytest.raises(ValidationError):
        services.plan_review(plan=plan, data={"reviewed_on": TODAY, "progress": "良好"}, user=carol)
    nxt = TODAY + dt.timedelta(days=90)
    services.plan_review(
        plan=plan,
        data={"reviewed_on": TODAY, "progress": "良好", "next_review_on": nxt},
        user=carol,
    )
    assert plan.next_review_on == nxt and plan.reviews.count() == 1
    services.plan_review(
        plan=plan, data={"reviewed_on": TODAY, "progress": "结案", "close": True}, user=carol
    )
    assert plan.status == SupportPlan.Status.CLOSED
    with pytest.raises(ValidationError, match="已结案"):
        services.plan_review(
            plan=plan, data={"reviewed_on": TODAY, "progress": "x", "close": True}, user=carol
        )


def test_a_poor_assessment_updates_the_child_with_history_and_puts_it_on_the_risk_list(
    alice, wuxing_child
):
    poor = RISK_FLAGS["poor_guardianship"].condition
    assert not Child.objects.filter(poor, pk=wuxing_child.pk).exists()
    review = services.guardianship_review_create(
        child=wuxing_child,
        data={
            "assessed_on": TODAY,
            "social_worker": "社工小周",
            "situation": "祖母年迈",
            "capacity": "无力照看",
            "result": GuardianshipAssessment.POOR,
        },
        user=alice,
    )
    wuxing_child.refresh_from_db()
    assert wuxing_child.guardianship_assessment == GuardianshipAssessment.POOR
    assert Child.objects.filter(poor, pk=wuxing_child.pk).exists()
    entry = change_history(wuxing_child).filter(action="update").get()
    assert entry.changes["guardianship_assessment"] == ["good", "poor"]
    assert entry.source_ref == f"guardianship-review:{review.pk}"


def test_an_older_assessment_does_not_overwrite_a_newer_one(alice, wuxing_child):
    base = {"social_worker": "社工", "situation": "s", "capacity": "c"}
    services.guardianship_review_create(
        child=wuxing_child, data={**base, "assessed_on": TODAY, "result": "fair"}, user=alice
    )
    services.guardianship_review_create(
        child=wuxing_child,
        data={**base, "assessed_on": TODAY - dt.timedelta(days=30), "result": "poor"},
        user=alice,
    )
    wuxing_child.refresh_from_db()
    assert wuxing_child.guardianship_assessment == "fair"


def test_follow_ups_are_recorded_in_scope_only(carol, dave, wuxing_child):
    data = {"kind": "crisis", "on": TODAY, "summary": "情绪低落，已联系心理老师"}
    with pytest.raises(ValidationError):
        services.follow_up_create(child=wuxing_child, data=data, user=dave)
    services.follow_up_create(child=wuxing_child, data=data, user=carol)
    assert FollowUp.objects.get().kind == "crisis"
