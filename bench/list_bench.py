#!/usr/bin/env python
"""Child list page benchmark: server time of the first page of /children/ on a big registry.

Fills a dedicated database with ``manage.py seed_demo --children N`` (default 1,000,000;
``--reuse DBNAME`` measures an existing bench database instead and skips seeding), refreshes
the planner statistics, then requests pages through Django's test ``Client`` in this process,
signed in (``force_login``) as the district staff of 吴兴区 and as the city admin (the
accounts seed_demo creates, looked up by role):

    /children/  ?grade=3  ?guardianship_type=none  ?q=王  ?school=<id>
    ?flags=unguarded&flags=low_income  ?page=200  and the home page /

Each URL: 2 warm-ups, then ``--repeat`` (10) timed requests; median and p90 of the server
time (the whole Django request: middleware, view, queries, template, session save, access
log), and the number of SQL queries (counted on a separate request with
``CaptureQueriesContext``, so that capturing does not slow the timed ones).

Baseline, same run: what the view asks of the database, without the page — the filter form,
``selectors.child_list``, the paginator's COUNT and the first page's rows (for / the
``home_summary`` selector). "page - selectors" is the template and request overhead.

For every URL over ``--slow-ms`` (300 ms) the two slowest SQL statements of the request are
EXPLAIN ANALYZEd and printed.

Database: with ``DATABASE_URL=postgres://USER@HOST:PORT/DB`` a database
``huzhou_bench_<pid>`` is created on that server and dropped at the end (``--keep`` keeps
it for ``--reuse``); otherwise a temporary SQLite file. Django runs with DJANGO_DEBUG=0.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python bench/list_bench.py --children 1000000 --keep
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python bench/list_bench.py --reuse huzhou_bench_12345
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huzhou_care.settings")

from bench._common import (  # noqa: E402
    BenchDatabase,
    code_version,
    django_setup,
    ljust,
    log,
    machine,
)

DISTRICT = "吴兴区"
SEED = 1


def list_urls(school_id: int) -> list[tuple[str, dict]]:
    """(label, GET parameters) of the list pages measured."""
    return [
        ("/children/", {}),
        ("?grade=3", {"grade": "3"}),
        ("?guardianship_type=none", {"guardianship_type": "none"}),
        ("?q=王", {"q": "王"}),
        (f"?school={school_id}", {"school": str(school_id)}),
        ("?flags=unguarded&flags=low_income", {"flags": ["unguarded", "low_income"]}),
        ("?page=200", {"page": "200"}),
    ]


def _stats(samples: list[float]) -> dict:
    ordered = sorted(samples)
    return {
        "median_ms": statistics.median(ordered) * 1000,
        "p90_ms": statistics.quantiles(ordered, n=10, method="inclusive")[8] * 1000,
        "samples_ms": [round(s * 1000, 2) for s in samples],
    }


def _timed(func, *, warmup: int, repeat: int) -> tuple[dict, int, list[dict]]:
    """Warm up, count the queries of one call, then time ``repeat`` calls."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(warmup):
        func()
    with CaptureQueriesContext(connection) as captured:
        func()
    # Copy them now: captured_queries is a live slice of connection.queries.
    queries = list(captured.captured_queries)
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        func()
        samples.append(time.perf_counter() - started)
    return _stats(samples), len(queries), queries


def measure(args, figures: dict) -> None:
    from django.core.paginator import Paginator
    from django.core.signals import request_started
    from django.db import connection, reset_queries
    from django.db.models import Count
    from django.http import QueryDict
    from django.test import Client

    from campaign.selectors import home_summary
    from children import selectors
    from children.forms import ChildFilterForm
    from children.models import Child
    from children.views import PAGE_SIZE
    from huzhou_care.accounts.models import Role, User
    from huzhou_care.orgs.models import OrgUnit

    # Every request clears connection.queries_log, which would leave CaptureQueriesContext
    # with nothing to count: keep the log across the requests of this benchmark.
    request_started.disconnect(reset_queries)
    district = OrgUnit.objects.get(level=OrgUnit.Level.COUNTY, name=DISTRICT)
    users = [
        (
            f"district staff {DISTRICT}",
            User.objects.filter(role=Role.DISTRICT_STAFF, district=district, is_active=True)
            .order_by("pk")
            .first(),
        ),
        (
            "city admin",
            User.objects.filter(role=Role.CITY_ADMIN, is_active=True).order_by("pk").first(),
        ),
    ]
    if any(user is None for _, user in users):
        raise SystemExit("seed_demo accounts not found: is this a seeded database?")
    school_id = (
        Child.objects.filter(county=district, status="active", school__isnull=False)
        .values("school")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .values_list("school", flat=True)
        .first()
    )
    figures["registry"] = {
        "children": Child.objects.count(),
        "active": Child.objects.active().count(),
        f"active in {DISTRICT}": Child.objects.active().filter(county=district).count(),
        "school_measured": school_id,
        "active in that school": Child.objects.active().filter(school_id=school_id).count(),
    }
    log(f"registry: {figures['registry']}")

    results = figures["results"] = []
    for who, user in users:
        client = Client()
        client.force_login(user)
        pages = [(label, params, "/children/") for label, params in list_urls(school_id)]
        pages.append(("/ (home)", {}, "/"))
        for label, params, path in pages:
            url = path + ("?" + urlencode(params, doseq=True) if params else "")

            def page(url=url, client=client, who=who):
                response = client.get(url)
                if response.status_code != 200:
                    raise SystemExit(f"{who} {url}: HTTP {response.status_code}")
                return response

            if path == "/":

                def selectors_only(user=user):
                    return home_summary(user)
            else:
                query = QueryDict(urlencode(params, doseq=True))

                def selectors_only(user=user, query=query):
                    form = ChildFilterForm(query or None, user=user)
                    filters = form.filters() if query else {}
                    qs = selectors.child_list(user, filters)
                    found = Paginator(qs, PAGE_SIZE).get_page(query.get("page"))
                    return found.paginator.count, list(found.object_list)

            server, server_queries, captured = _timed(page, warmup=args.warmup, repeat=args.repeat)
            base, base_queries, _ = _timed(selectors_only, warmup=args.warmup, repeat=args.repeat)
            slowest = sorted(captured, key=lambda q: float(q["time"]), reverse=True)[:2]
            row = {
                "user": who,
                "url": label,
                "path": url,
                "server": server,
                "server_queries": server_queries,
                "selectors": base,
                "selectors_queries": base_queries,
                "slowest_queries": slowest,
            }
            results.append(row)
            log(
                f"{who} {label}: page {server['median_ms']:.1f} ms (p90 "
                f"{server['p90_ms']:.1f}), {server_queries} queries; selectors "
                f"{base['median_ms']:.1f} ms"
            )
    for row in results:
        if row["server"]["median_ms"] > args.slow_ms:
            row["explain"] = [explain(connection, query["sql"]) for query in row["slowest_queries"]]


