"""`make serve`: the production layout on one machine, from the environment alone."""

import os
import signal
import socket
import subprocess
import time

import requests

from .conftest import (
    BIN,
    PRODUCTION_ENV,
    ROOT,
    current_database_url,
    free_port,
    needs_postgres_and_redis,
    wait_for_http,
)


@needs_postgres_and_redis
def test_make_serve_runs_gunicorn_with_whitenoise_a_celery_worker_and_beat(
    tmp_path, transactional_db
):
    port = free_port()
    worker = f"serve-test-{os.getpid()}"
    env = {
        **os.environ,
        **PRODUCTION_ENV,
        "DATABASE_URL": current_database_url(),
        "DJANGO_STATIC_ROOT": str(tmp_path / "static"),
        "DJANGO_MEDIA_ROOT": str(tmp_path / "media"),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "2",
        "CELERY_CONCURRENCY": "1",
        "CELERY_WORKER_NAME": f"{worker}@%h",
    }
    env.pop("DJANGO_STATICFILES_STORAGE", None)  # make serve's own default: hashed, compressed
    log_path = tmp_path / "serve.log"
    with open(log_path, "w") as log:
        serve = subprocess.Popen(
            ["make", "--no-print-directory", "serve"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stopped below by its id
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(base + "/accounts/login/", timeout=240)
        page = requests.get(base + "/accounts/login/", timeout=10)
        assert page.status_code == 200 and "登录" in page.text
        csp = page.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert page.headers["X-Frame-Options"] == "DENY"
        assert page.headers["X-Content-Type-Options"] == "nosniff"

        # Static files: collected with hashed names and served compressed by WhiteNoise.
        assert (tmp_path / "static" / "staticfiles.json").exists()
        css = page.text.split('href="/static/css/portal.')[1].split('"')[0]
        static = requests.get(
            f"{base}/static/css/portal.{css}", headers={"Accept-Encoding": "gzip"}, timeout=10
        )
        assert static.status_code == 200
        assert static.headers.get("Content-Encoding") == "gzip"
        assert "immutable" in static.headers["Cache-Control"]

        # The Celery worker answers on the broker; beat has started.
        deadline, pong = time.monotonic() + 90, ""
        while time.monotonic() < deadline and "pong" not in pong:
            pong = subprocess.run(
                [
                    str(BIN / "celery"),
                    "-A",
                    "huzhou_care",
                    "inspect",
                    "ping",
                    "--timeout",
                    "3",
                    "-d",
                    f"{worker}@{socket.gethostname()}",
                ],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
            ).stdout
        assert "pong" in pong, log_path.read_text()
        assert "beat: Starting" in log_path.read_text()
    finally:
        os.killpg(serve.pid, signal.SIGTERM)
        serve.wait(timeout=60)
    assert "Traceback" not in log_path.read_text(), log_path.read_text()
