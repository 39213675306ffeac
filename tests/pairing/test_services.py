import datetime as dt
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from children.selectors import risk_list
from huzhou_care.audit.models import ChangeRecord
from pairing import services
from pairing.models import ChildPairing, OrgSchoolPairing, Visit, campaign_year
from tests.factories import ChildFactory, OrganizationFactory, UserFactory
from volunteers.models import ServiceRecord

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def _visit_data(**extra):
    return {
        "kind": "home",
        "visited_on": TODAY(),
        "duration_minutes": 90,
        "concerns": ["study", "safety"],
        "notes": "孩子学习认真，奶奶身体尚可。",
        "follow_up_needed": False,
        **extra,
    }


def test_an_organisation_pairs_with_one_school_per_year(alice, org, wuxing_school):
    services.org_pairing_create(organization=org, school=wuxing_school, year=2026, actor=alice)
    other = wuxing_school.__class__.objects.create(
        code="X1",
        name="另一小学",
        kind="primary",
        county=wuxing_school.county,
        township=wuxing_school.township,
    )
    with pytest.raises(ValidationError, match="每个单位每年度只结对一所学校"):
        services.org_pairing_create(organization=org, school=other, year=2026, actor=alice)
    services.org_pairing_create(organization=org, school=other, year=2027, actor=alice)
    assert OrgSchoolPairing.objects.count() == 2