def explain(connection, sql: str) -> str:
    prefix = (
        "EXPLAIN (ANALYZE, BUFFERS) "
        if connection.vendor == "postgresql"
        else "EXPLAIN QUERY PLAN "
    )
    with connection.cursor() as cursor:
        cursor.execute(prefix + sql)
        return "\n".join(" | ".join(str(col) for col in line) for line in cursor.fetchall())


def report(figures: dict, args) -> None:
    print()
    print(
        f"Child list benchmark: {figures['database']}, {figures['registry']['children']:,} "
        f"children ({figures['registry']['active']:,} active); "
        f"{args.warmup} warm-ups + {args.repeat} runs each"
    )
    print(f"registry: {figures['registry']}")
    print(
        f"code {figures['code']}; {figures['machine_at_start']} (start), "
        f"{figures['machine_at_end'].split('average ')[1]} (end)"
    )
    if figures.get("seed_seconds"):
        print(f"seed_demo took {figures['seed_seconds']:.0f}s")
    print()
    head = (
        f"{ljust('user', 20)} {ljust('url', 36)} {'page med':>9} {'p90':>8} {'SQL':>4}  "
        f"{'selectors med':>13} {'p90':>8} {'SQL':>4}  {'page-sel':>8}"
    )
    print(head)
    print("-" * len(head))
    for row in figures["results"]:
        server, base = row["server"], row["selectors"]
        flag = f"  > {args.slow_ms:.0f} ms" if server["median_ms"] > args.slow_ms else ""
        print(
            f"{ljust(row['user'], 20)} {ljust(row['url'], 36)} {server['median_ms']:>9.1f} "
            f"{server['p90_ms']:>8.1f} {row['server_queries']:>4}  "
            f"{base['median_ms']:>13.1f} {base['p90_ms']:>8.1f} {row['selectors_queries']:>4}  "
            f"{server['median_ms'] - base['median_ms']:>8.1f}{flag}"
        )
    print(
        "(ms; 'page' = the whole request through the test Client, 'selectors' = filter form"
        " + selectors + COUNT + first page rows, no template; for / the home_summary"
        " selector)"
    )
    for row in figures["results"]:
        for rank, (query, plan) in enumerate(
            zip(row["slowest_queries"], row.get("explain") or [], strict=False), 1
        ):
            print()
            print(
                f"===== {row['user']} {row['url']}: slowest query #{rank} "
                f"({float(query['time']) * 1000:.0f} ms when captured) ====="
            )
            print(query["sql"])
            print(plan)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--children", type=int, default=1_000_000, help="children to seed (default 1,000,000)"
    )
    parser.add_argument(
        "--reuse", metavar="DBNAME", help="measure this existing database; no seeding, not dropped"
    )
    parser.add_argument("--keep", action="store_true", help="keep the bench database")
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument(
        "--slow-ms",
        type=float,
        default=300.0,
        help="EXPLAIN ANALYZE pages slower than this (median)",
    )
    parser.add_argument("--json", metavar="PATH", help="also write the figures as JSON")
    args = parser.parse_args(argv)

    db = BenchDatabase(reuse=args.reuse, keep=args.keep)
    figures: dict = {"database": db.vendor, "name": db.name, "code": code_version()}
    log(f"using {db.describe()}")
    try:
        if not args.reuse:
            db.create()
            figures["migrate_seconds"] = db.migrate()
            log(f"seed_demo --children {args.children:,} --seed {SEED} ...")
            figures["seed_seconds"] = db.manage(
                "seed_demo", "--children", str(args.children), "--seed", str(SEED)
            )
            log(f"seeded in {figures['seed_seconds']:.0f}s")
        os.environ["DATABASE_URL"] = db.url
        django_setup()
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
        figures["machine_at_start"] = machine()
        measure(args, figures)
        figures["machine_at_end"] = machine()
        connection.close()
    finally:
        db.drop()
    report(figures, args)
    if args.json:
        Path(args.json).write_text(
            json.dumps(figures, ensure_ascii=False, indent=2, default=str), encoding="utf-8"
        )
        log(f"figures written to {args.json}")


if __name__ == "__main__":
    main()
