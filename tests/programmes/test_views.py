"""The programme pages as their users meet them: forms, messages, scoped lists."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from campaign.programmes.models import Activity, Venue, Wish
from children.models import Child
from children.risk import RISK_FLAGS
from tests.files import samples
from volunteers.models import ServiceRecord

from .conftest import make_wish

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def _messages(response):
    return [str(m) for m in response.context["messages"]]


def test_a_district_registers_a_venue_and_sees_the_count_by_district(client, alice, wuxing):
    from tests.factories import first_township

    client.force_login(alice)
    town = first_township(wuxing)
    response = client.post(
        reverse("campaign:venue_create"),
        {
            "name": "织里青年之家",
            "kind": "youth_home",
            "township": town.pk,
            "address": "织里镇",
            "managed_by": "镇团委",
            "facilities": ["books", "computers"],
        },
        follow=True,
    )
    venue = Venue.objects.get()
    assert response.redirect_chain[-1][0] == reverse("campaign:venue_detail", args=[venue.pk])
    page = client.get(reverse("campaign:venues"))
    assert page.context["counts"][0]["total"] == 1 and "青年之家" in page.context["kind_labels"]


def test_a_school_records_an_activity_with_children_by_id_number(
    client, carol, school_team, team_volunteers, wuxing_child, changxing_child
):
    client.force_login(carol)
    data = {
        "programme": "holidays",
        "kind": "tutoring",
        "title": "周末辅导",
        "team": school_team.pk,
        "online": "youth_lecture",
        "starts_at": (timezone.localtime() - dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
        "hours": "2",
        "volunteers": [v.pk for v in team_volunteers],
        "id_numbers": changxing_child.id_number,
        "anonymous_count": 3,
    }
    response = client.post(reverse("campaign:activity_create"), data)
    assert response.status_code == 200 and not Activity.objects.exists()
    assert any("不在本单位" in m for m in _messages(response))
    data["id_numbers"] = wuxing_child.id_number
    response = client.post(reverse("campaign:activity_create"), data, follow=True)
    activity = Activity.objects.get()
    assert list(activity.children.all()) == [wuxing_child]
    assert ServiceRecord.objects.filter(state="pending").count() == 2
    assert wuxing_child.name in response.content.decode()


def test_the_wish_workflow_through_the_pages(client, carol, alice, wuxing_child):
    client.force_login(carol)
    response = client.post(
        reverse("campaign:wish_add", args=[wuxing_child.pk]),
        {"wish-item": "一个篮球", "wish-estimated_value": "90", "wish-story": "爱运动"},
        follow=True,
    )
    wish = Wish.objects.get()
    assert "待区县团委审核" in " ".join(_messages(response))
    # the school cannot publish it
    client.post(reverse("campaign:wish_move", args=[wish.pk]), {"action": "approve"})
    wish.refresh_from_db()
    assert wish.status == Wish.Status.COLLECTED
    client.force_login(alice)
    client.post(reverse("campaign:wish_move", args=[wish.pk]), {"action": "approve"})
    client.logout()
    client.post(
        reverse("campaign:wish_claim", args=[wish.pk]),
        {"kind": "volunteer", "name": "李同学", "phone": "13811112222"},
    )
    client.force_login(alice)
    client.post(reverse("campaign:wish_move", args=[wish.pk]), {"action": "confirm"})
    response = client.post(
        reverse("campaign:wish_move", args=[wish.pk]), {"action": "fulfil"}, follow=True
    )
    assert any("圆梦照片" in m for m in _messages(response))
    response = client.post(
        reverse("campaign:wish_move", args=[wish.pk]), {"action": "release"}, follow=True
    )
    assert any("未满 30 天" in m for m in _messages(response))
    client.post(
        reverse("campaign:wish_move", args=[wish.pk]),
        {
            "action": "fulfil",
            "evidence": SimpleUploadedFile("e.jpg", samples.jpeg_with_gps((60, 40))),
            "fulfilled_on": TODAY.isoformat(),
        },
    )
    wish.refresh_from_db()
    assert wish.status == Wish.Status.FULFILLED
    page = client.get(reverse("campaign:wish_detail", args=[wish.pk])).content.decode()
    assert "138****2222" in page or "2222" in page
    assert "13811112222" not in page
    assert client.get(reverse("campaign:wish_evidence", args=[wish.pk])).status_code == 200


def test_a_poor_assessment_from_the_page_puts_the_child_on_the_risk_list(
    client, alice, wuxing_child
):
    client.force_login(alice)
    response = client.post(
        reverse("campaign:guardianship_add", args=[wuxing_child.pk]),
        {
            "g-assessed_on": TODAY.isoformat(),
            "g-social_worker": "社工小周",
            "g-situation": "祖母卧床",
            "g-capacity": "无监护能力",
            "g-result": "poor",
            "g-document": SimpleUploadedFile("评估表.pdf", samples.pdf()),
        },
        follow=True,
    )
    assert "同步更新" in " ".join(_messages(response))
    flag = RISK_FLAGS["poor_guardianship"].condition
    assert Child.objects.filter(flag, pk=wuxing_child.pk).exists()
    risk = client.get(reverse("children:risk"))
    assert wuxing_child.name in risk.content.decode()


def test_care_find_opens_a_child_of_the_scope_only(client, carol, wuxing_child, changxing_child):
    client.force_login(carol)
    found = client.get(reverse("campaign:care_find"), {"id_number": wuxing_child.id_number})
    assert found["Location"] == reverse("campaign:child_care", args=[wuxing_child.pk])
    other = client.get(
        reverse("campaign:care_find"), {"id_number": changxing_child.id_number}, follow=True
    )
    assert any("没有这个身份证号" in m for m in _messages(other))


def test_the_wall_lists_priority_wishes_first(client, carol, alice, wuxing_child, low_income_child):
    from campaign.programmes import services

    for child in (wuxing_child, low_income_child):
        services.wish_review(wish=make_wish(child, carol), approve=True, user=alice)
    rows = client.get(reverse("campaign:wish_wall")).context["page"].object_list
    assert [r["priority"] for r in rows] == [True, False]
