"""Shared by the benchmarks in bench/: a dedicated database, the environment of the Django
subprocesses, and peak memory.

The developer's own database is never touched. With ``DATABASE_URL`` pointing at PostgreSQL
a database ``huzhou_bench_<pid>`` is created on that server (psycopg2, autocommit) and dropped
at the end; otherwise (no ``DATABASE_URL`` or a SQLite one) a SQLite file in a temporary
directory is used. ``manage.py migrate`` is run into it, and every Django process of the
benchmark gets its URL in ``DATABASE_URL``.

The Django processes run with production settings (``DJANGO_DEBUG=0``): with DEBUG on, Django
keeps every SQL statement in ``connection.queries``, which is not what a server does.
"""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

REPO = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
MANAGE = REPO / "manage.py"

#: Settings of every Django process of a benchmark (production mode, quiet logs).
from huzhou_care.crypto.devkeys import new_blind_index_key, new_field_key  # noqa: E402

BENCH_ENV = {
    "DJANGO_SETTINGS_MODULE": "huzhou_care.settings",
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "bench-only-insecure-key-0123456789-abcdefghijklmnopqrstuvwxyz",
    "DJANGO_ALLOWED_HOSTS": "testserver,localhost,127.0.0.1",
    "DJANGO_SECURE_SSL_REDIRECT": "0",
    "DJANGO_LOG_LEVEL": "WARNING",
    # The benchmarks import rosters far bigger than a school's (the row cap defaults to 20,000).
    "ROSTER_MAX_ROWS": "200000",
    # Production settings need field keys: fresh ones per bench run (the data is thrown away).
    "DJANGO_FIELD_KEYS": new_field_key("bench1"),
    "DJANGO_BLIND_INDEX_KEY": new_blind_index_key(),
}


_KEYS: dict[str, str] = {}


def bench_keys() -> dict[str, str]:
    """Field-encryption keys for this run only (production mode refuses to start without
    them); made once in the benchmark's process and handed to every Django subprocess."""
    if not _KEYS:
        from huzhou_care.crypto.devkeys import new_blind_index_key, new_field_key

        _KEYS["DJANGO_FIELD_KEYS"] = os.environ.get("DJANGO_FIELD_KEYS") or new_field_key("bench")
        _KEYS["DJANGO_BLIND_INDEX_KEY"] = (
            os.environ.get("DJANGO_BLIND_INDEX_KEY") or new_blind_index_key()
        )
    return _KEYS


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far, in MB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


_STARTED = time.monotonic()


def log(message: str) -> None:
    """Progress on stderr, stamped with the seconds since the benchmark started."""
    print(f"[{time.monotonic() - _STARTED:7.1f}s] {message}", file=sys.stderr, flush=True)


def display_width(text: str) -> int:
    """Columns the text takes in a terminal: CJK characters are two wide."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def ljust(text: str, width: int) -> str:
    return text + " " * max(width - display_width(text), 0)


class BenchDatabase:
    """A database of its own for one benchmark run.

    ``reuse``: an existing database (PostgreSQL: its name on the server of DATABASE_URL;
    SQLite: a file path) that is neither created nor dropped.
    """

    def __init__(self, *, reuse: str | None = None, keep: bool = False):
        server = os.environ.get("DATABASE_URL", "")
        self.keep = keep or bool(reuse)
        self.created = False
        self._tmpdir: str | None = None
        if server.startswith(("postgres://", "postgresql://", "pgsql://")):
            self.vendor = "postgresql"
            self._server = server
            self.name = reuse or f"huzhou_bench_{os.getpid()}"
            parts = urlsplit(server)
            self.url = urlunsplit(parts._replace(path="/" + self.name))
        else:
            self.vendor = "sqlite"
            self._server = ""
            if reuse:
                path = Path(reuse).resolve()
            else:
                self._tmpdir = tempfile.mkdtemp(prefix="huzhou_bench_")
                path = Path(self._tmpdir) / "bench.sqlite3"
            self.name = str(path)
            self.url = f"sqlite:///{path}"

    # -- lifecycle
    def create(self) -> None:
        if self.vendor == "postgresql":
            from psycopg2 import sql

            with self._admin() as cursor:
                cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(self.name)))
        self.created = True

    def drop(self) -> None:
        if self.keep:
            log(f"database kept: {self.url}")
            return
        if self.vendor == "postgresql" and self.created:
            from psycopg2 import sql

            with self._admin() as cursor:
                cursor.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                        sql.Identifier(self.name)
                    )
                )
        if self._tmpdir:
            shutil.rmtree(self._tmpdir, ignore_errors=True)

    def _admin(self):
        import contextlib

        import psycopg2

        @contextlib.contextmanager
        def cursor():
            conn = psycopg2.connect(self._server)
            conn.autocommit = True
            try:
                with conn.cursor() as cur:
                    yield cur
            finally:
                conn.close()

        return cursor()

    # -- Django processes
    def env(self) -> dict[str, str]:
        return {**os.environ, **BENCH_ENV, **bench_keys(), "DATABASE_URL": self.url}

    def manage(self, *args: str, quiet: bool = True) -> float:
        """Run ``manage.py ARGS`` against this database; returns the seconds it took."""
        started = time.perf_counter()
        subprocess.run(
            [PYTHON, str(MANAGE), *args],
            env=self.env(),
            cwd=REPO,
            check=True,
            stdout=subprocess.DEVNULL if quiet else None,
        )
        return time.perf_counter() - started

    def migrate(self) -> float:
        return self.manage("migrate", "--noinput", "-v", "0")

    def describe(self) -> str:
        if self.vendor == "postgresql":
            parts = urlsplit(self.url)
            return f"PostgreSQL database {self.name} on {parts.hostname}:{parts.port or 5432}"
        return f"SQLite file {self.name}"


def code_version() -> str:
    """The commit measured, with "+dirty" when app code differs from it (bench/ excluded)."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=REPO,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", ".", ":!bench"],
            cwd=REPO,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return commit + ("+dirty" if dirty else "")


def machine() -> str:
    """CPUs and load average: other work on the machine skews wall-clock figures."""
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return f"{os.cpu_count()} CPUs, load average {load}"


def django_setup() -> None:
    """Set up Django in this process (DATABASE_URL must already be in the environment)."""
    for key, value in BENCH_ENV.items():
        os.environ.setdefault(key, value)
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    import django

    django.setup()
