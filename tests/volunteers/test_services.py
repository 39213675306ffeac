"""Approval of service hours (single and bulk) and team membership requests."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from huzhou_care.audit.models import ChangeRecord
from tests.volunteers.factories import (
    MembershipFactory,
    RecordFactory,
    TeamFactory,
    VolunteerFactory,
)
from volunteers import services
from volunteers.models import Membership, ServiceRecord

pytestmark = pytest.mark.django_db
State = ServiceRecord.State


@pytest.fixture
def team(org):
    return TeamFactory(code="HUTC-01", organization=org)


@pytest.fixture
def other_team(org):
    return TeamFactory(code="HUTC-02", organization=org)


def test_approving_a_record_sets_who_and_when_and_records_the_change(team, olga):
    record = RecordFactory(team=team)
    services.record_decide(actor=olga, record=record, approve=True)
    record.refresh_from_db()
    assert record.state == State.APPROVED
    assert record.decided_by == olga and record.decided_at is not None
    entry = ChangeRecord.objects.get(object_id=record.pk, content_type__model="servicerecord")
    assert entry.changes == {"state": ["pending", "approved"]} and entry.actor == olga


def test_approving_twice_is_refused(team, olga):
    record = RecordFactory(team=team)
    services.record_decide(actor=olga, record=record, approve=True)
    with pytest.raises(ValidationError, match="已审核"):
        services.record_decide(actor=olga, record=record, approve=False, reason="重复")
    record.refresh_from_db()
    assert record.state == State.APPROVED


def test_declining_without_a_reason_is_refused(team, olga):
    record = RecordFactory(team=team)
    with pytest.raises(ValidationError, match="原因"):
        services.record_decide(actor=olga, record=record, approve=False, reason="  ")
    record.refresh_from_db()
    assert record.state == State.PENDING


def test_a_declined_record_is_kept_with_its_reason(team, olga):
    record = RecordFactory(team=team)
    services.record_decide(actor=olga, record=record, approve=False, reason="当天未签到")
    record.refresh_from_db()
    assert (record.state, record.decline_reason) == (State.DECLINED, "当天未签到")
    assert ServiceRecord.objects.filter(pk=record.pk).exists()


def test_approving_a_record_of_another_team_is_refused_and_changes_nothing(team, other_team, olga):
    ours = RecordFactory(team=team)
    theirs = RecordFactory(team=other_team)
    with pytest.raises(ValidationError, match="不属于本队"):
        services.records_decide(
            actor=olga, team=team, record_ids=[ours.pk, theirs.pk], approve=True
        )
    assert set(ServiceRecord.objects.values_list("state", flat=True)) == {State.PENDING}


def test_the_bulk_approval_page_refuses_a_record_of_another_team(client, team, other_team, olga):
    theirs = RecordFactory(team=other_team)
    client.force_login(olga)
    response = client.post(
        reverse("volunteers:team_hours_decide", args=[team.pk]),
        {"decision": "approve", "ids": [theirs.pk]},
        follow=True,
    )
    assert "不属于本队" in response.content.decode()
    theirs.refresh_from_db()
    assert theirs.state == State.PENDING


def test_records_decided_meanwhile_are_skipped_in_bulk(team, olga, alice):
    records = RecordFactory.create_batch(3, team=team)
    services.record_decide(actor=olga, record=records[0], approve=False, reason="重复登记")
    result = services.records_decide(
        actor=olga, team=team, record_ids=[r.pk for r in records], approve=True
    )
    assert (result.changed, result.skipped) == (2, 1)
    records[0].refresh_from_db()
    assert records[0].state == State.DECLINED


def _bulk_post(client, team, data):
    return client.post(reverse("volunteers:team_hours_decide", args=[team.pk]), data)


def _pending_records(team, count):
    volunteers = VolunteerFactory.create_batch(25)
    ServiceRecord.objects.bulk_create(
        [RecordFactory.build(team=team, volunteer=volunteers[i % 25]) for i in range(count)]
    )
    return list(ServiceRecord.objects.filter(team=team).values_list("pk", flat=True))


@pytest.mark.parametrize("how", ["ticked", "all_matching"])
def test_bulk_approval_of_500_records_is_one_post_and_a_fixed_number_of_queries(
    client, team, other_team, olga, django_assert_max_num_queries, how
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def data(ids):
        fields = {"decision": "approve", "state": "pending"}
        fields.update({"ids": ids} if how == "ticked" else {"all_matching": "1"})
        return fields

    client.force_login(olga)
    few = _pending_records(other_team, 5)
    with CaptureQueriesContext(connection) as small:
        _bulk_post(client, other_team, data(few))
    ids = _pending_records(team, 500)
    with django_assert_max_num_queries(len(small)):
        response = _bulk_post(client, team, data(ids))
    assert response.status_code == 302
    assert len(small) <= 15
    assert ServiceRecord.objects.filter(team=team, state=State.APPROVED).count() == 500
    assert (
        ChangeRecord.objects.filter(content_type__model="servicerecord", object_id__in=ids).count()
        == 500
    )


def test_bulk_decline_needs_a_reason(client, team, olga):
    record = RecordFactory(team=team)
    client.force_login(olga)
    response = _bulk_post(client, team, {"decision": "decline", "ids": [record.pk]})
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.state == State.PENDING


def test_all_matching_takes_only_the_filtered_pending_records(client, team, olga):
    keep = RecordFactory(team=team, activity_name="红色研学")
    take = RecordFactory(team=team, activity_name="周末学业辅导")
    client.force_login(olga)
    _bulk_post(client, team, {"decision": "approve", "all_matching": "1", "q": "学业"})
    keep.refresh_from_db()
    take.refresh_from_db()
    assert (keep.state, take.state) == (State.PENDING, State.APPROVED)


# --- memberships


@pytest.fixture
def erin_profile(erin):
    return VolunteerFactory(user=erin, name="尔雅")


def test_a_volunteer_with_a_login_asks_to_join_and_the_coordinator_approves(
    client, team, erin, erin_profile, olga
):
    client.force_login(erin)
    response = client.post(reverse("volunteers:team_join", args=[team.pk]))
    assert response.status_code == 302
    membership = Membership.objects.get(volunteer=erin_profile, team=team)
    assert membership.state == Membership.State.APPLIED
    again = client.post(reverse("volunteers:team_join", args=[team.pk]), follow=True)
    assert "已提交过申请" in again.content.decode()

    client.force_login(olga)
    client.post(
        reverse("volunteers:membership_decide", args=[membership.pk]), {"decision": "approve"}
    )
    membership.refresh_from_db()
    assert membership.state == Membership.State.ACTIVE and membership.joined_on is not None
    with pytest.raises(ValidationError, match="已处理过"):
        services.membership_decide(actor=olga, membership=membership, approve=False)


def test_a_volunteer_cannot_ask_to_join_a_team_outside_their_organisation(
    client, erin, erin_profile, wuxing_school
):
    school_team = TeamFactory(code="ZL-01", school=wuxing_school, organization=None)
    client.force_login(erin)
    response = client.post(reverse("volunteers:team_join", args=[school_team.pk]))
    assert response.status_code == 404
    assert not Membership.objects.exists()


def test_a_volunteer_without_a_profile_is_told_what_to_do(team, erin):
    with pytest.raises(ValidationError, match="尚未关联志愿者档案"):
        services.membership_request(user=erin, team=team)


def test_an_active_member_is_not_asked_again(team, erin, erin_profile):
    MembershipFactory(team=team, volunteer=erin_profile)
    with pytest.raises(ValidationError, match="已是该队队员"):
        services.membership_request(user=erin, team=team)


# --- entry by hand


def test_a_service_entered_by_hand_starts_pending_and_is_not_entered_twice(client, team, olga):
    import datetime as dt

    member = MembershipFactory(team=team).volunteer
    client.force_login(olga)
    url = reverse("volunteers:record_new", args=[team.pk])
    data = {
        "volunteer": member.pk,
        "service_date": "2026-11-20",
        "hours": "2.5",
        "activity_name": "七彩假期·寒假家访",
    }
    assert client.post(url, data).status_code == 302
    record = ServiceRecord.objects.get()
    assert (record.state, record.source, record.programme) == ("pending", "entered", "holidays")
    assert record.service_date == dt.date(2026, 11, 20)
    again = client.post(url, data)
    assert again.status_code == 200
    assert "没有重复登记" in again.content.decode()
    assert ServiceRecord.objects.count() == 1


def test_a_service_in_the_future_or_of_a_non_member_is_refused(team, olga):
    import datetime as dt
    from decimal import Decimal

    from django.utils import timezone

    member = MembershipFactory(team=team).volunteer
    outsider = VolunteerFactory()
    common = {"actor": olga, "team": team, "hours": Decimal("2"), "activity_name": "周末学业辅导"}
    with pytest.raises(ValidationError, match="晚于今天"):
        services.record_enter(
            volunteer=member,
            service_date=timezone.localdate() + dt.timedelta(days=1),
            **common,
        )
    with pytest.raises(ValidationError, match="不是本队在队队员"):
        services.record_enter(volunteer=outsider, service_date=dt.date(2026, 11, 1), **common)
    assert not ServiceRecord.objects.exists()