def test_the_database_refuses_a_second_school_for_the_same_year(alice, org, wuxing_school):
    OrgSchoolPairing.objects.create(
        organization=org, school=wuxing_school, year=2026, created_by=alice
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        OrgSchoolPairing.objects.create(
            organization=org, school=wuxing_school, year=2026, created_by=alice
        )


def test_a_child_gets_at_most_one_active_volunteer_pairing(alice, erin, wuxing_child):
    services.pairing_create(
        child=wuxing_child, person=erin, kind="volunteer", started_on=TODAY(), actor=alice
    )
    other = UserFactory(role="volunteer", organization=erin.organization)
    with pytest.raises(ValidationError, match="已有在结对的志愿者结对"):
        services.pairing_create(
            child=wuxing_child, person=other, kind="volunteer", started_on=TODAY(), actor=alice
        )
    assert ChildPairing.objects.filter(child=wuxing_child).count() == 1
    assert ChangeRecord.objects.filter(action="create", reason="").exists()


def test_the_partial_unique_index_itself_refuses_a_second_active_pairing(alice, erin, wuxing_child):
    place = {
        "county_id": wuxing_child.county_id,
        "township_id": wuxing_child.township_id,
        "last_contact_on": TODAY(),
    }
    ChildPairing.objects.create(
        child=wuxing_child,
        kind="volunteer",
        person=erin,
        started_on=TODAY(),
        created_by=alice,
        **place,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        ChildPairing.objects.create(
            child=wuxing_child,
            kind="volunteer",
            person=alice,
            started_on=TODAY(),
            created_by=alice,
            **place,
        )
    # An ended pairing does not count: a new one may start.
    ChildPairing.objects.filter(child=wuxing_child).update(ended_on=TODAY(), end_reason="毕业")
    ChildPairing.objects.create(
        child=wuxing_child,
        kind="volunteer",
        person=alice,
        started_on=TODAY(),
        created_by=alice,
        **place,
    )


def test_staff_and_volunteer_pairings_coexist_and_one_person_takes_several_children(
    alice, erin, carol, wuxing_school
):
    kids = [ChildFactory(school=wuxing_school) for _ in range(3)]
    teacher = UserFactory(role="volunteer", school=wuxing_school, full_name="班主任")
    outcome = services.pairings_create(
        children=kids, person=erin, kind="volunteer", started_on=TODAY(), actor=alice
    )
    assert len(outcome.created) == 3 and outcome.skipped == []
    outcome = services.pairings_create(
        children=kids, person=teacher, kind="staff", started_on=TODAY(), actor=carol
    )
    assert len(outcome.created) == 3
    assert ChildPairing.objects.active().count() == 6


def test_a_volunteer_cannot_take_a_staff_pairing_of_another_school(
    alice, wuxing_child, changxing_school
):
    outsider = UserFactory(role="volunteer", school=changxing_school)
    with pytest.raises(ValidationError, match="儿童所在学校"):
        services.pairing_create(
            child=wuxing_child, person=outsider, kind="staff", started_on=TODAY(), actor=alice
        )


def test_ending_a_pairing_needs_a_reason_and_happens_once(alice, erin_paired):
    with pytest.raises(ValidationError):
        services.pairing_end(pairing=erin_paired, ended_on=TODAY(), reason=" ", actor=alice)
    services.pairing_end(
        pairing=erin_paired, ended_on=TODAY(), reason="志愿者毕业离湖", actor=alice
    )
    with pytest.raises(ValidationError, match="已经结束"):
        services.pairing_end(pairing=erin_paired, ended_on=TODAY(), reason="again", actor=alice)
    erin_paired.refresh_from_db()
    assert erin_paired.end_reason == "志愿者毕业离湖"


def test_a_volunteers_visit_adds_a_pending_service_record(
    erin, erin_profile, erin_paired, wuxing_child
):
    result = services.visit_record(
        child=wuxing_child, author=erin, data=_visit_data(), idempotency_key=uuid.uuid4()
    )
    assert result.created
    record = result.visit.service_record
    assert record.state == ServiceRecord.State.PENDING
    assert record.source == ServiceRecord.Source.VISIT
    assert str(record.hours) == "1.50"
    assert record.volunteer == erin_profile
    erin_paired.refresh_from_db()
    assert erin_paired.last_visit_on == erin_paired.last_contact_on == TODAY()


def test_the_same_idempotency_key_never_creates_a_second_visit(
    erin, erin_profile, erin_paired, wuxing_child
):
    key = uuid.uuid4()
    first = services.visit_record(
        child=wuxing_child, author=erin, data=_visit_data(), idempotency_key=key
    )
    second = services.visit_record(
        child=wuxing_child, author=erin, data=_visit_data(notes="重发"), idempotency_key=key
    )
    assert not second.created and second.visit.pk == first.visit.pk
    assert Visit.objects.count() == 1
    assert ServiceRecord.objects.count() == 1


def test_someone_else_reusing_a_key_is_refused(erin, alice, erin_paired, wuxing_child):
    key = uuid.uuid4()
    services.visit_record(child=wuxing_child, author=erin, data=_visit_data(), idempotency_key=key)
    with pytest.raises(ValidationError, match="提交编号冲突"):
        services.visit_record(
            child=wuxing_child, author=alice, data=_visit_data(), idempotency_key=key
        )


def test_a_follow_up_needs_a_due_date(erin, erin_paired, wuxing_child):
    with pytest.raises(ValidationError):
        services.visit_record(
            child=wuxing_child,
            author=erin,
            data=_visit_data(follow_up_needed=True),
            idempotency_key=uuid.uuid4(),
        )
    assert Visit.objects.count() == 0


def test_an_urgent_follow_up_puts_the_child_on_the_district_risk_list_at_once(
    alice, erin, erin_paired, wuxing_child
):
    assert wuxing_child not in risk_list(alice)
    result = services.visit_record(
        child=wuxing_child,
        author=erin,
        data=_visit_data(
            follow_up_needed=True,
            follow_up_due=TODAY(),
            follow_up_urgent=True,
            follow_up_note="找不到监护人",
        ),
        idempotency_key=uuid.uuid4(),
    )
    rows = list(risk_list(alice))
    assert [c.pk for c in rows] == [wuxing_child.pk]
    services.follow_up_close(visit=result.visit, actor=alice)
    assert wuxing_child not in risk_list(alice)
    with pytest.raises(ValidationError):
        services.follow_up_close(visit=result.visit, actor=alice)


def test_risk_rows_carry_the_no_pairing_flag(alice, wuxing_school):
    from children import choices as c
    from children.selectors import contributed_labels

    alone = ChildFactory(school=wuxing_school, guardianship_type=c.GuardianshipType.NONE)
    row = next(r for r in risk_list(alice) if r.pk == alone.pk)
    assert "未结对" in contributed_labels(row)


def test_feedback_post_marks_the_thread_read_for_its_author(carol, erin, erin_paired, wuxing_child):
    from pairing.selectors import feedback_threads

    services.feedback_post(child=wuxing_child, author=carol, body="孩子本周数学进步明显。")
    [theirs] = feedback_threads(erin)
    assert theirs["unread"] == 1
    [mine] = feedback_threads(carol)
    assert mine["unread"] == 0
    services.feedback_mark_read(child=wuxing_child, user=erin)
    assert feedback_threads(erin)[0]["unread"] == 0


def test_a_coordinator_sees_the_children_of_the_paired_school_only(
    olga, olga_school, wuxing_child, changxing_child
):
    from children.models import Child

    assert set(Child.objects.visible_to(olga)) == {wuxing_child}
    # Next year's pairing is another school's business: this year's scope only.
    OrgSchoolPairing.objects.filter(pk=olga_school.pk).update(year=campaign_year() - 1)
    assert list(Child.objects.visible_to(olga)) == []


def test_a_volunteer_sees_only_the_actively_paired_children(
    alice, erin, erin_paired, wuxing_child, changxing_child
):
    from children.models import Child

    assert list(Child.objects.visible_to(erin)) == [wuxing_child]
    services.pairing_end(pairing=erin_paired, ended_on=TODAY(), reason="调整", actor=alice)
    assert list(Child.objects.visible_to(erin)) == []


def test_district_staff_queries_carry_no_pairing_subquery(alice):
    from children.models import Child

    assert "pairing" not in str(Child.objects.visible_to(alice).query)


def test_org_visit_is_logged_and_not_in_the_future(olga, olga_school):
    services.org_visit_record(
        pairing=olga_school,
        visited_on=TODAY(),
        participants="书记、团委书记",
        activities="慰问并赠送图书",
        actor=olga,
    )
    with pytest.raises(ValidationError):
        services.org_visit_record(
            pairing=olga_school,
            visited_on=TODAY() + dt.timedelta(days=1),
            participants="x",
            activities="y",
            actor=olga,
        )
    assert olga_school.visits.count() == 1


def test_another_organisation_may_pair_with_the_same_school(alice, wuxing_school, org):
    services.org_pairing_create(organization=org, school=wuxing_school, year=2026, actor=alice)
    services.org_pairing_create(
        organization=OrganizationFactory(), school=wuxing_school, year=2026, actor=alice
    )
    assert OrgSchoolPairing.objects.filter(school=wuxing_school).count() == 2


def test_the_tallies_follow_every_pairing_and_ending(
    alice, bob, carol, erin, wuxing_school, changxing_school
):
    from django.db.models import Count

    from pairing.demo import tallies_rebuild
    from pairing.models import PairingTally

    def live():
        return {
            (s, k): n
            for s, k, n in ChildPairing.objects.active()
            .order_by()
            .values_list("school_id", "kind")
            .annotate(n=Count("pk"))
        }

    def tallied():
        return {(t.school_id, t.kind): t.active for t in PairingTally.objects.all() if t.active}

    teacher = UserFactory(role="volunteer", school=wuxing_school)
    wx = [ChildFactory(school=wuxing_school) for _ in range(3)]
    cx = [ChildFactory(school=changxing_school) for _ in range(2)]
    services.pairings_create(
        children=wx + cx[:1], person=erin, kind="volunteer", started_on=TODAY(), actor=alice
    )
    services.pairings_create(
        children=wx, person=teacher, kind="staff", started_on=TODAY(), actor=carol
    )
    # A refused one (already paired) changes nothing.
    services.pairings_create(
        children=wx[:1], person=erin, kind="volunteer", started_on=TODAY(), actor=alice
    )
    ended = ChildPairing.objects.get(child=wx[0], kind="volunteer")
    services.pairing_end(pairing=ended, ended_on=TODAY(), reason="调整", actor=alice)
    assert (
        tallied()
        == live()
        == {
            (wuxing_school.pk, "volunteer"): 2,
            (changxing_school.pk, "volunteer"): 1,
            (wuxing_school.pk, "staff"): 3,
        }
    )
    tallies_rebuild()
    assert tallied() == live()
