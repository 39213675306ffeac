"""A search by ID number never puts the number in a URL or in the access log
(issue 7 item 7). The lookup itself is the selectors' business (and may change underneath)."""

import logging
import re

from django.urls import reverse

from huzhou_care.audit.models import AccessLog


def test_the_filter_form_posts_and_the_list_url_carries_a_search_id_only(
    client, alice, wuxing_child, caplog
):
    client.force_login(alice)
    page = client.get(reverse("children:list")).content.decode()
    assert 'method="post"' in page and reverse("children:search") in page

    caplog.set_level(logging.DEBUG)
    response = client.post(reverse("children:search"), {"q": wuxing_child.id_number, "grade": 3})
    assert response.status_code == 302
    url = response["Location"]
    assert wuxing_child.id_number not in url and "search=" in url and "grade=3" in url
    listing = client.get(url)
    assert [c.pk for c in listing.context["page"].object_list] == [wuxing_child.pk]
    log = AccessLog.objects.filter(action="search").latest("at")
    assert wuxing_child.id_number not in str(log.query)
    assert log.query["q"] == wuxing_child.id_number[:4] + "*" * 10 + wuxing_child.id_number[-4:]
    assert log.object_ids == [wuxing_child.pk]
    # Links on the page (pagination, export) keep the search id, never the number; the
    # search box shows the clerk what they typed.
    hrefs = re.findall(r'(?:href|action|hx-get)="([^"]*)"', listing.content.decode())
    assert hrefs and not any(wuxing_child.id_number in h for h in hrefs)


def test_a_name_search_stays_a_plain_link(client, alice, wuxing_child):
    client.force_login(alice)
    response = client.post(reverse("children:search"), {"q": "王小"})
    assert response["Location"].endswith("?q=%E7%8E%8B%E5%B0%8F")


def test_an_id_number_typed_into_the_url_is_moved_out_of_it(client, alice, wuxing_child):
    client.force_login(alice)
    response = client.get(reverse("children:list"), {"q": wuxing_child.id_number})
    assert response.status_code == 302 and wuxing_child.id_number not in response["Location"]


def test_with_htmx_the_table_is_swapped_and_the_clean_url_pushed(client, alice, wuxing_child):
    import json

    client.force_login(alice)
    response = client.post(
        reverse("children:search"), {"q": wuxing_child.id_number}, HTTP_HX_REQUEST="true"
    )
    location = json.loads(response["HX-Location"])
    assert location["target"] == "#registry-table"
    assert wuxing_child.id_number not in location["path"]


def test_a_search_id_of_another_session_finds_nothing(client, alice, bob, wuxing_child):
    client.force_login(alice)
    url = client.post(reverse("children:search"), {"q": wuxing_child.id_number})["Location"]
    client.logout()
    client.force_login(alice)  # a new session: the search id is not in it
    listing = client.get(url)
    assert listing.status_code == 200
    assert wuxing_child.pk in [c.pk for c in listing.context["page"].object_list]  # no filter


def test_the_export_of_a_search_by_id_number_logs_it_masked(client, alice, wuxing_child):
    client.force_login(alice)
    url = client.post(reverse("children:search"), {"q": wuxing_child.id_number})["Location"]
    query = url.split("?", 1)[1]
    response = client.post(reverse("children:export") + "?" + query, {"layout": "list"})
    assert response.status_code == 200
    log = AccessLog.objects.get(action="export")
    assert wuxing_child.id_number not in str(log.query) and log.row_count == 1
