import datetime as dt
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from huzhou_care.audit.models import AccessLog
from pairing import selectors, services
from pairing.models import ChildPairing, Visit
from tests.factories import ChildFactory, UserFactory
from volunteers.models import ServiceRecord

pytestmark = pytest.mark.django_db
SECRETS = {
    "id_number": None,  # filled from the child
    "father_phone": "13900001111",
    "mother_phone": "13700002222",
    "hukou_address": "浙江省湖州市吴兴区织里镇秘密村88号",
    "disability_category": "视力二级",
}


@pytest.fixture
def secret_child(wuxing_child):
    wuxing_child.hukou_address = SECRETS["hukou_address"]
    wuxing_child.disability_category = SECRETS["disability_category"]
    wuxing_child.health = "disabled"
    wuxing_child.save()
    return wuxing_child


def _visit_post(child, key=None, **extra):
    return {
        "idempotency_key": str(key or uuid.uuid4()),
        "child": child.pk,
        "kind": "home",
        "visited_on": timezone.localdate().isoformat(),
        "duration_minutes": "45",
        "concerns": ["emotion", "life"],
        "notes": "与奶奶聊了孩子近况。",
        **extra,
    }


def test_a_volunteers_pages_show_no_id_number_parents_phones_hukou_or_health_details(
    client, carol, erin, erin_paired, secret_child
):
    services.feedback_post(child=secret_child, author=carol, body="孩子在校表现好。")
    client.force_login(erin)
    pages = [
        reverse("pairing:mine"),
        reverse("pairing:visit_new"),
        reverse("pairing:child", args=[secret_child.pk]),
        reverse("pairing:thread", args=[secret_child.pk]),
        reverse("pairing:feedback"),
    ]
    forbidden = [
        secret_child.id_number,
        secret_child.id_number[-4:] + "<",
        SECRETS["father_phone"],
        SECRETS["mother_phone"],
        SECRETS["hukou_address"],
        SECRETS["disability_category"],
        "残疾",
        "王建国",  # the father's name is not a visit's business either
    ]
    for url in pages:
        html = client.get(url).content.decode()
        for value in forbidden:
            assert value not in html, (url, value)
    card = client.get(pages[2]).content.decode()
    # What a visit needs is there: the guardian's full phone for the paired person, the flag.
    assert "13812345678" in card and "王秀英" in card and "需关注身体状况" in card


def test_every_page_a_volunteer_opens_is_in_the_access_log(client, erin, erin_paired, wuxing_child):
    client.force_login(erin)
    client.get(reverse("pairing:child", args=[wuxing_child.pk]))
    client.get(reverse("pairing:mine"))
    logs = list(AccessLog.objects.filter(user=erin).order_by("at", "pk"))
    assert [(log.action, log.object_ids) for log in logs] == [
        ("view", [wuxing_child.pk]),
        ("list", [wuxing_child.pk]),
    ]


def test_a_volunteer_reaching_an_unpaired_child_gets_404(
    client, erin, erin_paired, changxing_child
):
    client.force_login(erin)
    assert client.get(reverse("pairing:child", args=[changxing_child.pk])).status_code == 404
    assert client.get(reverse("children:detail", args=[erin_paired.child_id])).status_code == 404


def test_a_coordinator_outside_the_paired_school_gets_404(
    client, olga, olga_school, wuxing_child, changxing_child
):
    client.force_login(olga)
    assert client.get(reverse("pairing:child", args=[wuxing_child.pk])).status_code == 200
    assert client.get(reverse("pairing:child", args=[changxing_child.pk])).status_code == 404


def test_the_visit_form_sent_twice_with_one_key_records_one_visit(
    client, erin, erin_profile, erin_paired, wuxing_child
):
    client.force_login(erin)
    key = uuid.uuid4()
    url = reverse("pairing:visit_new")
    first = client.post(url, _visit_post(wuxing_child, key), HTTP_ACCEPT="application/json")
    again = client.post(url, _visit_post(wuxing_child, key), HTTP_ACCEPT="application/json")
    assert first.status_code == again.status_code == 200
    assert first.json()["created"] is True and again.json()["created"] is False
    assert first.json()["visit"] == again.json()["visit"]
    assert Visit.objects.count() == 1
    visit = Visit.objects.get()
    assert visit.concerns == ["emotion", "life"] and visit.pairing == erin_paired
    assert ServiceRecord.objects.get().state == "pending"


def test_the_plain_form_redirects_to_the_child_with_a_message(
    client, erin, erin_paired, wuxing_child
):
    client.force_login(erin)
    response = client.post(reverse("pairing:visit_new"), _visit_post(wuxing_child), follow=True)
    assert response.redirect_chain[-1][0] == reverse("pairing:child", args=[wuxing_child.pk])
    assert "走访记录已保存" in response.content.decode()


