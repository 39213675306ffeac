import datetime as dt

from django.urls import reverse

from children.identity import resident_id_build
from children.models import Child
from huzhou_care.audit.models import AccessLog


def test_the_list_masks_id_numbers_and_phones(client, carol, wuxing_child):
    client.force_login(carol)
    body = client.get(reverse("children:list")).content.decode()
    assert wuxing_child.id_number not in body
    assert wuxing_child.id_number[:4] + "**********" + wuxing_child.id_number[-4:] in body


def test_the_detail_page_masks_until_asked_and_logs_the_full_view(client, carol, wuxing_child):
    client.force_login(carol)
    body = client.get(reverse("children:detail", args=[wuxing_child.pk])).content.decode()
    assert (
        wuxing_child.id_number not in body and "13812345678" not in body and "138****5678" in body
    )
    full = client.get(
        reverse("children:identifiers", args=[wuxing_child.pk]), HTTP_HX_REQUEST="true"
    )
    assert wuxing_child.id_number in full.content.decode()
    log = AccessLog.objects.filter(user=carol, query__fields="identifiers").get()
    assert log.object_ids == [wuxing_child.pk]


def test_views_and_searches_are_written_to_the_access_log(client, alice, wuxing_child):
    client.force_login(alice)
    client.get(reverse("children:list"), {"q": "王"})
    client.get(reverse("children:detail", args=[wuxing_child.pk]))
    actions = list(
        AccessLog.objects.filter(user=alice)
        .order_by("at", "pk")
        .values_list("action", "object_ids", "query")
    )
    assert actions[0] == ("search", [wuxing_child.pk], {"q": "王"})
    assert actions[1][:2] == ("view", [wuxing_child.pk])


def test_search_by_name_prefix_and_by_full_id_number(client, alice, wuxing_child):
    client.force_login(alice)
    by_name = client.get(reverse("children:list"), {"q": "王小"}).context["page"].object_list
    by_id = (
        client.get(reverse("children:list"), {"q": wuxing_child.id_number}, follow=True)
        .context["page"]
        .object_list
    )
    none = client.get(reverse("children:list"), {"q": "张"}).context["page"].object_list
    assert [c.pk for c in by_name] == [c.pk for c in by_id] == [wuxing_child.pk]
    assert list(none) == []


def test_a_filter_naming_another_districts_school_shows_nothing_of_it(
    client, alice, wuxing_child, changxing_child
):
    client.force_login(alice)
    response = client.get(reverse("children:list"), {"school": changxing_child.school_id})
    assert [c.pk for c in response.context["page"].object_list] == [wuxing_child.pk]


