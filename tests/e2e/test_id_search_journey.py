"""Searching by ID number in a real browser: the table updates in place and the address bar
(and so the history and the server's request log) never holds the number (issue 7 item 7)."""

import re

import pytest
from playwright.sync_api import expect

from .conftest import login

PASSWORD = "portal-test-Pass-2026"

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_search_by_id_number_keeps_the_number_out_of_every_url(
    page, live_server, alice, wuxing_child, changxing_child, page_problems
):
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    login(page, live_server, "alice", PASSWORD)
    page.goto(live_server.url + "/children/")
    page.get_by_label("姓名或身份证号").fill(wuxing_child.id_number)
    page.get_by_role("button", name="查询").click()
    expect(page.get_by_test_id("result-count")).to_contain_text("共 1 名儿童")
    expect(page).to_have_url(re.compile(r".*/children/\?.*search=[\w-]+.*"))
    assert wuxing_child.id_number not in page.url
    assert not any(wuxing_child.id_number in url for url in requested)
    assert page_problems == []
