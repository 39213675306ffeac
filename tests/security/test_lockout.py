"""Lockout behind a proxy locks only the attacker's address; a lockout is not extended by
attempts made during it; old-password guesses count like logins; Chinese messages
(issue 7 items 5 and 9)."""

import datetime as dt
import json
import os
import subprocess
import sys

import pytest
from axes.models import AccessAttempt
from django.db.models import F
from django.urls import reverse

from huzhou_care.audit.models import AccessLog

PASSWORD = "portal-test-Pass-2026"
PROXY = "10.0.0.2"
ATTACKER = "203.0.113.7"
ALICE_AT = "198.51.100.9"


def _settings_under(env: dict) -> dict:
    """The AXES_IPWARE_* values settings.py derives from these environment variables."""
    code = (
        "import json, huzhou_care.settings as s; print(json.dumps({k: getattr(s, k) for k in "
        "dir(s) if k.startswith('AXES_IPWARE_')}))"
    )
    clean = {
        k: v for k, v in os.environ.items() if k not in ("DJANGO_BEHIND_PROXY", "AXES_PROXY_COUNT")
    }
    out = subprocess.run(
        [sys.executable, "-c", code],
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout)


@pytest.fixture
def behind_one_proxy(settings):
    for key, value in _settings_under(
        {"DJANGO_BEHIND_PROXY": "1", "AXES_PROXY_COUNT": "1"}
    ).items():
        setattr(settings, key, value)


def _login(client, password, forwarded_for, username="alice"):
    return client.post(
        reverse("accounts:login"),
        {"username": username, "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=forwarded_for,
    )


def test_behind_a_proxy_only_the_attackers_address_is_locked(
    client, alice, settings, behind_one_proxy
):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "wrong", ATTACKER)
    assert _login(client, PASSWORD, ATTACKER).status_code == 429
    # A client sending its own X-Forwarded-For claims Alice's address: not believed.
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "wrong", f"{ALICE_AT}, {ATTACKER}")
    assert _login(client, PASSWORD, ALICE_AT).status_code == 302
    assert {a.ip_address for a in AccessAttempt.objects.all()} == {ATTACKER, PROXY}

    # The access log records the same client address as the lockout.
    client.get(reverse("children:list"), REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=ALICE_AT)
    assert AccessLog.objects.filter(user=alice).latest("at").ip == ALICE_AT


def test_directly_exposed_a_forwarded_header_is_ignored(client, alice, settings):
    assert _settings_under({})["AXES_IPWARE_META_PRECEDENCE_ORDER"] == ["REMOTE_ADDR"]
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "wrong", ATTACKER)
    assert _login(client, PASSWORD, ALICE_AT).status_code == 429  # same REMOTE_ADDR


def _age_attempts(minutes: int) -> None:
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - dt.timedelta(minutes=minutes))


def test_attempts_during_a_lockout_do_not_extend_it(client, alice, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "wrong", ATTACKER)
    _age_attempts(14)
    locked = _login(client, PASSWORD, ATTACKER)  # one request every 14 minutes...
    assert locked.status_code == 429
    page = locked.content.decode()
    assert "15 分钟" in page and "PT15M" not in page
    _age_attempts(2)  # ...does not keep the account locked past the 15 minutes
    assert _login(client, PASSWORD, ATTACKER).status_code == 302


def _change(client, old, new="Huzhou-New-Pass-2026"):
    return client.post(
        reverse("accounts:password_change"),
        {"old_password": old, "new_password1": new, "new_password2": new},
        REMOTE_ADDR="10.0.0.7",
    )


def test_old_password_guesses_on_the_change_form_count_like_logins(client, alice, settings):
    client.force_login(alice)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        refused = _change(client, "guess")
        assert refused.status_code == 200 and "旧密码不正确" in refused.content.decode()
    assert _change(client, "guess").status_code == 429
    assert _change(client, PASSWORD).status_code == 429  # locked: even the right one
    client.logout()
    again = client.post(
        reverse("accounts:login"),
        {"username": "alice", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.7",
    )
    assert again.status_code == 429
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)


def test_a_too_short_new_password_is_refused_in_chinese(client, alice):
    client.force_login(alice)
    page = _change(client, PASSWORD, new="Hz-2026").content.decode()
    assert "密码太短，至少需要 10 个字符" in page and "too short" not in page
