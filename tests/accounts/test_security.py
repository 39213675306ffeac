"""The security baseline of SECURITY.md, each line a test that can fail."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.urls import reverse

from huzhou_care.accounts.middleware import SESSION_STARTED_KEY
from huzhou_care.crypto.devkeys import new_blind_index_key, new_field_key

ROOT = Path(settings.BASE_DIR)


def test_passwords_are_hashed_with_argon2_in_production_settings(settings):
    # The autouse fixture swaps the hasher for speed; the configured first hasher is Argon2.
    from huzhou_care import settings as project_settings

    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS
    assert make_password("portal-test-Pass-2026").startswith("argon2$argon2id$")


def _post_login(client, username, password):
    return client.post(
        reverse("accounts:login"),
        {"username": username, "password": password},
        REMOTE_ADDR="10.0.0.7",
    )


def test_login_through_the_form_lands_on_the_home_page(client, alice):
    response = _post_login(client, "alice", "portal-test-Pass-2026")
    assert response.status_code == 302
    assert response["Location"] == reverse("campaign:home")


def test_a_wrong_password_gives_a_chinese_error(client, alice):
    response = _post_login(client, "alice", "wrong")
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.content.decode()


def test_repeated_failures_lock_the_username_on_that_ip_with_a_cool_off(client, alice, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _post_login(client, "alice", "wrong")
    locked = _post_login(client, "alice", "portal-test-Pass-2026")
    assert locked.status_code == 429
    assert "登录失败次数过多" in locked.content.decode()
    # Another IP is not locked out for the same username: the lock is per (username, IP).
    other = client.post(
        reverse("accounts:login"),
        {"username": "alice", "password": "portal-test-Pass-2026"},
        REMOTE_ADDR="10.0.0.8",
    )
    assert other.status_code == 302
    assert settings.AXES_COOLOFF_TIME.total_seconds() > 0


def test_a_successful_login_resets_the_failure_count(client, alice, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _post_login(client, "alice", "wrong")
    assert _post_login(client, "alice", "portal-test-Pass-2026").status_code == 302
    client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _post_login(client, "alice", "wrong")
    assert _post_login(client, "alice", "portal-test-Pass-2026").status_code == 302


def test_login_gives_a_new_session_key_and_logout_ends_the_session(client, alice):
    client.get(reverse("accounts:login"))
    client.session.save()
    before = client.session.session_key
    _post_login(client, "alice", "portal-test-Pass-2026")
    after = client.session.session_key
    assert after and after != before
    client.post(reverse("accounts:logout"))
    assert client.get(reverse("campaign:home")).status_code == 302


def test_logout_by_get_is_refused(client, alice):
    client.force_login(alice)
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert client.get(reverse("campaign:home")).status_code == 200


def test_sessions_expire_after_30_idle_minutes(client, alice):
    import datetime as dt

    from django.contrib.sessions.models import Session
    from django.utils import timezone

    assert settings.SESSION_COOKIE_AGE == 30 * 60
    client.force_login(alice)
    client.get(reverse("campaign:home"))
    session = Session.objects.get(session_key=client.session.session_key)
    # Each request renews the session for 30 minutes...
    assert session.expire_date - timezone.now() > dt.timedelta(minutes=29)
    # ...and 31 idle minutes later it is gone: the next request goes to the login page.
    Session.objects.filter(pk=session.pk).update(
        expire_date=timezone.now() - dt.timedelta(minutes=1)
    )
    response = client.get(reverse("campaign:home"))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_a_session_older_than_the_absolute_limit_is_ended(client, alice):
    client.force_login(alice)
    assert client.get(reverse("campaign:home")).status_code == 200
    session = client.session
    session[SESSION_STARTED_KEY] = int(time.time()) - settings.SESSION_ABSOLUTE_SECONDS - 1
    session.save()
    response = client.get(reverse("campaign:home"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_signed_in_pages_are_not_cached_and_carry_security_headers(client, alice):
    client.force_login(alice)
    response = client.get(reverse("campaign:home"))
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp


def test_no_template_contains_an_inline_script_or_style():
    offenders = []
    for path in (ROOT / "templates").rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        if (
            "<script>" in text
            or "<script type" in text
            or "<style" in text
            or ' style="' in text
            or " onclick=" in text
        ):
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_django_admin_is_for_city_admins_only(client, alice, city_admin):
    client.force_login(alice)
    assert client.get("/admin/").status_code == 302  # to the admin login: not for her
    client.force_login(city_admin)
    assert client.get("/admin/").status_code == 200


def test_check_deploy_is_clean_under_production_variables():
    env = {
        **os.environ,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "x" * 20 + "-a-long-random-production-secret-" + "y" * 20,
        "DJANGO_ALLOWED_HOSTS": "care.huzhou.gov.cn",
        "DJANGO_SETTINGS_MODULE": "huzhou_care.settings",
        "DJANGO_FIELD_KEYS": new_field_key("k1"),
        "DJANGO_BLIND_INDEX_KEY": new_blind_index_key(),
    }
    env.pop("DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_settings_refuse_to_start_without_a_secret_key():
    env = {**os.environ, "DJANGO_DEBUG": "0", "DJANGO_ALLOWED_HOSTS": "x.example"}
    env.pop("DJANGO_SECRET_KEY", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


@pytest.mark.parametrize("username", ["alice"])
def test_the_login_page_is_in_chinese(client, username):
    body = client.get(reverse("accounts:login")).content.decode()
    assert "登录工作平台" in body and "用户名" in body and "密码" in body
