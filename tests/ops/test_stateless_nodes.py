"""Stateless web nodes: two gunicorn processes on different ports, one client alternating
between them, two Celery workers, uploads in S3 (moto's server). Sessions live in Redis, the
data in PostgreSQL, uploads in the bucket, static files are collected and served by each
node's WhiteNoise: signing in on one node and going on on the other just works, and a roster
uploaded through one node is checked by whichever worker takes it and confirmed on the other.
CI's PostgreSQL + Redis phase (skipped on SQLite)."""

import os
import re
import subprocess
import time

import boto3
import pytest
import redis
import requests
from django.contrib.sessions.models import Session

from children.models import Child, RosterUpload

from ..children.roster_files import roster_xlsx
from .conftest import (
    BIN,
    BUCKET,
    PRODUCTION_ENV,
    PYTHON,
    ROOT,
    current_database_url,
    free_port,
    needs_postgres_and_redis,
    wait_for_http,
)

PASSWORD = "Two-Nodes-Pass-2026"


@pytest.fixture
def two_nodes(tmp_path, transactional_db, s3_endpoint):
    env = {
        **os.environ,
        **PRODUCTION_ENV,
        "DATABASE_URL": current_database_url(),
        "REDIS_URL": os.environ["REDIS_URL"],
        "DJANGO_STATIC_ROOT": str(tmp_path / "static"),
        "DJANGO_STATICFILES_STORAGE": "whitenoise.storage.CompressedManifestStaticFilesStorage",
        "DJANGO_MEDIA_ROOT": str(tmp_path / "media"),
        "GUNICORN_WORKERS": "1",
        "DJANGO_S3_BUCKET": BUCKET,
        "DJANGO_S3_ENDPOINT_URL": s3_endpoint,
    }
    subprocess.run(
        [PYTHON, "manage.py", "collectstatic", "--no-input", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=300,
    )
    nodes, procs = [], []
    try:
        for name in ("a", "b"):
            port = free_port()
            log = open(tmp_path / f"gunicorn-{name}.log", "w")  # noqa: SIM115 (closed below)
            procs.append(
                (
                    subprocess.Popen(
                        [str(BIN / "gunicorn"), "-c", "huzhou_care/gunicorn.conf.py"],
                        cwd=ROOT,
                        env={**env, "GUNICORN_BIND": f"127.0.0.1:{port}"},
                        stdout=log,
                        stderr=subprocess.STDOUT,
                    ),
                    log,
                )
            )
            nodes.append(f"http://127.0.0.1:{port}")
        for name in ("w1", "w2"):
            log = open(tmp_path / f"celery-{name}.log", "w")  # noqa: SIM115 (closed below)
            procs.append(
                (
                    subprocess.Popen(
                        [
                            str(BIN / "celery"),
                            "-A",
                            "huzhou_care",
                            "worker",
                            "--pool=solo",
                            "-l",
                            "warning",
                            "--without-gossip",
                            "--without-mingle",
                            "-n",
                            f"{name}-{os.getpid()}@%h",
                        ],
                        cwd=ROOT,
                        env=env,
                        stdout=log,
                        stderr=subprocess.STDOUT,
                    ),
                    log,
                )
            )
        for node in nodes:
            wait_for_http(node + "/accounts/login/")
        yield nodes
    finally:
        for proc, log in procs:
            proc.terminate()
            proc.wait(timeout=30)
            log.close()
    for name in ("gunicorn-a", "gunicorn-b", "celery-w1", "celery-w2"):
        text = (tmp_path / f"{name}.log").read_text()
        assert "Traceback" not in text, text


def _csrf(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


@needs_postgres_and_redis
def test_signing_in_on_one_node_and_going_on_on_the_other(two_nodes, alice, wuxing_child, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    alice.set_password(PASSWORD)
    alice.save()
    a, b = two_nodes
    client = requests.Session()  # one cookie jar: cookies are per host, not per port

    login_page = client.get(a + "/accounts/login/")
    signed_in = client.post(
        a + "/accounts/login/",
        data={
            "username": "alice",
            "password": PASSWORD,
            "csrfmiddlewaretoken": _csrf(login_page.text),
        },
        headers={"Referer": a + "/accounts/login/"},
        allow_redirects=False,
    )
    assert signed_in.status_code == 302 and signed_in.headers["Location"] == "/"

    # Alternate between the nodes: each one knows the session the other one started.
    for n in range(6):
        node = (b, a)[n % 2]
        page = client.get(node + "/children/", allow_redirects=False)
        assert page.status_code == 200, (node, page.status_code, page.headers.get("Location"))
        assert "艾丽" in page.text
        assert f"/children/{wuxing_child.pk}/" in page.text

    # The session is in Redis (with the 30-minute idle expiry), not in the database.
    session_key = client.cookies["sessionid"]
    ttl = redis.Redis.from_url(os.environ["REDIS_URL"]).ttl(
        f":1:django.contrib.sessions.cache{session_key}"
    )
    assert 1700 < ttl <= 1800
    assert not Session.objects.exists()

    # Each node serves the collected, hashed static files itself, under the strict CSP.
    home = client.get(b + "/")
    assert "script-src 'self'" in home.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in home.headers["Content-Security-Policy"]
    css = re.search(r'href="(/static/css/portal\.[0-9a-f]{12}\.css)"', home.text).group(1)
    static = client.get(a + css)
    assert static.status_code == 200 and "immutable" in static.headers["Cache-Control"]
    assert static.headers["X-Content-Type-Options"] == "nosniff"

    # Signing out on node B ends the session on node A too.
    out = client.post(
        b + "/accounts/logout/",
        data={"csrfmiddlewaretoken": _csrf(home.text)},
        headers={"Referer": b + "/"},
        allow_redirects=False,
    )
    assert out.status_code == 302
    after = client.get(a + "/children/", allow_redirects=False)
    assert after.status_code == 302 and "/accounts/login/" in after.headers["Location"]


def _wait_for(pk, status, timeout=180):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        upload = RosterUpload.objects.get(pk=pk)
        assert upload.status != "failed", upload.message
        if upload.status == status:
            return upload
        time.sleep(0.5)
    raise AssertionError(f"roster {pk} still {upload.status} after {timeout}s")


@needs_postgres_and_redis
def test_a_roster_uploaded_on_one_node_is_checked_by_a_worker_and_confirmed_on_the_other(
    two_nodes, s3_endpoint, carol, wuxing_school, settings
):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    carol.set_password(PASSWORD)
    carol.save()
    a, b = two_nodes
    client = requests.Session()
    login_page = client.get(b + "/accounts/login/")
    client.post(
        b + "/accounts/login/",
        data={
            "username": "carol",
            "password": PASSWORD,
            "csrfmiddlewaretoken": _csrf(login_page.text),
        },
    )
    # Large enough (2,500 rows) to be checked by a worker, not inside the request.
    data = roster_xlsx(rows=2500, division="330502", township=wuxing_school.township.name)
    form = client.get(a + "/children/rosters/")
    sent = client.post(
        a + "/children/rosters/",
        data={"school": str(wuxing_school.pk), "csrfmiddlewaretoken": _csrf(form.text)},
        files={"file": ("大名册.xlsx", data)},
        allow_redirects=False,
    )
    assert sent.status_code == 302, sent.text[:500]
    pk = int(re.search(r"/children/rosters/(\d+)/", sent.headers["Location"]).group(1))

    upload = _wait_for(pk, "preview")
    assert upload.new == 2500
    # The file is in the bucket, where every node and worker reads it; not on a local disk.
    stored = boto3.client("s3", endpoint_url=s3_endpoint)
    assert stored.get_object(Bucket=BUCKET, Key=f"media/{upload.file.name}")["Body"].read() == data

    preview = client.get(b + f"/children/rosters/{pk}/")
    assert preview.status_code == 200
    confirmed = client.post(
        b + f"/children/rosters/{pk}/confirm/",
        data={"csrfmiddlewaretoken": _csrf(preview.text)},
        allow_redirects=False,
    )
    assert confirmed.status_code == 302
    _wait_for(pk, "done")
    assert Child.objects.filter(school=wuxing_school).count() == 2500