def test_htmx_filtering_returns_just_the_table(client, alice, wuxing_child):
    client.force_login(alice)
    response = client.get(reverse("children:list"), {"grade": 3}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "<html" not in body and wuxing_child.name in body


def test_a_clerk_registers_a_child_through_the_form(client, carol, wuxing_school):
    client.force_login(carol)
    id_number = resident_id_build("330502", dt.date(2015, 6, 1), 33)
    response = client.post(
        reverse("children:register"),
        {
            "name": "钱多多",
            "id_number": id_number.lower().replace("", " ").strip(),
            "ethnicity": "汉族",
            "school": wuxing_school.pk,
            "township": wuxing_school.township_id,
            "grade": 5,
            "class_name": "2班",
            "left_behind_type": "both_away",
            "guardianship_type": "grandparent",
            "health": "healthy",
            "hukou_registered": "on",
        },
    )
    child = Child.objects.get(id_number=id_number)
    assert response.status_code == 302 and response["Location"] == reverse(
        "children:detail", args=[child.pk]
    )


def test_posting_another_districts_school_is_refused(
    client, carol, changxing_school, wuxing_school
):
    client.force_login(carol)
    response = client.post(
        reverse("children:register"),
        {
            "name": "钱多多",
            "id_number": resident_id_build("330502", dt.date(2015, 6, 1), 33),
            "school": changxing_school.pk,
            "township": changxing_school.township_id,
            "left_behind_type": "both_away",
            "guardianship_type": "grandparent",
            "health": "healthy",
        },
    )
    assert response.status_code == 200
    assert (
        "school" in response.context["form"].errors
        and "township" in response.context["form"].errors
    )
    assert not Child.objects.exists()


def test_an_edit_through_the_form_shows_in_the_timeline(client, carol, wuxing_child):
    client.force_login(carol)
    form = client.get(reverse("children:edit", args=[wuxing_child.pk])).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update({"guardian_name": "王大爷", "hukou_registered": "on"})
    data = {
        k: (v.isoformat() if isinstance(v, dt.date) else v)
        for k, v in data.items()
        if not isinstance(v, bool)
    }
    response = client.post(reverse("children:edit", args=[wuxing_child.pk]), data)
    assert response.status_code == 302
    page = client.get(reverse("children:detail", args=[wuxing_child.pk])).content.decode()
    assert "监护人姓名：王秀英 → 王大爷" in page


def test_leaving_through_the_form_needs_post_and_keeps_the_record(client, alice, wuxing_child):
    client.force_login(alice)
    client.get(reverse("children:leave", args=[wuxing_child.pk]))
    wuxing_child.refresh_from_db()
    assert wuxing_child.status == "active"
    response = client.post(
        reverse("children:leave", args=[wuxing_child.pk]),
        {"on": "2026-11-28", "reason": "turned_16"},
    )
    assert response.status_code == 302
    wuxing_child.refresh_from_db()
    assert wuxing_child.status == "left"
    listed = client.get(reverse("children:list"), {"status": "left"}).context["page"].object_list
    assert [c.pk for c in listed] == [wuxing_child.pk]


def test_a_school_clerk_cannot_transfer(client, carol, wuxing_child):
    client.force_login(carol)
    assert client.get(reverse("children:transfer", args=[wuxing_child.pk])).status_code == 404


def test_the_risk_list_holds_unguarded_children_only(client, alice, wuxing_child, wuxing_school):
    from tests.factories import ChildFactory

    unguarded = ChildFactory(school=wuxing_school, guardianship_type="none", guardian_name="")
    client.force_login(alice)
    listed = client.get(reverse("children:risk")).context["page"].object_list
    assert [c.pk for c in listed] == [unguarded.pk]


def test_the_list_as_of_a_past_date_shows_who_was_on_the_registry_then(client, alice, wuxing_child):
    from children.services import child_leave
    from huzhou_care.audit.services import ChangeSource

    child_leave(
        child=wuxing_child,
        on=dt.date(2026, 10, 1),
        reason="turned_16",
        note="",
        source=ChangeSource(alice),
    )
    client.force_login(alice)
    then = client.get(reverse("children:list"), {"as_of": "2026-09-30"}).context["page"].object_list
    now = client.get(reverse("children:list")).context["page"].object_list
    before = (
        client.get(reverse("children:list"), {"as_of": "2026-08-31"}).context["page"].object_list
    )
    assert [c.pk for c in then] == [wuxing_child.pk]
    assert list(now) == [] and list(before) == []


def test_the_detail_page_shows_the_record_as_of_a_past_date(client, carol, wuxing_child):
    from django.utils import timezone

    from children.services import child_update
    from huzhou_care.audit.models import ChangeRecord
    from huzhou_care.audit.services import ChangeSource

    child_update(child=wuxing_child, data={"guardian_name": "新监护人"}, source=ChangeSource(carol))
    ChangeRecord.objects.filter(action="update").update(
        at=timezone.make_aware(dt.datetime(2026, 10, 5, 9))
    )
    client.force_login(carol)
    before = client.get(
        reverse("children:detail", args=[wuxing_child.pk]), {"as_of": "2026-10-04"}
    ).content.decode()
    after = client.get(
        reverse("children:detail", args=[wuxing_child.pk]), {"as_of": "2026-10-05"}
    ).content.decode()
    assert "王秀英" in before and "新监护人" not in before.split("证件与联系方式")[0]
    assert "新监护人" in after.split("证件与联系方式")[0]


def test_malformed_parameters_are_ignored_not_errors(client, carol, wuxing_child):
    client.force_login(carol)
    assert (
        client.get(
            reverse("children:detail", args=[wuxing_child.pk]), {"as_of": "2026-13-45"}
        ).status_code
        == 200
    )
    assert (
        client.get(
            reverse("children:list"), {"as_of": "nonsense", "grade": "x", "page": "-3"}
        ).status_code
        == 200
    )
    assert client.get(reverse("children:roster_template"), {"school": "abc"}).status_code == 200


def test_the_list_and_the_page_agree_as_of_a_day_over_a_child_with_a_real_history(
    client, alice, wuxing_school
):
    """Registered on 2023-01-21 (entered into the portal later, by a roster), guardian changed
    in 2025, left in 2026: the list as of each day and the child's page as of it agree."""
    from django.contrib.contenttypes.models import ContentType
    from django.utils import timezone

    from children.services import child_leave, child_update
    from huzhou_care.audit.models import ChangeRecord
    from huzhou_care.audit.services import ChangeSource, change_history

    from ..factories import ChildFactory

    child = ChildFactory(school=wuxing_school, registered_on=dt.date(2023, 1, 21))
    ChangeRecord.objects.create(
        content_type=ContentType.objects.get_for_model(child),
        object_id=child.pk,
        action="create",
        changes={"name": [None, child.name]},
        at=timezone.make_aware(dt.datetime(2024, 9, 3, 10)),  # the roster that brought her in
    )
    child_update(child=child, data={"guardian_name": "新监护人"}, source=ChangeSource(alice))
    change_history(child).filter(action="update").update(
        at=timezone.make_aware(dt.datetime(2025, 3, 1, 9))
    )
    child_leave(
        child=child,
        on=dt.date(2026, 6, 30),
        reason="turned_16",
        note="",
        source=ChangeSource(alice),
    )
    client.force_login(alice)

    def listed(day):
        page = client.get(reverse("children:list"), {"as_of": day}).context["page"]
        return child.pk in [c.pk for c in page.object_list]

    def shown(day):
        return client.get(reverse("children:detail", args=[child.pk]), {"as_of": day})

    for day, on_list, state, guardian in [
        ("2023-01-20", False, "not_yet", None),
        ("2023-01-21", True, "on_registry", "王秀英"),
        ("2024-06-01", True, "on_registry", "王秀英"),  # the day of the report
        ("2025-03-01", True, "on_registry", "新监护人"),
        ("2026-06-30", False, "left", "新监护人"),
    ]:
        response = shown(day)
        assert listed(day) is on_list, day
        assert response.context["as_of_state"] == state, day
        banner = response.content.decode().split('data-testid="as-of-banner">')[1]
        assert ("尚未登记" in banner) is (state == "not_yet"), day
        assert ("在册" in banner.split("</div>")[0]) is on_list, day
        if guardian:
            assert response.context["child"].guardian_name == guardian, day
            assert response.context["child"].status == ("active" if on_list else "left"), day