def test_a_visit_for_a_child_not_paired_is_refused_with_reasons(
    client, erin, erin_paired, changxing_child
):
    client.force_login(erin)
    response = client.post(
        reverse("pairing:visit_new"), _visit_post(changxing_child), HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 400
    assert "child" in response.json()["errors"]
    assert Visit.objects.count() == 0


def test_a_follow_up_without_due_date_is_refused(client, erin, erin_paired, wuxing_child):
    client.force_login(erin)
    response = client.post(
        reverse("pairing:visit_new"),
        _visit_post(wuxing_child, follow_up_needed="on"),
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 400
    assert response.json()["errors"]["follow_up_due"] == ["需要跟进时请填写跟进期限。"]


def test_a_district_officer_pairs_a_volunteer_with_two_children_in_one_step(
    client, alice, erin, wuxing_school
):
    kids = [ChildFactory(school=wuxing_school) for _ in range(2)]
    client.force_login(alice)
    data = {
        "kind": "volunteer",
        "person": erin.pk,
        "started_on": timezone.localdate().isoformat(),
        "children": [k.pk for k in kids],
    }
    response = client.post(reverse("pairing:pair"), data, follow=True)
    assert "已将 2 名儿童" in response.content.decode()
    assert set(
        ChildPairing.objects.active().filter(person=erin).values_list("child_id", flat=True)
    ) == {k.pk for k in kids}
    # Again: both are taken now; a clear message, not an error page.
    response = client.post(reverse("pairing:pair"), data, follow=True)
    assert response.status_code == 200
    assert response.content.decode().count("已有在结对的志愿者结对") == 2


def test_a_posted_child_outside_the_scope_is_refused(client, alice, erin, changxing_child):
    client.force_login(alice)
    data = {
        "kind": "volunteer",
        "person": erin.pk,
        "started_on": timezone.localdate().isoformat(),
        "children": [changxing_child.pk],
    }
    client.post(reverse("pairing:pair"), data)
    assert not ChildPairing.objects.exists()


def test_a_teacher_is_paired_with_a_whole_class_after_a_preview(client, carol, wuxing_school):
    teacher = UserFactory(role="volunteer", school=wuxing_school, full_name="周老师")
    earlier = UserFactory(role="volunteer", school=wuxing_school, full_name="吴老师")
    kids = [ChildFactory(school=wuxing_school, grade=4, class_name="1班") for _ in range(3)]
    ChildFactory(school=wuxing_school, grade=4, class_name="2班")
    services.pairing_create(
        child=kids[0], person=earlier, kind="staff", started_on=timezone.localdate(), actor=carol
    )
    client.force_login(carol)
    params = {
        "school": wuxing_school.pk,
        "teacher": teacher.pk,
        "grade": 4,
        "class_name": "1班",
        "started_on": timezone.localdate().isoformat(),
    }
    preview = client.get(reverse("pairing:class_pair"), params).content.decode()
    assert "已与 吴老师 结对" in preview and preview.count("将结对") == 2
    assert ChildPairing.objects.filter(person=teacher).count() == 0
    client.post(reverse("pairing:class_pair"), params)
    assert set(ChildPairing.objects.filter(person=teacher).values_list("child_id", flat=True)) == {
        kids[1].pk,
        kids[2].pk,
    }


def test_new_feedback_shows_in_the_other_sides_list(client, carol, erin, erin_paired, wuxing_child):
    client.force_login(carol)
    client.post(
        reverse("pairing:thread", args=[wuxing_child.pk]),
        {"body": "期中考试进步很大，请转告家长。"},
    )
    client.force_login(erin)
    assert "1 条新消息" in client.get(reverse("pairing:feedback")).content.decode()
    thread = client.get(reverse("pairing:thread", args=[wuxing_child.pk])).content.decode()
    assert "期中考试进步很大" in thread
    assert "新消息" not in client.get(reverse("pairing:feedback")).content.decode()


def test_overdue_lists_pairings_without_a_visit_for_30_days(
    alice, erin, erin_paired, wuxing_child, settings
):
    settings.PAIRING_HOLIDAYS = (((1, 20), (2, 20)),)
    day = dt.date(2026, 11, 2)
    qs, days = selectors.overdue(alice, today=day)
    assert days == 30
    ChildPairing.objects.filter(pk=erin_paired.pk).update(
        started_on=day - dt.timedelta(days=31), last_contact_on=day - dt.timedelta(days=31)
    )
    assert [p.pk for p in selectors.overdue(alice, today=day)[0]] == [erin_paired.pk]
    ChildPairing.objects.filter(pk=erin_paired.pk).update(
        last_contact_on=day - dt.timedelta(days=20)
    )
    assert list(selectors.overdue(alice, today=day)[0]) == []
    # In the holidays (configurable) the limit is 14 days.
    holiday = dt.date(2027, 2, 1)
    ChildPairing.objects.filter(pk=erin_paired.pk).update(
        last_visit_on=holiday - dt.timedelta(days=15)
    )
    qs, days = selectors.overdue(alice, today=holiday)
    assert days == 14 and [p.pk for p in qs] == [erin_paired.pk]


def _grow(wuxing_school, changxing_school, alice, bob, n):
    for i in range(n):
        school = wuxing_school if i % 2 else changxing_school
        child = ChildFactory(school=school)
        person = UserFactory(role="volunteer", school=school)
        actor = alice if school is wuxing_school else bob
        services.pairing_create(
            child=child, person=person, kind="staff", started_on=timezone.localdate(), actor=actor
        )
        services.visit_record(
            child=child,
            author=person,
            data={"kind": "call", "visited_on": timezone.localdate(), "duration_minutes": 20},
            idempotency_key=uuid.uuid4(),
        )


@pytest.mark.parametrize("by", ["county", "township", "school"])
def test_coverage_is_a_fixed_number_of_queries_whatever_the_size(
    city_admin, alice, bob, wuxing_school, changxing_school, django_assert_num_queries, by
):
    _grow(wuxing_school, changxing_school, alice, bob, 2)
    with django_assert_num_queries(4) as small:
        selectors.coverage(city_admin, by=by)
    _grow(wuxing_school, changxing_school, alice, bob, 12)
    with django_assert_num_queries(len(small.captured_queries)):
        table = selectors.coverage(city_admin, by=by)
    assert table["totals"]["registered"] == 14
    assert table["totals"]["staff"] == 14 and table["totals"]["visited"] == 14
    assert table["totals"]["volunteer"] == 0


def test_district_coverage_counts_only_its_own_children(
    alice, bob, wuxing_school, changxing_school
):
    _grow(wuxing_school, changxing_school, alice, bob, 6)
    table = selectors.coverage(alice, by="school")
    assert [r["name"] for r in table["rows"]] == [wuxing_school.name]
    assert table["rows"][0]["registered"] == 3 and table["rows"][0]["staff_pct"] == 100


def test_overdue_is_a_fixed_number_of_queries(
    client, alice, bob, wuxing_school, changxing_school, django_assert_max_num_queries
):
    _grow(wuxing_school, changxing_school, alice, bob, 8)
    ChildPairing.objects.update(last_contact_on=timezone.localdate() - dt.timedelta(days=40))
    client.force_login(alice)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("pairing:overdue"))
    assert response.context["page"].paginator.count == 4


def test_the_district_risk_page_shows_urgent_follow_ups_and_the_no_pairing_flag(
    client, alice, erin, erin_paired, wuxing_child, wuxing_school
):
    from children import choices as c

    unpaired = ChildFactory(
        school=wuxing_school, name="孙小雨", guardianship_type=c.GuardianshipType.NONE
    )
    services.visit_record(
        child=wuxing_child,
        author=erin,
        data={
            "kind": "home",
            "visited_on": timezone.localdate(),
            "duration_minutes": 30,
            "follow_up_needed": True,
            "follow_up_due": timezone.localdate(),
            "follow_up_urgent": True,
        },
        idempotency_key=uuid.uuid4(),
    )
    client.force_login(alice)
    response = client.get(reverse("children:risk"))
    rows = {child.pk: child.extra_flags for child in response.context["page"]}
    assert rows == {wuxing_child.pk: ["紧急跟进"], unpaired.pk: ["未结对"]}
    # The registry's filter offers the flag too.
    listed = client.get(reverse("children:list"), {"flags": "no_pairing"}).context["page"]
    assert [c.pk for c in listed] == [unpaired.pk]


def test_the_city_sees_counties_and_one_countys_schools_at_a_time(
    client, city_admin, alice, bob, wuxing_school, changxing_school
):
    _grow(wuxing_school, changxing_school, alice, bob, 4)
    client.force_login(city_admin)
    by_county = client.get(reverse("pairing:coverage")).context["table"]
    assert {r["name"]: r["registered"] for r in by_county["rows"]} == {"吴兴区": 2, "长兴县": 2}
    changxing = changxing_school.county
    table = client.get(
        reverse("pairing:coverage"), {"by": "school", "county": changxing.pk}
    ).context["table"]
    assert [r["name"] for r in table["rows"]] == [changxing_school.name]
    assert table["county"] == changxing
