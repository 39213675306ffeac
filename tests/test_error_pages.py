"""404, 403 and 500 are Chinese pages in the portal's layout; the 404 also with DEBUG on
(records outside a user's scope answer 404, so a clerk on `make run` meets it often)."""

import pytest
from django.test import RequestFactory
from django.urls import get_resolver, reverse


@pytest.mark.parametrize("debug", [True, False])
def test_an_unknown_address_gets_the_portals_chinese_404(client, settings, alice, debug):
    settings.DEBUG = debug
    client.force_login(alice)
    response = client.get("/no-such-page/")
    body = response.content.decode()
    assert response.status_code == 404
    assert "未找到该页面" in body and 'data-testid="user-menu"' in body  # the layout, signed in
    assert "Page not found" not in body and "URLconf" not in body
    if not debug:  # django-csp leaves DEBUG 404s alone (it expects Django's technical page)
        assert "script-src 'self'" in response["Content-Security-Policy"]


@pytest.mark.parametrize("debug", [True, False])
def test_a_child_outside_the_scope_gets_the_same_page(client, settings, bob, wuxing_child, debug):
    settings.DEBUG = debug
    client.force_login(bob)
    response = client.get(reverse("children:detail", args=[wuxing_child.pk]))
    assert response.status_code == 404
    assert "不在您的工作范围内" in response.content.decode()
    assert wuxing_child.name not in response.content.decode()


def test_403_and_500_are_chinese_pages_in_the_layout(db, alice):
    resolver = get_resolver()
    request = RequestFactory().get("/")
    request.user = alice
    forbidden = resolver.resolve_error_handler(403)(request, exception=None)
    assert forbidden.status_code == 403 and "无权访问" in forbidden.content.decode()
    assert "navbar" in forbidden.content.decode()
    error = resolver.resolve_error_handler(500)(request)
    body = error.content.decode()
    assert error.status_code == 500 and "系统暂时出现错误" in body
    assert "navbar" in body and "bootstrap.min.css" in body  # the layout, without a request
    assert "user-menu" not in body  # rendered without context: no user details
