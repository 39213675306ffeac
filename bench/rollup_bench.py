#!/usr/bin/env python
"""Evaluation roll-up benchmark: the full roll-up (campaign.evaluation.services.compute, every
district, township and school, every quantitative indicator) against a naive per-unit ORM
loop measured in the same run, and the server time of the city and district dashboards.

Data (dedicated database, ``BenchDatabase``; ``--name`` chooses it): the demo reference data,
then through ``huzhou_care.bulk.RowInserter`` (COPY on PostgreSQL) the children, volunteers,
teachers, pairings and visits of ``bench/coverage_bench.py`` (``--children`` 1,000,000,
``--volunteers`` 200,000, ~2 visits per child), plus one volunteer team per school with the
volunteers as members and ``--records-per-volunteer`` (2) approved service records each, the
reporting units and a report from most of them for each deadline of the demo year.

Baseline: ``naive()`` computes the same numerators and denominators the way a first version
would, one ORM ``count()`` / ``aggregate()`` per unit and indicator, for every district
(``--naive-level county``) or every district, township and school (``all``: what the roll-up
produces). Both are timed once after a warm-up (the roll-up ``--repeat`` times).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python bench/rollup_bench.py --name wt_i12b_bench
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huzhou_care.settings")

from urllib.parse import urlsplit, urlunsplit  # noqa: E402

from bench._common import (  # noqa: E402
    BenchDatabase,
    bench_keys,
    code_version,
    django_setup,
    log,
    machine,
)
from bench.coverage_bench import (  # noqa: E402
    SEED,
    _children_insert,
    _pairings_insert,
    _schools_add,
    _teachers_insert,
    _volunteers_insert,
)

BATCH = 50_000


def _teams_and_hours(per_volunteer: int, as_of: dt.date) -> dict:
    from django.db import transaction
    from django.utils import timezone

    from huzhou_care.bulk import RowInserter
    from huzhou_care.orgs.models import School
    from volunteers.models import Membership, ServiceRecord, Team, Volunteer

    schools = list(School.objects.order_by("pk").values_list("pk", "county_id"))
    now = timezone.now()
    RowInserter(Team).insert(
        [
            {
                "code": f"BT{pk:07d}",
                "name": f"第{pk}学校志愿服务队",
                "kind": "school_staff",
                "school_id": pk,
                "county_id": county,
                "is_active": True,
                "imports_approved": False,
                "created_at": now,
            }
            for pk, county in schools
        ]
    )
    teams = list(
        Team.objects.filter(code__startswith="BT").order_by("pk").values_list("pk", flat=True)
    )
    volunteers = list(Volunteer.objects.order_by("pk").values_list("pk", flat=True))
    members, records = RowInserter(Membership), RowInserter(ServiceRecord)
    decided = timezone.make_aware(dt.datetime.combine(as_of - dt.timedelta(days=3), dt.time(9)))
    n_records = 0
    for start in range(0, len(volunteers), BATCH):
        chunk = volunteers[start : start + BATCH]
        with transaction.atomic():
            members.insert(
                [
                    {
                        "volunteer_id": v,
                        "team_id": teams[(start + i) % len(teams)],
                        "role": "member",
                        "state": "active",
                        "joined_on": dt.date(as_of.year, 1, 1),
                    }
                    for i, v in enumerate(chunk)
                ]
            )
            rows = []
            for i, v in enumerate(chunk):
                for k in range(per_volunteer):
                    rows.append(
                        {
                            "volunteer_id": v,
                            "team_id": teams[(start + i) % len(teams)],
                            "service_date": as_of - dt.timedelta(days=10 + (i + k * 37) % 200),
                            "hours": 1 + (i + k) % 4,
                            "activity_name": f"周末辅导{k}",
                            "programme": "",
                            "source": "entered",
                            "state": "approved" if (i + k) % 5 else "pending",
                            "decline_reason": "",
                            "decided_at": decided if (i + k) % 5 else None,
                            "created_at": decided - dt.timedelta(days=1),
                        }
                    )
            records.insert(rows)
            n_records += len(rows)
    return {"teams": len(teams), "records": n_records}


def _reports(as_of: dt.date) -> dict:
    from django.utils import timezone

    from campaign import services
    from campaign.models import CampaignYear, ReportingUnit, ReportTemplate, StageReport
    from huzhou_care.bulk import RowInserter

    services.reporting_units_sync(joined_on=dt.date(as_of.year, 1, 1))
    year = CampaignYear.objects.filter(is_current=True).first()
    templates = list(
        ReportTemplate.objects.filter(
            deadline__stage__year=year, deadline__due_on__lte=as_of
        ).select_related("deadline")
    )
    units = list(ReportingUnit.objects.all())
    have = set(StageReport.objects.values_list("template_id", "unit_id"))
    rows = []
    for t in templates:
        for n, u in enumerate(units):
            if u.kind in t.unit_kinds and (t.pk, u.pk) not in have and n % 7:
                due = timezone.make_aware(dt.datetime.combine(t.deadline.due_on, dt.time(10)))
                rows.append(
                    {
                        "template_id": t.pk,
                        "unit_id": u.pk,
                        "status": "submitted",
                        "texts": {},
                        "figures": {},
                        "submitted_at": due + dt.timedelta(days=n % 3 - 1),
                        "late": n % 3 == 2,
                        "ever_late": n % 3 == 2,
                        "reopened": False,
                        "review_comment": "",
                        "created_at": due,
                    }
                )
    RowInserter(StageReport).insert(rows)
    return {"units": len(units), "templates": len(templates), "reports": len(rows)}


def naive(year: int, as_of: dt.date, level: str) -> dict:
    """The per-unit loop: one ORM query per unit and measure (numerator and denominator)."""
    from django.db.models import Q, Sum

    from campaign.evaluation.measures import Context
    from campaign.models import ReportingUnit, ReportTemplate, StageReport
    from children.models import Child
    from huzhou_care.orgs.models import OrgUnit, School
    from pairing.models import ChildPairing, Visit
    from volunteers.models import Membership, ServiceRecord

    ctx = Context(year=year, as_of=as_of)
    units = [
        ("county_id", pk)
        for pk in OrgUnit.objects.filter(level="county").values_list("pk", flat=True)
    ]
    if level == "all":
        units += [
            ("township_id", pk)
            for pk in OrgUnit.objects.filter(level="township").values_list("pk", flat=True)
        ]
        units += [("school_id", pk) for pk in School.objects.values_list("pk", flat=True)]
    out = {}
    for col, pk in units:
        children = Child.objects.as_of(as_of).filter(created_at__lt=ctx.bound, **{col: pk})
        den = children.count()
        complete = (
            children.exclude(guardian_name="")
            .exclude(guardian_relation="")
            .exclude(current_address="")
            .exclude(left_behind_type="")
            .count()
        )
        cells = {"registry": (complete, den)}
        for kind in ("staff", "volunteer"):
            paired = (
                ChildPairing.objects.filter(
                    kind=kind, started_on__lte=as_of, created_at__lt=ctx.bound
                )
                .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=as_of))
                .values("child_id")
            )
            cells[kind] = (children.filter(pk__in=paired).count(), den)
        visited = Visit.objects.filter(
            visited_on__gt=as_of - dt.timedelta(days=30),
            visited_on__lte=as_of,
            created_at__lt=ctx.bound,
        ).values("child_id")
        cells["visited"] = (children.filter(pk__in=visited).count(), den)
        team = {
            "county_id": "team__county_id",
            "township_id": "team__school__township_id",
            "school_id": "team__school_id",
        }[col]
        hours = ServiceRecord.objects.filter(
            state="approved",
            decided_at__lt=ctx.bound,
            service_date__year=year,
            service_date__lte=as_of,
            **{team: pk},
        ).aggregate(h=Sum("hours"))["h"]
        people = (
            Membership.objects.filter(
                state="active", volunteer__created_at__lt=ctx.bound, **{team: pk}
            )
            .values("volunteer_id")
            .distinct()
            .count()
        )
        cells["hours"] = (hours, people)
        unit_col = {
            "county_id": "county_id",
            "township_id": "school__township_id",
            "school_id": "school_id",
        }[col]
        expected = done = 0
        for t in ReportTemplate.objects.filter(
            deadline__stage__year__year=year, deadline__due_on__lte=as_of
        ).select_related("deadline"):
            owing = ReportingUnit.objects.filter(
                kind__in=t.unit_kinds, joined_on__lt=t.deadline.due_on, **{unit_col: pk}
            )
            expected += owing.count()
            done += StageReport.objects.filter(
                template=t,
                unit__in=owing,
                status__in=["submitted", "approved"],
                submitted_at__lt=ctx.bound,
            ).count()
        cells["reports"] = (done, expected)
        out[(col, pk)] = cells
    return out


def _time(func, repeat=1):
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        func()
        samples.append(time.perf_counter() - started)
    return {"median_s": statistics.median(samples), "min_s": min(samples), "runs": len(samples)}


def measure(args, figures: dict) -> None:
    from django.core.signals import request_started
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from campaign.evaluation import services
    from children.models import Child
    from huzhou_care.accounts.models import Role, User
    from huzhou_care.orgs.models import OrgUnit
    from pairing.models import ChildPairing, Visit
    from volunteers.models import ServiceRecord, Volunteer

    request_started.disconnect(reset_queries)
    as_of = dt.date.fromisoformat(args.as_of)
    year = as_of.year
    figures["data"] = {
        "children": Child.objects.count(),
        "volunteers": Volunteer.objects.count(),
        "pairings": ChildPairing.objects.count(),
        "visits": Visit.objects.count(),
        "service records": ServiceRecord.objects.count(),
    }
    log(f"data: {figures['data']}")
    table = services.table_for(year)
    services.compute(year, as_of, table)  # warm-up
    with CaptureQueriesContext(connection) as q:
        services.compute(year, as_of, table)
    figures["rollup_queries"] = len(q.captured_queries)
    figures["rollup"] = _time(lambda: services.compute(year, as_of, table), args.repeat)
    log(f"roll-up: {figures['rollup']}")
    figures["rollup_store"] = _time(lambda: services.rollup(year, as_of))
    with CaptureQueriesContext(connection) as q:
        figures["naive"] = _time(lambda: naive(year, as_of, args.naive_level))
    figures["naive_queries"] = len(q.captured_queries)
    figures["naive_level"] = args.naive_level
    log(f"naive ({args.naive_level}): {figures['naive']}, {figures['naive_queries']} queries")

    # The dashboards read pre-aggregated figures (campaign/evaluation/counts.py), taken by the
    # roll-up task, on demand and when stale: time one refresh, then the pages read it.
    from campaign.evaluation import counts

    figures["counts_refresh"] = _time(counts.refresh, 2)
    figures["counts_rows"] = counts.latest().figures.count()
    log(f"dashboard figures refresh: {figures['counts_refresh']}, {figures['counts_rows']} rows")
    figures["machine_at_pages"] = machine()

    district = OrgUnit.objects.get(level="county", name="吴兴区")
    pages = [
        (
            "city admin",
            User.objects.filter(role=Role.CITY_ADMIN).order_by("pk").first(),
            "/campaign/dashboard/",
        ),
        (
            "city officer",
            User.objects.filter(role=Role.CITY_OFFICER).order_by("pk").first(),
            "/campaign/dashboard/",
        ),
        (
            "district 吴兴区",
            User.objects.filter(role=Role.DISTRICT_STAFF, district=district).order_by("pk").first(),
            "/campaign/dashboard/district/",
        ),
        (
            "city admin",
            User.objects.filter(role=Role.CITY_ADMIN).order_by("pk").first(),
            "/campaign/evaluation/",
        ),
    ]
    figures["pages"] = []
    for who, user, url in pages:
        if user is None:
            continue
        client = Client()
        client.force_login(user)
        for _ in range(args.warmup):
            assert client.get(url).status_code == 200

        from django.core.cache import cache

        cache.clear()
        with CaptureQueriesContext(connection) as q:
            client.get(url)
        cold_queries = len(q.captured_queries)
        cold = []
        for _ in range(args.page_repeat):
            cache.clear()  # the dashboards are cached 5 minutes: time the build
            started = time.perf_counter()
            client.get(url)
            cold.append((time.perf_counter() - started) * 1000)
        cold.sort()
        samples = []
        for _ in range(args.page_repeat):
            started = time.perf_counter()
            client.get(url)
            samples.append((time.perf_counter() - started) * 1000)
        samples.sort()
        figures["pages"].append(
            {
                "user": who,
                "url": url,
                "median_ms": statistics.median(samples),
                "p90_ms": samples[int(0.9 * (len(samples) - 1))],
                "cold_median_ms": statistics.median(cold),
                "cold_p90_ms": cold[int(0.9 * (len(cold) - 1))],
                "cold_queries": cold_queries,
            }
        )
        log(f"{who} {url}: {figures['pages'][-1]}")


def report(figures: dict) -> None:
    r, n = figures["rollup"], figures["naive"]
    print()
    print(f"Roll-up benchmark: {figures['database']} ({figures['name']}), data {figures['data']}")
    print(f"code {figures['code']}; {figures.get('machine_at_start')}")
    if figures.get("generate_seconds"):
        print(f"generated {figures.get('generated')} in {figures['generate_seconds']:.0f}s")
    speedup = n["median_s"] / r["median_s"] if r["median_s"] else float("inf")
    print(
        f"full roll-up (set-based, {figures['rollup_queries']} queries): {r['median_s']:.2f} s median of {r['runs']}"
        f"  target < 30 s: {'ok' if r['median_s'] < 30 else 'MISSED'}"
    )
    print(
        f"roll-up stored as a snapshot (first run of the date): {figures['rollup_store']['median_s']:.2f} s"
    )
    print(
        f"naive per-unit ORM loop ({figures['naive_level']}, {figures['naive_queries']} queries): {n['median_s']:.2f} s"
    )
    print(f"speed-up: {speedup:.1f}x  target >= 10x: {'ok' if speedup >= 10 else 'MISSED'}")
    if figures.get("counts_refresh"):
        print(
            f"dashboard figures refresh (counts.py, {figures['counts_rows']} rows): "
            f"{figures['counts_refresh']['median_s']:.2f} s median of {figures['counts_refresh']['runs']}"
        )
    print(f"pages measured at: {figures.get('machine_at_pages')}")
    print("dashboard server time (ms): cold = the figures built (cache cleared), warm = cached")
    for p in figures["pages"]:
        print(
            f"  {p['user']:<16} {p['url']:<32} ({p.get('cold_queries')} SQL) cold median {p['cold_median_ms']:7.1f} "
            f"p90 {p['cold_p90_ms']:7.1f} | warm median {p['median_ms']:6.1f} p90 {p['p90_ms']:6.1f}"
            f"  target < 300 ms (cold): {'ok' if p['cold_median_ms'] < 300 else 'MISSED'}"
        )


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--children", type=int, default=1_000_000)
    parser.add_argument("--volunteers", type=int, default=200_000)
    parser.add_argument("--schools", type=int, default=600, help="schools added to the demo's")
    parser.add_argument("--records-per-volunteer", type=int, default=2)
    parser.add_argument("--as-of", default=None, help="YYYY-MM-DD (default: yesterday)")
    parser.add_argument("--naive-level", choices=["county", "all"], default="all")
    parser.add_argument("--name", help="name of the bench database (created, then dropped)")
    parser.add_argument("--reuse", metavar="DBNAME", help="measure this filled database")
    parser.add_argument("--keep", action="store_true", help="keep the bench database")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--page-repeat", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--json", metavar="PATH")
    args = parser.parse_args(argv)
    args.as_of = args.as_of or (dt.date.today() - dt.timedelta(days=1)).isoformat()

    db = BenchDatabase(reuse=args.reuse, keep=args.keep)
    if args.name and not args.reuse and db.vendor == "postgresql":
        db.name = args.name
        db.url = urlunsplit(urlsplit(db.url)._replace(path="/" + args.name))
    figures: dict = {"database": db.vendor, "name": db.name, "code": code_version()}
    log(f"using {db.describe()}")
    try:
        if not args.reuse:
            db.create()
            db.migrate()
            db.manage("seed_demo", "--children", "0", "--seed", str(SEED))
        os.environ["DATABASE_URL"] = db.url
        os.environ.update(bench_keys())
        django_setup()
        from django.db import connection

        if not args.reuse:
            started = time.perf_counter()
            as_of = dt.date.fromisoformat(args.as_of)
            _schools_add(args.schools)
            _children_insert(args.children)
            log("children inserted")
            from django.utils import timezone

            from children.models import Child

            Child.objects.update(
                current_address="某村", created_at=timezone.now() - dt.timedelta(days=90)
            )
            volunteers = _volunteers_insert(args.volunteers)
            log(f"volunteers inserted: {len(volunteers):,}")
            teachers = _teachers_insert()
            generated = _pairings_insert(volunteers, teachers)
            log(f"pairings and visits: {generated}")
            from pairing.models import ChildPairing, Visit

            back = timezone.now() - dt.timedelta(days=60)
            ChildPairing.objects.update(created_at=back)
            Visit.objects.filter(visited_on__lte=as_of).update(created_at=back)
            generated |= _teams_and_hours(args.records_per_volunteer, as_of)
            generated |= _reports(as_of)
            figures["generated"] = generated
            figures["generate_seconds"] = time.perf_counter() - started
            log(f"generated in {figures['generate_seconds']:.0f}s: {generated}")
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
        figures["machine_at_start"] = machine()
        measure(args, figures)
        connection.close()
    finally:
        db.drop()
    report(figures)
    if args.json:
        Path(args.json).write_text(
            json.dumps(figures, ensure_ascii=False, indent=2, default=str), encoding="utf-8"
        )


if __name__ == "__main__":
    main()
