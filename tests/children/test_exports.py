import io

from django.urls import reverse
from openpyxl import load_workbook

from huzhou_care.audit.models import AccessLog
from huzhou_care.spreadsheets import safe_cell

from ..factories import ChildFactory


def _cells(response):
    data = b"".join(response.streaming_content)
    sheet = load_workbook(io.BytesIO(data), read_only=True).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_the_export_is_scoped_masked_and_logged(client, alice, wuxing_child, changxing_child):
    client.force_login(alice)
    response = client.post(reverse("children:export"), {"layout": "list"})
    rows = _cells(response)
    header, data = rows[0], rows[1:]
    assert len(data) == 1
    row = dict(zip(header, data[0], strict=True))
    assert row["姓名"] == wuxing_child.name
    assert row["身份证号"] == wuxing_child.id_number[:4] + "*" * 10 + wuxing_child.id_number[-4:]
    assert row["监护人电话"] == "138****5678"
    log = AccessLog.objects.get(action="export")
    assert (log.user, log.row_count, log.query["full"]) == (alice, 1, False)


def test_full_identifiers_need_a_stated_reason(client, alice, wuxing_child):
    client.force_login(alice)
    refused = client.post(reverse("children:export"), {"layout": "list", "full": "on"})
    assert refused.status_code == 200 and "请说明用途" in refused.content.decode()
    assert not AccessLog.objects.filter(action="export").exists()
    response = client.post(
        reverse("children:export"),
        {"layout": "list", "full": "on", "reason": "报送省平安建设信息系统"},
    )
    row = _cells(response)[1]
    assert wuxing_child.id_number in row
    assert AccessLog.objects.get(action="export").query["reason"] == "报送省平安建设信息系统"


def test_the_export_follows_the_list_filters(client, alice, wuxing_school):
    ChildFactory(school=wuxing_school, grade=3)
    ChildFactory(school=wuxing_school, grade=5)
    client.force_login(alice)
    rows = _cells(client.post(reverse("children:export") + "?grade=5", {"layout": "list"}))
    assert len(rows) == 2 and rows[1][9] == "五年级"


def test_cells_that_look_like_formulas_are_neutralised(client, alice, wuxing_school):
    ChildFactory(
        school=wuxing_school,
        name='=HYPERLINK("http://evil")',
        notes="+1+2",
        guardian_name="@SUM(A1)",
    )
    client.force_login(alice)
    header, row = _cells(client.post(reverse("children:export"), {"layout": "list"}))
    values = dict(zip(header, row, strict=True))
    assert values["姓名"] == '\'=HYPERLINK("http://evil")'
    assert values["备注"] == "'+1+2" and values["监护人姓名"] == "'@SUM(A1)"
    for trigger in ("=", "+", "-", "@", "\t", "\r"):
        assert safe_cell(trigger + "x") == "'" + trigger + "x"


def test_the_national_form_layout_has_its_title_and_columns(client, alice, wuxing_child):
    client.force_login(alice)
    rows = _cells(client.post(reverse("children:export"), {"layout": "national"}))
    assert rows[0][0] == "农村留守儿童基本情况登记表"
    header = rows[2]
    assert header[:6] == ["序号", "姓名", "性别", "民族", "出生日期", "公民身份证号码"]
    assert "监护类型" in header and "父母双方同时外出" in header
    first = dict(zip(header, rows[3], strict=False))
    assert (
        first["序号"] == 1
        and first["父母双方同时外出"] == "是"
        and first["监护类型"] == "监护情况较好"
    )


def test_the_list_page_puts_its_filters_on_the_export_link_it_swaps(client, alice, wuxing_school):
    ChildFactory(school=wuxing_school, grade=5)
    client.force_login(alice)
    url = reverse("children:list") + f"?school={wuxing_school.pk}&flags=unguarded&flags=low_income"
    swapped = client.get(url + "&page=2", headers={"HX-Request": "true"})
    body = swapped.content.decode()
    assert 'data-testid="export-link"' in body  # inside the part htmx replaces
    assert (
        f"/children/export/?school={wuxing_school.pk}&amp;flags=unguarded&amp;flags=low_income"
        in body
    )
    assert "page=" not in body.split('data-testid="export-link"')[0].rsplit("href=", 1)[1]


def test_the_export_page_names_the_filters_that_apply(client, alice, wuxing_school):
    ChildFactory(school=wuxing_school, grade=5, name="王小明")
    ChildFactory(school=wuxing_school, grade=3)
    client.force_login(alice)
    response = client.get(reverse("children:export") + f"?school={wuxing_school.pk}&q=王小&grade=5")
    assert response.context["count"] == 1
    assert response.context["filters"] == [
        "姓名或身份证号：王小",
        "状态：在册",
        f"学校：{wuxing_school.name}",
        "年级：五年级",
    ]


def test_an_export_with_a_filter_outside_the_scope_is_refused_not_widened(
    client, alice, wuxing_child, changxing_school
):
    client.force_login(alice)
    url = reverse("children:export") + f"?school={changxing_school.pk}"
    response = client.post(url, {"layout": "list"})
    assert response.status_code == 302 and response["Location"] == reverse("children:list")
    assert not AccessLog.objects.filter(action="export").exists()
