"""Reports, pilot applications, stories and nominations move only along their state
machines; every move is recorded with who and when; a stale second actor loses cleanly."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from campaign import services
from campaign.models import Nomination, PilotApplication, PilotCriterion, StageReport, Story

from . import builders as b


@pytest.fixture
def template(year):
    return b.make_template(year, title="上半年", due=b.TODAY + dt.timedelta(days=5), schools=True)


@pytest.fixture
def report(template, units, carol):
    report = services.report_start(template=template, user=carol)
    return b.filled(report, carol)


def history(obj):
    return [(t.action, t.from_status, t.to_status, t.by.username) for t in services.history(obj)]


def test_a_report_goes_draft_submitted_returned_submitted_approved_and_each_step_is_recorded(
    report, carol, alice
):
    services.report_submit(report=report, user=carol)
    services.report_review(report=report, approve=False, comment="请补充照片", user=alice)
    services.report_submit(report=report, user=carol)
    services.report_review(report=report, approve=True, comment="", user=alice)
    assert report.status == StageReport.Status.APPROVED
    assert history(report) == [
        ("create", "", "draft", "carol"),
        ("submit", "draft", "submitted", "carol"),
        ("return", "submitted", "returned", "alice"),
        ("submit", "returned", "submitted", "carol"),
        ("approve", "submitted", "approved", "alice"),
    ]
    times = [t.at for t in services.history(report)]
    assert times == sorted(times) and all(times)
    assert services.history(report)[2].comment == "请补充照片"


def test_a_draft_cannot_be_approved_or_returned(report, alice):
    with pytest.raises(ValidationError, match="不能执行此操作"):
        services.report_review(report=report, approve=True, comment="", user=alice)
    with pytest.raises(ValidationError, match="不能执行此操作"):
        services.report_review(report=report, approve=False, comment="x", user=alice)
    assert history(report) == [("create", "", "draft", "carol")]


def test_an_approved_report_cannot_be_submitted_again(report, carol, alice):
    services.report_submit(report=report, user=carol)
    services.report_review(report=report, approve=True, comment="", user=alice)
    with pytest.raises(ValidationError):
        services.report_submit(report=report, user=carol)


def test_a_report_without_its_required_parts_cannot_be_submitted(template, units, dave):
    report = services.report_start(template=template, user=dave)
    with pytest.raises(ValidationError, match="工作进展、活动次数"):
        services.report_submit(report=report, user=dave)
    assert StageReport.objects.get(pk=report.pk).status == "draft"


def test_a_unit_cannot_review_itself_and_a_district_does_not_review_another_district(
    report, carol, bob
):
    services.report_submit(report=report, user=carol)
    for user in (carol, bob):
        with pytest.raises(ValidationError, match="上级单位"):
            services.report_review(report=report, approve=True, comment="", user=user)


def test_returning_needs_a_reason(report, carol, alice):
    services.report_submit(report=report, user=carol)
    with pytest.raises(ValidationError, match="退回原因"):
        services.report_review(report=report, approve=False, comment="  ", user=alice)


def test_of_two_reviewers_acting_at_once_the_second_gets_a_message(
    report, carol, alice, city_admin
):
    services.report_submit(report=report, user=carol)
    stale = StageReport.objects.get(pk=report.pk)
    services.report_review(report=report, approve=False, comment="退回", user=alice)
    stale.status = "submitted"  # what the second reviewer's page showed
    with pytest.raises(ValidationError, match="刚刚被其他人处理过"):
        services.report_review(report=stale, approve=True, comment="", user=city_admin)


def test_after_the_lock_date_only_the_city_reopens_and_the_late_report_is_recorded_late(
    year, units, carol, alice, city_admin
):
    due = b.TODAY - dt.timedelta(days=20)
    template = b.make_template(
        year, title="方案", due=due, lock=due + dt.timedelta(days=5), districts=False, schools=True
    )
    with pytest.raises(ValidationError, match="锁定"):
        services.report_start(template=template, user=carol)
    with pytest.raises(ValidationError, match="只有团市委"):
        services.report_reopen(template=template, unit=units["wuxing_school"], user=alice)
    report = services.report_reopen(template=template, unit=units["wuxing_school"], user=city_admin)
    assert report.reopened
    b.filled(report, carol)
    services.report_submit(report=report, user=carol)
    report.refresh_from_db()
    assert report.is_complete and report.late
    assert ("reopen", "draft", "draft", "admin_li") in history(report)


def test_a_unit_that_joined_after_the_due_date_does_not_owe_it(year, wuxing_school, carol):
    template = b.make_template(
        year, title="方案", due=b.TODAY - dt.timedelta(days=3), districts=False, schools=True
    )
    b.school_unit(wuxing_school, joined=b.TODAY - dt.timedelta(days=2))
    with pytest.raises(ValidationError, match="无需报送"):
        services.report_start(template=template, user=carol)


# --- Pilot applications ------------------------------------------------------------------------


@pytest.fixture
def pilot(year, units, alice):
    PilotCriterion.objects.create(year=year, name="基础", max_score=30)
    return services.pilot_create(
        year=year,
        data={"title": "织里试点", "analysis": "分析", "basics": "基础", "plan": "方案"},
        user=alice,
    )


def test_a_pilot_application_moves_through_review_and_each_step_is_recorded(
    pilot, alice, city_admin
):
    services.pilot_submit(app=pilot, user=alice)
    criterion = PilotCriterion.objects.get()
    services.pilot_score(app=pilot, scores={str(criterion.pk): 25}, comment="好", user=city_admin)
    services.pilot_consult(app=pilot, consultation="四部门同意", user=city_admin)
    services.pilot_decide(app=pilot, recommend=True, note="推荐", user=city_admin)
    services.pilot_designate(app=pilot, designated=True, note="团省委确定", user=city_admin)
    assert pilot.status == PilotApplication.Status.DESIGNATED
    assert pilot.origin == PilotApplication.Origin.SELF
    assert [h[:3] for h in history(pilot)] == [
        ("create", "", "draft"),
        ("submit", "draft", "submitted"),
        ("consult", "submitted", "consulted"),
        ("recommend", "consulted", "recommended"),
        ("designate", "recommended", "designated"),
    ]
    assert {h[3] for h in history(pilot)[2:]} == {"admin_li"}


def test_illegal_pilot_transitions_are_refused(pilot, alice, city_admin):
    with pytest.raises(ValidationError):
        services.pilot_decide(app=pilot, recommend=True, note="", user=city_admin)
    services.pilot_submit(app=pilot, user=alice)
    with pytest.raises(ValidationError, match="先完成评分"):
        services.pilot_consult(app=pilot, consultation="同意", user=city_admin)
    with pytest.raises(ValidationError):
        services.pilot_designate(app=pilot, designated=True, note="", user=city_admin)
    with pytest.raises(ValidationError):
        services.pilot_submit(app=pilot, user=alice)
    with pytest.raises(ValidationError, match="只有团市委"):
        services.pilot_decide(app=pilot, recommend=True, note="", user=alice)
    assert PilotApplication.objects.get(pk=pilot.pk).status == "submitted"


def test_scores_outside_the_range_are_refused(pilot, alice, city_admin):
    services.pilot_submit(app=pilot, user=alice)
    criterion = PilotCriterion.objects.get()
    with pytest.raises(ValidationError, match="0 到 30"):
        services.pilot_score(app=pilot, scores={str(criterion.pk): 31}, comment="", user=city_admin)


def test_an_incomplete_application_cannot_be_submitted(year, units, bob):
    app = services.pilot_create(year=year, data={"title": "长兴试点", "analysis": "有"}, user=bob)
    with pytest.raises(ValidationError, match="工作基本情况和特色经验"):
        services.pilot_submit(app=app, user=bob)


def test_the_city_records_a_designated_unit_as_such(year, units, city_admin):
    app = services.pilot_create(
        year=year, data={"title": "指定试点"}, unit=units["changxing"], user=city_admin
    )
    assert app.origin == PilotApplication.Origin.DESIGNATED and app.unit == units["changxing"]
    assert history(app)[0][3] == "admin_li"


# --- Stories and nominations ---------------------------------------------------------------------


def test_a_story_showing_a_child_without_consent_cannot_be_submitted_or_published(
    year, units, carol, city_admin
):
    story = services.story_create(
        year=year, data={"title": "家访", "kind": "story", "shows_children": True}, user=carol
    )
    with pytest.raises(ValidationError, match="监护人同意"):
        services.story_move(story=story, action="submit", comment="", user=carol)
    # Even written around the service, the database refuses to publish it.
    with pytest.raises(IntegrityError), transaction.atomic():
        Story.objects.filter(pk=story.pk).update(status="approved")


def test_story_transitions_are_recorded_and_illegal_ones_refused(year, units, carol, city_admin):
    story = services.story_create(
        year=year, data={"title": "七彩课堂", "kind": "story"}, user=carol
    )
    with pytest.raises(ValidationError):
        services.story_move(story=story, action="approve", comment="", user=city_admin)
    services.story_move(story=story, action="submit", comment="", user=carol)
    with pytest.raises(ValidationError, match="只有团市委"):
        services.story_move(story=story, action="approve", comment="", user=carol)
    services.story_move(story=story, action="approve", comment="发布", user=city_admin)
    assert history(story) == [
        ("submit", "draft", "submitted", "carol"),
        ("approve", "submitted", "approved", "admin_li"),
    ]


def test_nomination_transitions(year, units, dave, city_admin):
    n = services.nomination_create(
        year=year,
        data={"category": "individual", "name": "戴老师", "summary": "十年结对"},
        user=dave,
    )
    with pytest.raises(ValidationError):
        services.nomination_move(nomination=n, action="approve", comment="", user=city_admin)
    services.nomination_move(nomination=n, action="submit", comment="", user=dave)
    with pytest.raises(ValidationError):
        services.nomination_move(nomination=n, action="submit", comment="", user=dave)
    services.nomination_move(nomination=n, action="reject", comment="材料不足", user=city_admin)
    with pytest.raises(ValidationError):
        services.nomination_move(nomination=n, action="approve", comment="", user=city_admin)
    assert Nomination.objects.get(pk=n.pk).review_comment == "材料不足"
    assert history(n) == [
        ("submit", "draft", "submitted", "dave"),
        ("reject", "submitted", "rejected", "admin_li"),
    ]
