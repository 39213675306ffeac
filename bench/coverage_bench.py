#!/usr/bin/env python
"""Coverage and overdue benchmark: server time of the district and city coverage pages and of
the overdue list on a big registry with its pairings and visits.

Fills a dedicated database (``BenchDatabase``; ``--name`` to choose its name) with the demo
reference data (``seed_demo --children 0``: schools, organisations, one account per role),
``--schools`` more schools, then, all through ``huzhou_care.bulk.RowInserter`` (COPY on
PostgreSQL): ``--children`` children (default 1,000,000), ``--volunteers`` volunteer accounts
with their volunteer profiles (200,000), three teachers per school, and the pairings and a
year of visits that ``pairing.demo.PairingWriter`` (the seed_demo writer) gives them: about
90 % of the children paired with a teacher, 25 % with a volunteer, ~2 visits per child.

Then, signed in (``force_login``) as the 吴兴区 district staff and the city admin, through
Django's test ``Client`` in this process: /pairing/coverage/ (by township or county, and by
school) and /pairing/overdue/. Each URL: ``--warmup`` (2) warm-ups, ``--repeat`` (10) timed
requests, median and p90, and the number of SQL queries. Baseline in the same run: the
selectors alone (no template, no middleware), and the home page / (an existing page of known
cost) for the same users. Pages over ``--slow-ms`` (300) get their slowest SQL EXPLAINed.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python bench/coverage_bench.py --name wt_i9_bench
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
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
    code_version,
    django_setup,
    ljust,
    log,
    machine,
)
from bench.list_bench import _timed, explain  # noqa: E402

DISTRICT = "吴兴区"
SEED = 1
BATCH = 50_000
SURNAMES = "沈王张陈李徐吴朱钱周杨姚费施陆潘孙金邱闵俞胡蒋刘黄赵丁马顾范"
GIVEN = [
    "梓涵",
    "子轩",
    "欣怡",
    "浩然",
    "雨桐",
    "宇航",
    "诗琪",
    "俊杰",
    "思彤",
    "一诺",
    "佳怡",
    "明轩",
]


def _schools_add(count: int) -> None:
    from huzhou_care.orgs.models import OrgUnit, School

    townships = list(
        OrgUnit.objects.filter(level=OrgUnit.Level.TOWNSHIP)
        .select_related("parent")
        .order_by("code")
    )
    School.objects.bulk_create(
        [
            School(
                code=f"B{i:08d}",
                name=f"{townships[i % len(townships)].name}第{i}小学",
                kind=School.Kind.PRIMARY,
                county_id=townships[i % len(townships)].parent_id,
                township_id=townships[i % len(townships)].pk,
            )
            for i in range(count)
        ],
        ignore_conflicts=True,
    )


def _children_insert(total: int) -> None:
    from django.db import transaction

    from children.models import Child
    from huzhou_care.bulk import RowInserter
    from huzhou_care.orgs.models import School

    schools = list(School.objects.order_by("pk").values_list("pk", "county_id", "township_id"))
    inserter = RowInserter(Child)
    for start in range(0, total, BATCH):
        rows = []
        for i in range(start, min(start + BATCH, total)):
            school, county, township = schools[i % len(schools)]
            rows.append(
                {
                    "name": SURNAMES[i % len(SURNAMES)] + GIVEN[(i // 7) % len(GIVEN)],
                    "gender": "M" if i % 2 else "F",
                    "id_number": f"B{i:017d}",
                    "birth_date": dt.date(2012 + i % 8, 1 + i % 12, 1 + i % 28),
                    "county_id": county,
                    "township_id": township,
                    "school_id": school,
                    "grade": 1 + i % 9,
                    "class_name": f"{1 + (i // 9) % 4}班",
                    "left_behind_type": "both_away",
                    "guardianship_type": "none" if i % 97 == 0 else "grandparent",
                    "guardian_name": "王秀英",
                    "guardian_phone": "13812345678",
                    "registered_on": dt.date(2025, 9, 1),
                    "status": "active",
                }
            )
        with transaction.atomic():
            inserter.insert(rows)
        if (start // BATCH) % 5 == 4:
            log(f"children: {start + len(rows):,}")


def _volunteers_insert(total: int) -> list[int]:
    from django.db import transaction
    from django.utils import timezone

    from huzhou_care.accounts.models import Role, User
    from huzhou_care.bulk import RowInserter
    from huzhou_care.orgs.models import Organization
    from volunteers.models import Volunteer

    orgs = list(
        Organization.objects.filter(level=Organization.Level.CITY).values_list("pk", flat=True)
    )
    users, profiles, now = RowInserter(User), RowInserter(Volunteer), timezone.now()
    for start in range(0, total, BATCH):
        stop = min(start + BATCH, total)
        with transaction.atomic():
            users.insert(
                [
                    {
                        "username": f"bv{i:07d}",
                        "password": "!bench",
                        "full_name": SURNAMES[i % len(SURNAMES)] + "志愿者",
                        "role": Role.VOLUNTEER,
                        "organization_id": orgs[i % len(orgs)],
                        "is_active": True,
                        "date_joined": now,
                    }
                    for i in range(start, stop)
                ]
            )
            ids = dict(
                User.objects.filter(username__startswith="bv")
                .filter(username__gte=f"bv{start:07d}", username__lt=f"bv{stop:07d}")
                .values_list("username", "pk")
            )
            profiles.insert(
                [
                    {
                        "name": SURNAMES[i % len(SURNAMES)] + "志愿者",
                        "zyh_account": f"zyh{i:07d}",
                        "user_id": ids[f"bv{i:07d}"],
                        "created_at": now,
                    }
                    for i in range(start, stop)
                ]
            )
    return list(
        User.objects.filter(username__startswith="bv").order_by("pk").values_list("pk", flat=True)
    )


def _teachers_insert() -> dict[int, list[int]]:
    from django.utils import timezone

    from huzhou_care.accounts.models import Role, User
    from huzhou_care.bulk import RowInserter
    from huzhou_care.orgs.models import School

    now = timezone.now()
    schools = list(School.objects.order_by("pk").values_list("pk", "code"))
    RowInserter(User).insert(
        [
            {
                "username": f"bt{code}_{n}",
                "password": "!bench",
                "full_name": "老师",
                "role": Role.VOLUNTEER,
                "school_id": pk,
                "is_active": True,
                "date_joined": now,
            }
            for pk, code in schools
            for n in range(3)
        ]
    )
    by_school: dict[int, list[int]] = {}
    for pk, school in User.objects.filter(username__startswith="bt").values_list("pk", "school_id"):
        by_school.setdefault(school, []).append(pk)
    return by_school


def _pairings_insert(volunteers: list[int], teachers: dict) -> dict:
    from django.utils import timezone

    from children.models import Child
    from huzhou_care.accounts.models import Role, User
    from pairing.demo import PairingWriter

    admin = User.objects.filter(role=Role.CITY_ADMIN).order_by("pk").first()
    writer = PairingWriter(anchor=timezone.localdate(), seed="bench", created_by_id=admin.pk)
    last = 0
    while True:
        batch = list(
            Child.objects.filter(pk__gt=last)
            .order_by("pk")
            .values_list("pk", "county_id", "township_id", "school_id", "grade", "class_name")[
                :5000
            ]
        )
        if not batch:
            break
        writer.write(batch, teachers=teachers, volunteers=volunteers)
        last = batch[-1][0]
        if writer.pairings // 100_000 != (writer.pairings - len(batch)) // 100_000:
            log(f"pairings {writer.pairings:,}, visits {writer.visits:,}")
    return {"pairings": writer.pairings, "visits": writer.visits, "messages": writer.messages}


def generate(args, figures: dict) -> None:
    started = time.perf_counter()
    _schools_add(args.schools)
    log("schools added")
    _children_insert(args.children)
    log("children inserted")
    volunteers = _volunteers_insert(args.volunteers)
    log(f"volunteers inserted: {len(volunteers):,}")
    teachers = _teachers_insert()
    figures["generated"] = _pairings_insert(volunteers, teachers)
    from pairing.demo import tallies_rebuild

    figures["generated"]["tallies"] = tallies_rebuild()
    figures["generate_seconds"] = time.perf_counter() - started
    log(f"generated in {figures['generate_seconds']:.0f}s: {figures['generated']}")


def measure(args, figures: dict) -> None:
    from django.core.paginator import Paginator
    from django.core.signals import request_started
    from django.db import connection, reset_queries
    from django.test import Client

    from campaign.selectors import home_summary
    from children.models import Child
    from huzhou_care.accounts.models import Role, User
    from huzhou_care.orgs.models import OrgUnit
    from pairing import selectors
    from pairing.models import ChildPairing, Visit
    from pairing.views import PAGE_SIZE
    from volunteers.models import Volunteer

    request_started.disconnect(reset_queries)
    district = OrgUnit.objects.get(level=OrgUnit.Level.COUNTY, name=DISTRICT)
    users = [
        (
            f"district {DISTRICT}",
            User.objects.filter(role=Role.DISTRICT_STAFF, district=district).order_by("pk").first(),
            "township",
        ),
        ("city admin", User.objects.filter(role=Role.CITY_ADMIN).order_by("pk").first(), "county"),
    ]
    figures["data"] = {
        "children": Child.objects.count(),
        "volunteers": Volunteer.objects.count(),
        "pairings": ChildPairing.objects.count(),
        "visits": Visit.objects.count(),
        f"children in {DISTRICT}": Child.objects.filter(county=district).count(),
    }
    log(f"data: {figures['data']}")
    results = figures["results"] = []
    for who, user, level in users:
        client = Client()
        client.force_login(user)
        pages = [
            (
                f"/pairing/coverage/ (by {level})",
                f"/pairing/coverage/?by={level}",
                "coverage",
                level,
            ),
            (
                f"/pairing/coverage/?by=school ({DISTRICT})",
                f"/pairing/coverage/?by=school&county={district.pk}",
                "coverage",
                "school",
            ),
            ("/pairing/overdue/", "/pairing/overdue/", "overdue", None),
            ("/ (home, reference)", "/", "home", None),
        ]
        for label, url, kind, by in pages:

            def page(url=url, client=client):
                response = client.get(url)
                if response.status_code != 200:
                    raise SystemExit(f"{url}: HTTP {response.status_code}")
                return response

            if kind == "coverage":

                def base(user=user, by=by):
                    # A city-wide user's school table is one county's (the page's tabs).
                    narrow = district if by == "school" and user.sees_whole_city else None
                    return selectors.coverage(user, by=by, county=narrow)
            elif kind == "overdue":

                def base(user=user):
                    qs, _days = selectors.overdue(user)
                    found = Paginator(qs, PAGE_SIZE).get_page(1)
                    return found.paginator.count, list(found.object_list)
            else:

                def base(user=user):
                    return home_summary(user)

            server, server_queries, captured = _timed(page, warmup=args.warmup, repeat=args.repeat)
            sel, sel_queries, _ = _timed(base, warmup=args.warmup, repeat=args.repeat)
            row = {
                "user": who,
                "url": label,
                "server": server,
                "server_queries": server_queries,
                "selectors": sel,
                "selectors_queries": sel_queries,
                "slowest": sorted(
                    (q for q in captured if q["sql"].lstrip().upper().startswith("SELECT")),
                    key=lambda q: float(q["time"]),
                    reverse=True,
                )[:2],
            }
            if server["median_ms"] > args.slow_ms:
                row["explain"] = [explain(connection, q["sql"]) for q in row["slowest"]]
            results.append(row)
            log(
                f"{who} {label}: page {server['median_ms']:.1f} ms (p90 {server['p90_ms']:.1f}),"
                f" {server_queries} queries; selectors {sel['median_ms']:.1f} ms"
            )


def report(figures: dict, args) -> None:
    print()
    print(f"Coverage benchmark: {figures['database']} ({figures['name']}), data {figures['data']}")
    print(f"code {figures['code']}; {figures.get('machine_at_start')} (start)")
    if figures.get("generate_seconds"):
        print(f"generated {figures['generated']} in {figures['generate_seconds']:.0f}s")
    head = (
        f"{ljust('user', 16)} {ljust('url', 34)} {'page med':>9} {'p90':>8} {'SQL':>4}  "
        f"{'selectors med':>13} {'p90':>8} {'SQL':>4}  target"
    )
    print(head)
    print("-" * len(head))
    for row in figures["results"]:
        s, b = row["server"], row["selectors"]
        target = (
            "-"
            if "home" in row["url"]
            else ("ok" if s["median_ms"] < args.slow_ms else f"> {args.slow_ms:.0f} ms")
        )
        print(
            f"{ljust(row['user'], 16)} {ljust(row['url'], 34)} {s['median_ms']:>9.1f} "
            f"{s['p90_ms']:>8.1f} {row['server_queries']:>4}  {b['median_ms']:>13.1f} "
            f"{b['p90_ms']:>8.1f} {row['selectors_queries']:>4}  {target}"
        )
    print(
        "(ms; page = the whole request through the test Client; selectors = the page's"
        " selectors alone; / is the existing home page, for reference)"
    )
    for row in figures["results"]:
        for query, plan in zip(row["slowest"], row.get("explain") or [], strict=False):
            print(f"\n===== {row['user']} {row['url']} =====\n{query['sql']}\n{plan}")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--children", type=int, default=1_000_000)
    parser.add_argument("--volunteers", type=int, default=200_000)
    parser.add_argument("--schools", type=int, default=600, help="schools added to the demo's")
    parser.add_argument("--name", help="name of the bench database (created, then dropped)")
    parser.add_argument("--reuse", metavar="DBNAME", help="measure this filled database")
    parser.add_argument("--keep", action="store_true", help="keep the bench database")
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--slow-ms", type=float, default=300.0)
    parser.add_argument("--json", metavar="PATH")
    args = parser.parse_args(argv)

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
        django_setup()
        from django.db import connection

        if not args.reuse:
            generate(args, figures)
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


if __name__ == "__main__":
    main()
