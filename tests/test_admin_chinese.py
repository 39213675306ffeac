"""The admin site is Chinese throughout: django-axes' models and fields included, the access
log with labels instead of raw codes, and the portal's favicon."""

import re

from huzhou_care.audit.models import AccessLog

AXES_PAGES = [
    "/admin/axes/accessattempt/",
    "/admin/axes/accesslog/",
    "/admin/axes/accessfailurelog/",
]


def _text(response) -> str:
    """The visible text of the page's main content (tags, scripts and attributes removed)."""
    body = response.content.decode()
    body = body.split('id="content"', 1)[-1]
    return re.sub(r"<[^>]+>", " ", body)


def test_the_admin_index_names_django_axes_and_its_models_in_chinese(client, city_admin):
    client.force_login(city_admin)
    response = client.get("/admin/")
    text = _text(response)
    assert (
        "登录保护" in text and "登录尝试" in text and "登录日志" in text and "登录失败记录" in text
    )
    assert not re.search(r"\bAxes\b|Access attempts|Access logs|Access failures", text)
    assert 'rel="icon" href="/static/img/favicon.svg"' in response.content.decode()


def test_axes_pages_show_chinese_column_names(client, city_admin):
    from axes.models import AccessAttempt, AccessFailureLog
    from axes.models import AccessLog as AxesAccessLog

    request = {"user_agent": "Chrome", "ip_address": "127.0.0.1", "username": "alice"}
    request |= {"http_accept": "*/*", "path_info": "/accounts/login/"}
    AccessAttempt.objects.create(**request, get_data="", post_data="", failures_since_start=2)
    AxesAccessLog.objects.create(**request)
    AccessFailureLog.objects.create(**request, locked_out=False)
    client.force_login(city_admin)
    for url in AXES_PAGES:
        response = client.get(url)
        assert response.status_code == 200, url
        text = _text(response)
        assert "IP 地址" in text and "用户名" in text, url
        english = re.findall(
            r"\b(?:Attempt Time|IP Address|User Agent|Username|Path|Logout Time)\b", text
        )
        assert english == [], url


def test_the_access_log_shows_role_and_object_labels_not_codes(client, city_admin, alice):
    AccessLog.objects.create(
        user=alice, role=alice.role, action="view", object_type="children.child"
    )
    client.force_login(city_admin)
    response = client.get("/admin/audit/accesslog/")
    text = _text(response)
    assert "区县团委工作人员" in text and "留守儿童" in text
    assert "district_staff" not in text and "children.child" not in text
    # The filters offer the same labels; choosing one filters by the code.
    filtered = client.get("/admin/audit/accesslog/", {"role": "district_staff"})
    assert filtered.context["cl"].result_count == 1
    assert (
        client.get("/admin/audit/accesslog/", {"role": "school_staff"}).context["cl"].result_count
        == 0
    )
