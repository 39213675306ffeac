"""Every variable settings.py reads is documented in .env.example, and the documented e-mail
URL means what its comment says."""

import re
from pathlib import Path

import environ
from django.conf import settings

ROOT = Path(settings.BASE_DIR)


def test_every_environment_variable_is_in_env_example():
    read = set(
        re.findall(
            r'env(?:\.\w+)?\(\s*"([A-Z][A-Z0-9_]+)"',
            (ROOT / "huzhou_care/settings.py").read_text(encoding="utf-8"),
        )
    )
    documented = set(
        re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", (ROOT / ".env.example").read_text(), re.M)
    )
    assert {"EMAIL_URL", "EMAIL_HOST", "CELERY_TIME_LIMIT", "PORTAL_BASE_URL"} <= read
    assert read - documented == set()


def test_the_documented_email_url_is_smtp_with_starttls():
    line = next(
        x for x in (ROOT / ".env.example").read_text().splitlines() if x.startswith("EMAIL_URL=")
    )
    config = environ.Env.email_url_config(line.split("=", 1)[1])
    assert config["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert (config["EMAIL_HOST"], config["EMAIL_PORT"]) == ("smtp.huzhou.example.gov.cn", 587)
    assert config["EMAIL_HOST_USER"] == "noreply@care.huzhou.example.gov.cn"
    assert config["EMAIL_USE_TLS"] is True


def test_development_mail_goes_to_the_console_and_beat_runs_the_reminders():
    import subprocess
    import sys

    code = (
        "import django, os; django.setup(); from django.conf import settings as s; "
        "print(s.EMAIL_BACKEND); print(s.CELERY_BEAT_SCHEDULE['daily-reminders']['task'])"
    )
    env = {"DJANGO_SETTINGS_MODULE": "huzhou_care.settings", "PATH": "/usr/bin:/bin"}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == ["django.core.mail.backends.console.EmailBackend", "notify.send_reminders"]
