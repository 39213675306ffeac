"""Helpers for the operations tests: free ports, production-mode environments for the
subprocesses (gunicorn, manage.py), and the PostgreSQL + Redis guard of CI's second phase."""

import os
import socket
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
BIN = Path(sys.executable).parent

ON_POSTGRES_AND_REDIS = bool(os.environ.get("REDIS_URL")) and os.environ.get(
    "DATABASE_URL", ""
).startswith(("postgres://", "postgresql://"))


def needs_postgres_and_redis(test):
    """CI's second phase only (PostgreSQL + Redis); on SQLite the test is skipped, saying why."""
    skip = pytest.mark.skipif(
        not ON_POSTGRES_AND_REDIS, reason="needs DATABASE_URL=postgres://... and REDIS_URL"
    )
    return pytest.mark.postgres(skip(test))


PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "huzhou_care.settings",
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "ops-test-only-" + "k" * 40,
    "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
    "DJANGO_SECURE_SSL_REDIRECT": "0",  # plain http on the loopback, no nginx in front
    "DJANGO_SECURE_COOKIES": "0",
    "DJANGO_LOG_LEVEL": "WARNING",
    # Production refuses to start without field keys: the nodes use the test run's own, so
    # they read what the tests wrote (never the development file's in a real deployment).
    "DJANGO_FIELD_KEYS": settings.FIELD_KEYS,
    "DJANGO_BLIND_INDEX_KEY": settings.BLIND_INDEX_KEY,
}


BUCKET = "huzhou-care-uploads"


@pytest.fixture
def s3_endpoint(monkeypatch):
    """moto's S3 server on a free loopback port, with the bucket made; the keys are in the
    environment for boto3 (this process and the subprocesses that inherit it)."""
    import boto3
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    for name, value in {
        "AWS_ACCESS_KEY_ID": "test-key",
        "AWS_SECRET_ACCESS_KEY": "test-secret",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    for proxy in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(proxy, raising=False)
    endpoint = f"http://127.0.0.1:{port}"
    boto3.client("s3", endpoint_url=endpoint).create_bucket(Bucket=BUCKET)
    yield endpoint
    server.stop()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url_for(name: str) -> str:
    """DATABASE_URL's server with another database name."""
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path="/" + name))


def current_database_url() -> str:
    """The URL of the database pytest-django set up for this test (for subprocesses)."""
    from django.db import connection

    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def wait_for_http(url: str, timeout: float = 60) -> None:
    import requests

    deadline = time.monotonic() + timeout
    while True:
        try:
            requests.get(url, timeout=10, allow_redirects=False)
            return
        except (requests.ConnectionError, requests.Timeout):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)
