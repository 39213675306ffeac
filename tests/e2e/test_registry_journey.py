"""The registry in a real browser: filtering in place (htmx) and exporting what is shown."""

import re

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from ..factories import ChildFactory, SchoolFactory
from .conftest import login

PASSWORD = "portal-test-Pass-2026"  # tests/factories.py UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_export_after_an_htmx_filter_exports_only_the_filtered_list(
    page, live_server, alice, wuxing, wuxing_school, page_problems, tmp_path
):
    other = SchoolFactory(county=wuxing, name="八里店镇中心小学")
    ChildFactory.create_batch(3, school=wuxing_school)
    ChildFactory.create_batch(4, school=other)
    login(page, live_server, "alice", PASSWORD)
    page.goto(live_server.url + "/children/")
    expect(page.get_by_test_id("result-count")).to_contain_text("共 7 名儿童")

    # Choosing a school filters in place (htmx swaps the table; the page is not reloaded).
    page.get_by_label("学校", exact=True).select_option(label=other.name)
    expect(page.get_by_test_id("result-count")).to_contain_text("共 4 名儿童")
    expect(page).to_have_url(re.compile(r"school="))

    page.get_by_role("link", name="导出").click()
    expect(page.get_by_role("heading", name="导出名单")).to_be_visible()
    expect(page.get_by_test_id("export-count")).to_have_text("4")
    expect(page.get_by_test_id("export-filters")).to_contain_text(f"学校：{other.name}")

    with page.expect_download() as download:
        page.get_by_role("button", name="导出 Excel").click()
    path = tmp_path / "export.xlsx"
    download.value.save_as(path)
    sheet = load_workbook(path, read_only=True).active
    header = next(sheet.iter_rows(max_row=1, values_only=True))
    column = header.index("学校")
    rows = [r for r in sheet.iter_rows(min_row=2, values_only=True) if any(r)]
    assert len(rows) == 4
    assert {r[column] for r in rows} == {other.name}

    # A name search typed and submitted in place is carried to the export too.
    page.goto(live_server.url + "/children/")
    name = ChildFactory._meta.model.objects.filter(school=wuxing_school).first().name
    page.get_by_label("姓名或身份证号").fill(name)
    page.get_by_role("button", name="查询").click()
    expect(page).to_have_url(re.compile(r"q="))
    page.get_by_role("link", name="导出").click()
    expect(page.get_by_test_id("export-filters")).to_contain_text(f"姓名或身份证号：{name}")
    count = int(page.get_by_test_id("export-count").inner_text())
    assert count == ChildFactory._meta.model.objects.filter(name=name).count() < 7
    assert page_problems == []


def test_on_a_phone_the_list_is_cards_with_tags_in_sight_and_the_filters_fold(
    browser, live_server, carol, wuxing_school, page_problems, artifacts_dir
):
    ChildFactory.create_batch(3, school=wuxing_school)
    ChildFactory(school=wuxing_school, name="张无监", guardianship_type="none", guardian_name="",
                 low_income=True)  # fmt: skip
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 375, "height": 740}, base_url=live_server.url,
        is_mobile=True, has_touch=True,
    )  # fmt: skip
    phone = context.new_page()
    phone.on("pageerror", lambda exc: page_problems.append(f"uncaught: {exc}"))
    phone.on("console", lambda m: m.type == "error" and page_problems.append(m.text))
    try:
        login(phone, live_server, "carol", PASSWORD)
        phone.goto(live_server.url + "/children/")
        expect(phone.get_by_test_id("filters")).to_be_hidden()
        expect(phone.get_by_test_id("children-table")).to_be_hidden()
        card = phone.get_by_test_id("children-cards").locator("li", has_text="张无监")
        expect(card).to_be_visible()
        for tag in ("无人监护", "低保"):
            expect(card.get_by_text(tag, exact=True)).to_be_in_viewport()
        # Nothing scrolls sideways.
        assert phone.evaluate("document.documentElement.scrollWidth") <= 375
        phone.screenshot(path=str(artifacts_dir / "registry-phone-375.png"), full_page=True)

        phone.get_by_test_id("filters-toggle").click()
        filters = phone.get_by_test_id("filters")
        expect(filters).to_be_visible()
        expect(filters).to_have_class(re.compile(r"(^|\s)show(\s|$)"))  # unfolded, not moving
        phone.get_by_label("姓名或身份证号").fill("张无监")
        expect(phone.get_by_label("姓名或身份证号")).to_have_value("张无监")
        phone.get_by_role("button", name="查询").click()
        expect(phone).to_have_url(re.compile(r"q=%E5%BC%A0"))
        expect(phone.get_by_test_id("result-count")).to_contain_text("共 1 名儿童")
    finally:
        context.close()
    assert page_problems == []


def test_on_a_desktop_the_list_is_the_table_with_the_filters_open(
    page, live_server, carol, wuxing_school, page_problems
):
    ChildFactory(school=wuxing_school)
    login(page, live_server, "carol", PASSWORD)
    page.goto(live_server.url + "/children/")
    expect(page.get_by_test_id("filters")).to_be_visible()
    expect(page.get_by_test_id("filters-toggle")).to_be_hidden()
    expect(page.get_by_test_id("children-table")).to_be_visible()
    expect(page.get_by_test_id("children-cards")).to_be_hidden()
    assert page_problems == []
