"""Lines of ../shared/design/SECURITY.md that had no test of their own yet (docs/security.md
maps every line to its test): the password policy, no open redirect through ``next``, and
generic error pages."""

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.shortcuts import resolve_url
from django.urls import reverse

from huzhou_care.accounts.models import User

PASSWORD = "portal-test-Pass-2026"


@pytest.mark.parametrize(
    "password",
    ["Ab3$xyz", "password123", "12345678901234", "alice-huzhou"],
    ids=["too-short", "common", "all-digits", "like-the-username"],
)
def test_weak_passwords_are_refused(password):
    user = User(username="alice-huzhou", full_name="艾丽")
    with pytest.raises(ValidationError):
        validate_password(password, user)


def test_a_long_passphrase_is_accepted():
    validate_password("湖州-留守儿童-关爱-2026", User(username="alice", full_name="艾丽"))


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:x"]
)
def test_next_cannot_send_a_signed_in_user_to_another_site(client, alice, target):
    response = client.post(
        reverse("accounts:login") + "?next=" + target,
        {"username": "alice", "password": PASSWORD, "next": target},
    )
    assert response.status_code == 302
    assert response["Location"] == resolve_url(settings.LOGIN_REDIRECT_URL) == "/"


def test_next_within_the_portal_is_followed(client, alice):
    response = client.post(
        reverse("accounts:login"),
        {"username": "alice", "password": PASSWORD, "next": "/children/"},
    )
    assert response["Location"] == "/children/"


def test_a_missing_page_is_a_generic_chinese_page_without_details(client, alice, settings):
    settings.DEBUG = False
    client.force_login(alice)
    response = client.get("/children/999999999/")
    assert response.status_code == 404
    text = response.content.decode()
    assert "Traceback" not in text and "children.models" not in text
    assert "Page not found" not in text
    assert "页面" in text or "找不到" in text or "不存在" in text
