import datetime as dt

import pytest
from django.urls import reverse


@pytest.mark.parametrize(
    "persona", ["city_admin", "city_officer", "alice", "bob", "carol", "dave", "olga", "erin"]
)
def test_every_role_sees_its_home_page_in_chinese(client, personas, persona):
    user = personas[persona]
    client.force_login(user)
    response = client.get(reverse("campaign:home"))
    assert response.status_code == 200
    body = response.content.decode()
    assert f"您好，{user}" in body
    assert user.get_role_display() in body
    assert user.scope_label in body


def test_district_home_counts_only_its_own_children(client, alice, wuxing_child, changxing_child):
    client.force_login(alice)
    response = client.get(reverse("campaign:home"))
    assert response.context["summary"]["children"]["total"] == 1


def test_city_officer_sees_county_aggregates_with_small_counts_hidden(
    client, city_officer, wuxing_child
):
    client.force_login(city_officer)
    response = client.get(reverse("campaign:home"))
    summary = response.context["summary"]
    assert "children" not in summary
    wuxing_row = next(r for r in summary["by_county"] if r["county"].name == "吴兴区")
    assert wuxing_row["children"] is None  # 1 child: under the threshold of 5
    assert "&lt;5" in response.content.decode()


def test_the_menu_marks_only_the_most_specific_entry_active(client, carol):
    client.force_login(carol)
    items = client.get(reverse("children:roster_upload")).context["nav_items"]
    assert [i["label"] for i in items if i["active"]] == ["名册上传"]
    labels = [i["label"] for i in items]
    assert labels == [
        "首页",
        "儿童信息库",
        "预警名单",
        "名册上传",
        "转学申请",
        "志愿服务队",
        "志愿者",
        "志愿者文件上传",
        # pairing/navigation.py
        "我的结对",
        "结对管理",
        "单位结对",
        "走访覆盖",
        "逾期未走访",
        "家校反馈",
        "行动进度",
        "阶段报送",
        "试点申报",
        "总结展示",
        # campaign/programmes/navigation.py
        "关爱阵地",
        "关爱活动",
        "微心愿",
        "资助与一人一案",
    ]


def test_roles_without_child_records_see_no_registry_in_the_menu(client, city_officer):
    client.force_login(city_officer)
    items = client.get(reverse("campaign:home")).context["nav_items"]
    labels = [i["label"] for i in items]
    assert not {"儿童信息库", "预警名单", "名册上传", "转学申请"} & set(labels)
    assert labels == [
        "首页",
        "志愿服务队",
        "走访覆盖",
        "行动进度",
        "阶段报送",
        "完成率",
        "试点申报",
        "总结展示",
        "考评看板",  # the city dashboard (campaign/evaluation/)
        "考评",
        "关爱阵地",
        "关爱活动",
    ]


def test_the_home_page_is_a_fixed_number_of_queries(client, alice, wuxing_school):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from ..factories import ChildFactory

    client.force_login(alice)
    counts = []
    for batch in (1, 30):
        ChildFactory.create_batch(batch, school=wuxing_school, guardianship_type="none")
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("campaign:home"))
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 15
    assert response.context["summary"]["children"]["unguarded"] == 31


def test_the_city_admins_total_is_the_sum_of_the_counties(
    client, city_admin, wuxing_child, changxing_child
):
    client.force_login(city_admin)
    assert client.get(reverse("campaign:home")).context["summary"]["children"]["total"] == 2


@pytest.mark.parametrize("persona", ["city_admin", "alice", "carol"])
def test_each_home_card_links_to_the_list_it_counts(client, personas, persona, wuxing_school):
    from ..factories import ChildFactory

    ChildFactory.create_batch(2, school=wuxing_school, guardianship_type="none", guardian_name="")
    ChildFactory(school=wuxing_school, guardianship_assessment="poor")
    ChildFactory(school=wuxing_school, health="disabled", disability_category="视力残疾")
    ChildFactory(school=wuxing_school, health="ill")
    ChildFactory(school=wuxing_school, low_income=True)
    ChildFactory(
        school=wuxing_school, status="left", left_on=dt.date(2026, 10, 1), leave_reason="other"
    )
    client.force_login(personas[persona])
    cards = client.get(reverse("campaign:home")).context["child_cards"]
    assert [c["key"] for c in cards] == [
        "total", "unguarded", "poor_guardianship", "disabled_or_ill", "low_income"
    ]  # fmt: skip
    home = client.get(reverse("campaign:home")).content.decode()
    for card in cards:
        url = reverse("children:list") + (f"?{card['query']}" if card["query"] else "")
        assert f'href="{url}" data-testid="card-{card["key"]}"' in home
        listed = client.get(url).context["page"].paginator.count
        assert listed == card["count"] > 0, card["key"]
    assert {c["key"]: c["count"] for c in cards}["disabled_or_ill"] == 2


def test_only_the_city_officers_home_says_city_bodies_see_aggregates(
    client, city_admin, city_officer
):
    client.force_login(city_officer)
    assert "市级部门仅查看汇总数据" in client.get(reverse("campaign:home")).content.decode()
    client.force_login(city_admin)
    body = client.get(reverse("campaign:home")).content.decode()
    assert "市级部门仅查看汇总数据" not in body and "少于 5 人的数字不予显示" in body


def test_the_menu_bar_groups_each_apps_entries_under_one_drop_down(client, city_admin, erin):
    """A city role sees some twenty entries: grouped, they fit one line; a group the role sees
    one entry of stays a plain link."""
    client.force_login(city_admin)
    response = client.get(reverse("children:risk"))
    groups = response.context["nav_groups"]
    menus = [g["label"] for g in groups if g["menu"]]
    assert menus == ["儿童信息", "志愿服务", "心手相连", "行动推进", "考评", "关爱项目"]
    assert len(groups) <= 8
    (registry,) = [g for g in groups if g["label"] == "儿童信息"]
    assert registry["active"] and [i["label"] for i in registry["items"] if i["active"]] == [
        "预警名单"
    ]
    html = response.content.decode()
    assert html.count('data-bs-toggle="dropdown"') == len(menus) + 1  # + the user menu
    # Every entry is still a link in the page (keyboard and screen readers reach it).
    for item in response.context["nav_items"]:
        assert f'href="{item["url"]}"' in html
    client.force_login(erin)  # a volunteer: a handful of entries, no group of one
    assert all(
        g["menu"] == (len(g["items"]) > 1)
        for g in client.get(reverse("campaign:home")).context["nav_groups"]
    )
