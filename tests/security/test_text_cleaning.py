"""Text from every way in is cleaned of control, bidi and zero-width characters (issue 7
item 2): the core cleaner, the forms, the admin, the roster normalisers."""

import datetime as dt
from pathlib import Path

import pytest
from django import forms
from django.urls import reverse

from children.identity import resident_id_build
from children.models import Child
from children.roster import normalize as norm
from huzhou_care.orgs.models import School
from huzhou_care.text import CleanTextFormMixin, clean_name, clean_text

# Every C0 control but tab/LF/CR, DEL, two C1 controls, the bidi overrides and isolates.
HOSTILE = "\x00\x01\x07\x08\x0b\x0c\x1b\x1f\x7f\x85\x9f\u202a\u202b\u202c\u202d\u202e\u2066\u2069\u200e\u200f"
ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff\u00ad"


def test_clean_text_removes_controls_and_bidi_and_keeps_the_text():
    assert clean_text(f"湖州{HOSTILE}市") == "湖州市"
    assert clean_text("吴兴区\uffff\ufffe") == "吴兴区"


def test_tab_and_line_breaks_survive_only_where_a_field_allows_several_lines():
    assert (
        clean_text("第一行\r\n第二行\r第三行\t完", multiline=True) == "第一行\n第二行\n第三行\t完"
    )
    assert clean_text("第一行\r\n第二行\t完") == "第一行  第二行 完"


def test_names_also_lose_zero_width_characters():
    assert clean_name(f"王{ZERO_WIDTH}芳{HOSTILE}") == "王芳"
    # In free text a zero-width joiner may be part of an emoji: it is kept there.
    assert clean_text("好\u200d") == "好\u200d"


def test_plain_text_comes_back_as_the_same_object():
    text = "浙江省湖州市吴兴区织里镇"
    assert clean_text(text) is text and clean_name(text) is text


class _NoteForm(CleanTextFormMixin, forms.Form):
    name = forms.CharField()
    address = forms.CharField()
    notes = forms.CharField(widget=forms.Textarea)
    secret = forms.CharField(widget=forms.PasswordInput, strip=False)


def test_the_form_mixin_cleans_each_field_by_its_kind_and_leaves_passwords_alone():
    form = _NoteForm(
        {
            "name": f"王\u200b{HOSTILE}芳",
            "address": "织里镇\x00\t1号",
            "notes": "一\r\n二\x01",
            "secret": "pa\x01ss\u202e",
        }
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data == {
        "name": "王芳",
        "address": "织里镇 1号",
        "notes": "一\n二",
        "secret": "pa\x01ss\u202e",
    }


def test_the_register_form_stores_no_control_character(client, carol, wuxing_school):
    client.force_login(carol)
    id_number = resident_id_build("330502", dt.date(2015, 6, 1), 33)
    response = client.post(
        reverse("children:register"),
        {
            "name": "钱\u202e多\x00多",
            "id_number": f"{id_number}\x00",
            "ethnicity": "汉族\x01",
            "school": wuxing_school.pk,
            "township": wuxing_school.township_id,
            "grade": 5,
            "class_name": "2班\x1f",
            "current_address": "织里镇\x07大河村",
            "guardian_name": "王\u200b秀英",
            "left_behind_type": "both_away",
            "guardianship_type": "grandparent",
            "health": "healthy",
            "notes": "第一行\r\n第二行\x0b",
            "hukou_registered": "on",
        },
    )
    assert response.status_code == 302
    child = Child.objects.get(id_number=id_number)
    assert (child.name, child.ethnicity, child.class_name) == ("钱多多", "汉族", "2班")
    assert (child.current_address, child.guardian_name) == ("织里镇大河村", "王秀英")
    assert child.notes == "第一行\n第二行"


def _forms_modules():
    """Every forms.py of the apps and of the core (found on disk, so new apps are covered)."""
    from django.conf import settings

    root = Path(settings.BASE_DIR)
    for path in sorted(root.glob("*/forms.py")) + sorted(root.glob("huzhou_care/*/forms.py")):
        yield ".".join(path.relative_to(root).with_suffix("").parts)


def test_every_form_of_the_apps_cleans_its_text():
    """A convention: each Form class of the project has the cleaning mixin in its bases
    (``StyledFormMixin`` brings it)."""
    import importlib
    import inspect

    missing = []
    modules = list(_forms_modules())
    assert "children.forms" in modules and "huzhou_care.accounts.forms" in modules
    for module_name in modules:
        module = importlib.import_module(module_name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if (
                issubclass(cls, forms.BaseForm)
                and cls.__module__ == module_name
                and not issubclass(cls, CleanTextFormMixin)
            ):
                missing.append(f"{module_name}.{cls.__name__}")
    assert missing == []


@pytest.mark.django_db
def test_the_admin_change_form_cleans_text(client, city_admin, wuxing_school):
    client.force_login(city_admin)
    url = reverse("admin:orgs_school_change", args=[wuxing_school.pk])
    response = client.post(
        url,
        {
            "code": wuxing_school.code,
            "name": "织里镇\u202e中心\x00小学",
            "kind": wuxing_school.kind,
            "county": wuxing_school.county_id,
            "township": wuxing_school.township_id,
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert School.objects.get(pk=wuxing_school.pk).name == "织里镇中心小学"


def test_the_roster_normalisers_clean_every_text_cell():
    assert norm.parse_name(f"王\u200b {HOSTILE}芳") == "王芳"
    assert norm.parse_text("织里镇\x00大河村\x01 1号") == "织里镇大河村 1号"
    assert norm.cell_text("是\x00") == "是"
    assert norm.parse_phone("1381234\x005678") == "13812345678"
