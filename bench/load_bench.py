#!/usr/bin/env python
"""Load test: locust against the production layout on this machine (127.0.0.1 only).

gunicorn (huzhou_care/gunicorn.conf.py, GUNICORN_WORKERS or its default 2 x cores + 1) with
WhiteNoise and the collected static files, PostgreSQL, Redis (sessions, cache, broker) and a
Celery worker, on a dedicated database seeded with ``seed_demo --children N`` (100,000).

Phases, each bounded by ``--run-time`` seconds and ``--max-requests`` requests:
  baseline  the sign-in page only, at the first user count: the floor of a request here
  mix@U     bench/locustfile.py's district officers and school clerks (list, filter, detail,
            risk list, export page + xlsx, roster upload + preview) at each of ``--users``

Prints, per phase: requests, requests/s, p50/p95/p99 (ms), errors; and per request name for
the mixes. Target (informative, never asserted): no errors and p95 < 500 ms at 20 users.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379/7 \\
        .venv/bin/python bench/load_bench.py --children 100000 --users 20,50 --run-time 45
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huzhou_care.settings")

from bench._common import BENCH_ENV, BenchDatabase, code_version, log, machine  # noqa: E402

BIN = Path(sys.executable).parent
PASSWORD = "Load-Bench-Pass-2026"
P95_TARGET_MS = 500


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, timeout: float = 90) -> None:
    import requests

    deadline = time.monotonic() + timeout
    while True:
        try:
            requests.get(url, timeout=2)
            return
        except requests.ConnectionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def prepare(db: BenchDatabase, accounts: list[dict], folder: Path, sessions: int) -> dict:
    """Signed-in sessions (in Redis, as ``Client.force_login`` makes them) and a 30-row roster
    file for each school clerk's school. Signing in is left out of the measured mix: it is
    one Argon2 hash per person per day (about 0.1 s of CPU by design), not a page."""
    os.environ["DATABASE_URL"] = db.url
    for key, value in BENCH_ENV.items():
        os.environ.setdefault(key, value)
    import django

    django.setup()
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.cache import SessionStore
    from django.db import connections

    from huzhou_care.accounts.models import User
    from tests.children.roster_files import roster_xlsx

    users = {
        u.username: u
        for u in User.objects.select_related("school__county", "school__township").filter(
            username__in=[a["username"] for a in accounts]
        )
    }
    rosters, made = {}, []
    for role in ("district_staff", "school_staff"):
        names = [a["username"] for a in accounts if a["role"] == role]
        for n in range(sessions):
            user = users[names[n % len(names)]]
            store = SessionStore()
            store[SESSION_KEY] = str(user.pk)
            store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
            store[HASH_SESSION_KEY] = user.get_session_auth_hash()
            store.create()
            made.append({"role": role, "username": user.username, "sessionid": store.session_key})
    for n, name in enumerate(a["username"] for a in accounts if a["role"] == "school_staff"):
        school = users[name].school
        path = folder / f"roster-{n}.xlsx"
        path.write_bytes(
            roster_xlsx(
                rows=30, division=school.county.code[:6], township=school.township.name, seed=n
            )
        )
        rosters[name] = str(path)
    connections.close_all()
    return {"sessions": made, "rosters": rosters}


def db_sizes(url: str) -> dict[str, str]:
    """VACUUM ANALYZE (fresh statistics, as autovacuum would have), then the sizes that
    docs/deploy.md scales to a 1,000,000-child registry."""
    import psycopg2

    conn = psycopg2.connect(url)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute("VACUUM ANALYZE")
            cur.execute(
                "SELECT pg_size_pretty(pg_database_size(current_database())),"
                " pg_size_pretty(pg_total_relation_size('children_child')),"
                " pg_size_pretty(pg_indexes_size('children_child')),"
                " pg_size_pretty(pg_total_relation_size('audit_changerecord'))"
            )
            database, child, child_indexes, history = cur.fetchone()
    finally:
        conn.close()
    return {
        "database": database,
        "children_child (with indexes)": child,
        "of which indexes": child_indexes,
        "audit_changerecord": history,
    }


def run_locust(host, classes, users, seconds, max_requests, plan, out: Path) -> dict:
    prefix = out / f"{'-'.join(classes)}-{users}"
    subprocess.run(
        [
            str(BIN / "locust"),
            "-f",
            str(REPO / "bench" / "locustfile.py"),
            "--headless",
            "--host",
            host,
            "--users",
            str(users),
            "--spawn-rate",
            str(max(users // 4, 1)),
            "--run-time",
            f"{seconds}s",
            "--stop-timeout",
            "10",
            "--csv",
            str(prefix),
            "--only-summary",
            "--loglevel",
            "WARNING",
            "--exit-code-on-error",
            "0",
            *classes,
        ],
        cwd=REPO,
        env={**os.environ, "LOAD_PLAN": str(plan), "LOAD_MAX_REQUESTS": str(max_requests)},
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=open(f"{prefix}.log", "w"),  # noqa: SIM115 (locust's own summary, kept aside)
        timeout=seconds + 120,
    )
    with open(f"{prefix}_stats.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    failures = []
    if Path(f"{prefix}_failures.csv").exists():
        with open(f"{prefix}_failures.csv", encoding="utf-8") as fh:
            failures = list(csv.DictReader(fh))
    return {"rows": rows, "failures": failures}


def figures(row: dict) -> dict:
    return {
        "name": row["Name"],
        "requests": int(row["Request Count"]),
        "errors": int(row["Failure Count"]),
        "rps": float(row["Requests/s"]),
        "p50": float(row["50%"] or 0),
        "p95": float(row["95%"] or 0),
        "p99": float(row["99%"] or 0),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--children", type=int, default=100_000)
    parser.add_argument("--users", default="20,50", help="comma-separated user counts")
    parser.add_argument("--run-time", type=int, default=45, help="seconds per phase")
    parser.add_argument("--baseline-time", type=int, default=15)
    parser.add_argument("--max-requests", type=int, default=20_000, help="cap per phase")
    parser.add_argument("--celery-concurrency", type=int, default=1)
    parser.add_argument("--reuse", help="an existing bench database (skips seeding)")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--json", help="write the figures to this file")
    args = parser.parse_args()
    users = [int(u) for u in args.users.split(",")]
    if not os.environ.get("DATABASE_URL", "").startswith("postgres") or not os.environ.get(
        "REDIS_URL"
    ):
        # `make bench` runs every benchmark: say why this one does not run, and go on.
        print("load_bench skipped: it needs DATABASE_URL=postgres://... and REDIS_URL")
        return 0

    db = BenchDatabase(reuse=args.reuse, keep=args.keep)
    procs: list[subprocess.Popen] = []
    tmp = Path(tempfile.mkdtemp(prefix="huzhou_load_"))
    try:
        if not args.reuse:
            db.create()
            log(f"migrate {db.describe()}")
            db.migrate()
            log(f"seed_demo --children {args.children:,}")
            db.manage("seed_demo", "--children", str(args.children), "--password", PASSWORD)
        db.manage("seed_demo", "--children", "0", "--accounts-json", str(tmp / "accounts.json"))
        accounts = json.loads((tmp / "accounts.json").read_text())
        sizes = db_sizes(db.url)
        log("sizes: " + ", ".join(f"{k} {v}" for k, v in sizes.items()))
        plan = tmp / "plan.json"
        plan.write_text(
            json.dumps(
                {"accounts": accounts, **prepare(db, accounts, tmp, max(users))},
                ensure_ascii=False,
            )
        )
        env = {
            **db.env(),
            "REDIS_URL": os.environ["REDIS_URL"],
            "DJANGO_SECURE_COOKIES": "0",
            "DJANGO_STATIC_ROOT": str(tmp / "static"),
            "DJANGO_STATICFILES_STORAGE": "whitenoise.storage.CompressedManifestStaticFilesStorage",
            "DJANGO_MEDIA_ROOT": str(tmp / "media"),
            "GUNICORN_ACCESS_LOG": "/dev/null",
            "GUNICORN_LOG_LEVEL": "warning",
        }
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--no-input", "-v", "0"],
            cwd=REPO,
            env=env,
            check=True,
        )
        port = free_port()
        host = f"http://127.0.0.1:{port}"
        gunicorn = subprocess.Popen(
            [str(BIN / "gunicorn"), "-c", "huzhou_care/gunicorn.conf.py"],
            cwd=REPO,
            env={**env, "GUNICORN_BIND": f"127.0.0.1:{port}"},
        )
        procs.append(gunicorn)
        procs.append(
            subprocess.Popen(
                [
                    str(BIN / "celery"),
                    "-A",
                    "huzhou_care",
                    "worker",
                    "-l",
                    "warning",
                    "--concurrency",
                    str(args.celery_concurrency),
                    "--without-gossip",
                    "--without-mingle",
                ],
                cwd=REPO,
                env=env,
                stdout=open(tmp / "worker.log", "w"),  # noqa: SIM115 (the worker's banner)
                stderr=subprocess.STDOUT,
            )
        )
        wait_for(host + "/accounts/login/")
        workers = os.environ.get("GUNICORN_WORKERS") or f"{2 * os.cpu_count() + 1} (default)"
        log(f"gunicorn on {host}, {workers} workers; celery worker x{args.celery_concurrency}")

        phases = [("baseline", ["LoginPage"], users[0], args.baseline_time)]
        phases += [
            (f"mix@{u}", ["DistrictOfficer", "SchoolClerk"], u, args.run_time) for u in users
        ]
        results = {}
        for label, classes, n, seconds in phases:
            log(f"{label}: {n} users, {seconds}s (at most {args.max_requests:,} requests)")
            results[label] = {
                "users": n,
                **run_locust(host, classes, n, seconds, args.max_requests, plan, tmp),
            }
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
        db.drop()
        shutil.rmtree(tmp, ignore_errors=True)  # roster files, static copy, locust CSVs

    report = {
        "code": code_version(),
        "machine": machine(),
        "children": args.children,
        "sizes": sizes,
        "phases": {},
    }
    print(f"\nload_bench: {args.children:,} children, commit {report['code']}, {machine()}")
    print(f"gunicorn workers: {workers}; think time 0.5-1.5 s per user; 127.0.0.1 only")
    print("database sizes: " + ", ".join(f"{k} {v}" for k, v in sizes.items()) + "\n")
    print(
        f"{'phase':<10} {'users':>5} {'requests':>9} {'req/s':>7} {'p50 ms':>7} "
        f"{'p95 ms':>7} {'p99 ms':>7} {'errors':>6}"
    )
    for label, result in results.items():
        total = figures(next(r for r in result["rows"] if r["Name"] == "Aggregated"))
        report["phases"][label] = {
            "users": result["users"],
            "total": total,
            "endpoints": [figures(r) for r in result["rows"] if r["Name"] != "Aggregated"],
            "failures": result["failures"],
        }
        print(
            f"{label:<10} {result['users']:>5} {total['requests']:>9,} {total['rps']:>7.1f} "
            f"{total['p50']:>7.0f} {total['p95']:>7.0f} {total['p99']:>7.0f} "
            f"{total['errors']:>6}"
        )
    for label, phase in report["phases"].items():
        if not label.startswith("mix"):
            continue
        print(f"\n{label} per request:")
        for row in sorted(phase["endpoints"], key=lambda r: -r["requests"]):
            print(
                f"  {row['name']:<26} {row['requests']:>7,} {row['rps']:>7.1f} "
                f"{row['p50']:>7.0f} {row['p95']:>7.0f} {row['p99']:>7.0f} {row['errors']:>6}"
            )
        for failure in phase["failures"][:5]:
            print(
                f"  error: {failure.get('Name')} {failure.get('Error')} x{failure.get('Occurrences')}"
            )
    first = report["phases"].get(f"mix@{users[0]}")
    if first:
        ok = first["total"]["errors"] == 0 and first["total"]["p95"] < P95_TARGET_MS
        base = report["phases"]["baseline"]["total"]
        print(
            f"\ntarget at {users[0]} users: no errors and p95 < {P95_TARGET_MS} ms: "
            f"{'ok' if ok else 'MISSED'} (p95 {first['total']['p95']:.0f} ms, "
            f"{first['total']['errors']} errors; baseline login page p95 {base['p95']:.0f} ms)"
        )
    if args.json:
        Path(args.json).write_text(json.dumps(report, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
