#!/usr/bin/env python
"""City completeness table benchmark: ``selectors.completeness_table`` for the city admin on
a campaign year with many reporting units and reports.

Fills a dedicated database (migrate; the notice's default year; ``--schools`` extra schools
as reporting units, default 5,000; for each deadline already due, a report from about two
units in three, a quarter of them late), then times:

* ``table``: the selector the page uses (three queries whatever the size, aggregated in SQL);
* ``per-unit``: ``unit_table``, the same figures per unit (the overdue list uses it);
* ``baseline``: the same figures computed the straightforward way, one COUNT per district
  and deadline for expected, complete and on-time (what a per-cell template would do);
* ``page``: the whole /campaign/completeness/ request through the test Client.

Each: 1 warm-up, then ``--repeat`` (5) timed runs; median seconds and SQL queries.
Database: as the other benchmarks (``DATABASE_URL`` server -> a ``huzhou_bench_<pid>``
database, dropped at the end; else a temporary SQLite file).

    .venv/bin/python bench/completeness_bench.py --schools 5000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/completeness_bench.py
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huzhou_care.settings")

from bench._common import BenchDatabase, code_version, django_setup, log, machine  # noqa: E402


def fill(schools: int) -> dict:
    import datetime as dt
    import random

    from django.db import transaction
    from django.utils import timezone

    from campaign import services
    from campaign.models import ReportingUnit, StageReport
    from huzhou_care.accounts.models import Role, User
    from huzhou_care.orgs.models import OrgUnit, School

    rng = random.Random(1)
    today = timezone.localdate()
    year = services.campaign_year_load_defaults(year=today.year)
    counties = list(OrgUnit.objects.filter(level="county"))
    with transaction.atomic():
        School.objects.bulk_create(
            School(
                code=f"99{i:08d}",
                name=f"基准学校{i}",
                kind="primary",
                county=counties[i % len(counties)],
                township=counties[i % len(counties)].children.first(),
            )
            for i in range(schools)
        )
        services.reporting_units_sync(joined_on=dt.date(today.year, 1, 1))
        units = list(ReportingUnit.objects.all())
        rows = []
        now = timezone.now()
        for template in services.ReportTemplate.objects.filter(
            deadline__stage__year=year, deadline__due_on__lt=today
        ).select_related("deadline"):
            for unit in units:
                if unit.kind not in template.unit_kinds or rng.random() > 0.66:
                    continue
                rows.append(
                    StageReport(
                        template=template,
                        unit=unit,
                        status=rng.choice(["submitted", "approved", "approved", "returned"]),
                        submitted_at=now,
                        late=rng.random() < 0.25,
                    )
                )
        StageReport.objects.bulk_create(rows, batch_size=5000)
        admin = User.objects.create(username="bench_admin", role=Role.CITY_ADMIN)
    return {"units": len(units), "reports": len(rows), "admin": admin, "year": year}


def baseline(user, year, today):
    """The naive way: a COUNT per (district, deadline) for expected, complete and on time."""
    from django.db.models import Q

    from campaign.models import ReportingUnit, StageReport
    from campaign.selectors import templates_of

    out = {}
    keys = list(ReportingUnit.objects.order_by().values_list("county_id", flat=True).distinct())
    templates = templates_of(year)
    for key in keys:
        for t in templates:
            units = ReportingUnit.objects.filter(
                county_id=key, kind__in=t.unit_kinds, joined_on__lt=t.deadline.due_on
            )
            reports = StageReport.objects.filter(template=t, unit__in=units)
            out[(key, t.pk)] = (
                units.count(),
                reports.filter(Q(status="submitted") | Q(status="approved")).count(),
                reports.filter(status__in=["submitted", "approved"], late=False).count(),
            )
    return out


def timed(fn, repeat: int) -> tuple[float, int]:
    from django.db import connection

    fn()
    count = [0]

    def counter(execute, sql, params, many, context):
        count[0] += 1
        return execute(sql, params, many, context)

    # (Not CaptureQueriesContext: a request resets Django's query log when it starts.)
    with connection.execute_wrapper(counter):
        fn()
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - started)
    return statistics.median(runs), count[0]


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--schools", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    db = BenchDatabase()
    log(f"using {db.describe()}")
    try:
        db.create()
        db.migrate()
        os.environ["DATABASE_URL"] = db.url
        django_setup()
        from django.test import Client
        from django.utils import timezone

        from campaign.selectors import completeness_table, unit_table

        started = time.perf_counter()
        data = fill(args.schools)
        log(
            f"filled {data['units']:,} units, {data['reports']:,} reports in {time.perf_counter() - started:.1f}s"
        )
        today = timezone.localdate()
        user, year = data["admin"], data["year"]
        client = Client()
        client.force_login(user)
        response = client.get("/campaign/completeness/", secure=True)
        assert response.status_code == 200, response.status_code
        results = {
            "table": timed(lambda: completeness_table(user, year, today), args.repeat),
            "per-unit": timed(lambda: unit_table(user, year, today), args.repeat),
            "baseline": timed(lambda: baseline(user, year, today), args.repeat),
            "page": timed(lambda: client.get("/campaign/completeness/", secure=True), args.repeat),
        }
        print(f"code {code_version()} · {machine()} · {db.vendor}")
        print(f"{data['units']:,} reporting units, {data['reports']:,} reports")
        print(f"{'measure':<10}{'median s':>10}{'queries':>10}")
        for name, (seconds, queries) in results.items():
            print(f"{name:<10}{seconds:>10.3f}{queries:>10}")
    finally:
        db.drop()


if __name__ == "__main__":
    main()
