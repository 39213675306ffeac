#!/usr/bin/env python
"""Roster import benchmark: our import against django-import-export, on a dedicated database.

Builds a school roster .xlsx of ``--rows`` children (default 50,000) with the 30 canonical
Chinese headers of ``children/roster/headers.py`` and values as a school clerk writes them
(男/女, 双亲外出务工, 祖辈监护, 较好, 是/否, 三年级, 2班, townships of the school's county,
valid unique resident IDs of that county, ages 6-15 today, 11-digit mobiles), then measures,
each phase in its own subprocess (peak RSS = that process's ``ru_maxrss``):

=============  ==============================================================================
parse          ``parse_roster`` only: reading and checking the file (the floor)
ours-empty     our import end to end (read bytes, parse_roster, roster_plan, roster_apply)
               into an empty registry (a fresh school)
ours-reimport  the same file again: every row unchanged (the compare path)
baseline       django-import-export's ``ModelResource.import_data`` (library defaults: one
               SELECT + one INSERT + a savepoint per row, a diff per row) of a file of the
               same kind into an empty registry (fresh school, new IDs); ``--baseline-rows N``
               imports an N-row file and the rate is per row
baseline-bulk  the same resource with ``use_bulk=True, skip_diff=True, batch_size=2000``
               (the library's own fast path; ``--no-baseline-bulk`` skips it)
ours-full      ``seed_demo --children F --seed 7`` (``--full F``, default 200,000) first, then
               a second ``--rows`` file (other school, other IDs) end to end
=============  ==============================================================================

The registry is emptied (children and their change records) before each "empty" phase.
Seconds are wall-clock from reading the file's bytes to the committed import; Django set-up
is excluded, but its memory is in the peak RSS. Nothing is asserted: the figures, the
ratios and the targets (ours >= 10x baseline, >= 5,000 rows/s, peak < 400 MB) are printed.

Database: with ``DATABASE_URL=postgres://USER@HOST:PORT/DB`` a database
``huzhou_bench_<pid>`` is created on that server and dropped at the end (``--keep`` keeps
it); otherwise a temporary SQLite file. The developer's database is never touched.

    .venv/bin/python bench/import_bench.py --rows 50000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python bench/import_bench.py --rows 50000 --json var/import-bench.json

``--profile`` runs the ours-* phases under cProfile and prints where the time goes (the
profiled timings are slower; the table is then not comparable with an unprofiled run).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huzhou_care.settings")

from bench._common import (  # noqa: E402
    PYTHON,
    BenchDatabase,
    code_version,
    django_setup,
    log,
    machine,
    peak_rss_mb,
)

COUNTY = "吴兴区"
CALAMINE_READ = (
    "import sys; from python_calamine import CalamineWorkbook; "
    "CalamineWorkbook.from_path(sys.argv[1]).get_sheet_by_index(0).to_python()"
)
RESULT_PREFIX = "@@RESULT "
TARGET_RATIO = 10.0
TARGET_RATE = 5_000.0
TARGET_RSS_MB = 400.0

SCHOOLS = {
    "empty": ("BENCH-A", "基准测试甲小学"),
    "baseline": ("BENCH-B", "基准测试乙小学"),
    "full": ("BENCH-C", "基准测试丙小学"),
}


# =========================================================================== the roster file
def _birth_between(rng: random.Random, today: dt.date, age: int) -> dt.date:
    """A birth date giving exactly ``age`` (周岁) on ``today``."""
    from children.demo import years_before

    latest = years_before(today, age)
    earliest = years_before(today, age + 1) + dt.timedelta(days=1)
    return earliest + dt.timedelta(days=rng.randint(0, (latest - earliest).days))


def _pick(rng: random.Random, pairs: list[tuple[str, int]]) -> str:
    return rng.choices([value for value, _ in pairs], weights=[w for _, w in pairs])[0]


def make_roster(spec: dict) -> dict:
    """Write the roster file of ``spec`` (rows, slot, seed, school) and create its school.

    Resident IDs are unique within the file and not registered yet; files of different
    ``slot`` never share an ID (the 3-digit order is ``slot`` or ``slot + 3`` modulo 6).
    """
    import openpyxl

    from children import choices as c
    from children.demo import school_grade
    from children.identity import age_on, resident_id_build
    from children.models import Child
    from children.roster.headers import CANONICAL_HEADERS
    from huzhou_care.demo import catalog
    from huzhou_care.orgs.models import OrgUnit, School

    today = _today()
    county = OrgUnit.objects.get(level=OrgUnit.Level.COUNTY, name=COUNTY)
    townships = list(
        OrgUnit.objects.filter(parent=county, level=OrgUnit.Level.TOWNSHIP)
        .order_by("code")
        .values_list("pk", "name")
    )
    code, name = spec["school"]
    school, _ = School.objects.get_or_create(
        code=code,
        defaults={
            "name": name,
            "kind": School.Kind.NINE_YEAR,
            "county": county,
            "township_id": townships[0][0],
        },
    )
    division = county.division_prefix
    # The ID numbers are encrypted: decrypt this county's (a bench set-up step, not timed).
    taken = {
        sealed.reveal()
        for sealed in Child.objects.filter(county=county).values_list("id_number", flat=True)
    }
    rng = random.Random(spec["seed"] * 1000 + spec["slot"])
    slot = spec["slot"]
    male_residue, female_residue = (slot, slot + 3) if slot % 2 else (slot + 3, slot)

    def label(choice) -> str:
        return str(choice.label)

    surnames = catalog.SURNAMES
    headers = [header for _, header in CANONICAL_HEADERS]
    keys = [key for key, _ in CANONICAL_HEADERS]
    grades = c.GRADE_LABELS
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("留守儿童名册")
    ws.append(headers)
    for _ in range(spec["rows"]):
        male = rng.random() < 0.53
        age = rng.randint(6, 15)
        residue = male_residue if male else female_residue
        while True:
            birth = _birth_between(rng, today, age)
            order = residue + 6 * rng.randrange(0, (999 - residue) // 6 + 1)
            number = resident_id_build(division, birth, order)
            if order and number not in taken:
                taken.add(number)
                break
        assert 6 <= age_on(birth, today) <= 15
        surname = rng.choice(surnames)
        mother_surname = rng.choice(surnames)
        township = rng.choice(townships)[1]
        village = rng.choice(catalog.VILLAGE_NAMES) + "村"
        one_away = rng.random() < 0.04  # 一方外出另一方无监护能力: the other parent guards
        guardianship = (
            c.GuardianshipType.ONE_PARENT
            if one_away
            else _pick(
                rng,
                [
                    (c.GuardianshipType.GRANDPARENT, 89),
                    (c.GuardianshipType.RELATIVE, 3),
                    (c.GuardianshipType.NONE, 4),
                ],
            )
        )
        father_place = _pick(rng, catalog.WORK_PLACES)
        row = {
            "name": surname + rng.choice(catalog.BOY_NAMES if male else catalog.GIRL_NAMES),
            "gender": "男" if male else "女",
            "ethnicity": "汉族",
            "id_number": number,
            "birth_date": birth,
            "grade": grades[min(max(school_grade(birth, today), 1), 9)],
            "class_name": f"{rng.randint(1, 8)}班",
            "township": township,
            "village": village,
            "current_address": f"湖州市{COUNTY}{township}{village}{rng.randint(1, 12)}组"
            f"{rng.randint(1, 99)}号",
            "boarding": "是" if rng.random() < 0.1 else "否",
            "left_behind_type": label(
                c.LeftBehindType.ONE_AWAY_OTHER_INCAPABLE
                if one_away
                else c.LeftBehindType.BOTH_AWAY
            ),
            "guardianship_type": label(guardianship),
            "guardianship_assessment": _pick(rng, [("较好", 55), ("一般", 38), ("差", 7)]),
            "father_name": surname + rng.choice(catalog.MEN_NAMES),
            "father_work_place": father_place,
            "father_phone": _phone(rng),
            "mother_name": mother_surname + rng.choice(catalog.WOMEN_NAMES),
            "mother_work_place": father_place
            if rng.random() < 0.65
            else _pick(rng, catalog.WORK_PLACES),
            "mother_phone": _phone(rng),
            "study_status": _pick(rng, [("优秀", 20), ("良好", 40), ("一般", 32), ("较差", 8)]),
            "living_status": _pick(rng, [("良好", 55), ("一般", 40), ("困难", 5)]),
            "low_income": "是" if rng.random() < 0.05 else "否",
            "in_difficulty": "是" if rng.random() < 0.03 else "否",
            "notes": rng.choice(catalog.NOTES) if rng.random() < 0.06 else "",
        }
        if guardianship == c.GuardianshipType.NONE:
            row.update(guardian_name="", guardian_relation="", guardian_phone="")
        elif guardianship == c.GuardianshipType.ONE_PARENT:
            row.update(
                guardian_name=row["mother_name"],
                guardian_relation="母亲",
                guardian_phone=row["mother_phone"],
                mother_work_place="",
            )
        elif guardianship == c.GuardianshipType.GRANDPARENT:
            relation = rng.choice(["祖母", "祖母", "祖父", "外祖母", "外祖父"])
            pool = catalog.OLD_MEN_NAMES if relation.endswith("父") else catalog.OLD_WOMEN_NAMES
            row.update(
                guardian_name=rng.choice(surnames) + rng.choice(pool),
                guardian_relation=relation,
                guardian_phone=_phone(rng),
            )
        else:
            row.update(
                guardian_name=surname + rng.choice(catalog.MEN_NAMES),
                guardian_relation=rng.choice(["伯父", "叔叔", "姑姑", "舅舅", "姨妈"]),
                guardian_phone=_phone(rng),
            )
        roll = rng.random()
        if roll < 0.015:
            row.update(health="残疾", disability_category=rng.choice(catalog.DISABILITIES))
        elif roll < 0.035:
            row.update(health="患病", disability_category=rng.choice(catalog.ILLNESSES))
        else:
            row.update(health="健康", disability_category="")
        ws.append([row[key] for key in keys])
    wb.save(spec["file"])
    return {
        "rows": spec["rows"],
        "bytes": Path(spec["file"]).stat().st_size,
        "school_id": school.pk,
    }


def _phone(rng: random.Random) -> str:
    from huzhou_care.demo import catalog

    return f"{rng.choice(catalog.MOBILE_PREFIXES)}{rng.randrange(10**8):08d}"


def _hwm_mb() -> float | None:
    """Peak RSS so far from /proc (Linux), to see which step reached the peak."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def _today() -> dt.date:
    from django.utils import timezone

    return timezone.localdate()


# =========================================================================== the phases
def _school(code: str):
    from huzhou_care.orgs.models import School

    return School.objects.select_related("county", "township").get(code=code)


def phase_parse(spec: dict) -> dict:
    from children.roster.parse import parse_roster

    today = _today()
    started, cpu = time.perf_counter(), time.process_time()
    path = Path(spec["file"])
    parsed = parse_roster(path.read_bytes(), path.name, today=today)
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "cpu_seconds": time.process_time() - cpu,
        "rows": len(parsed.rows),
        "check": {"accepted": len(parsed.accepted), "rejected": len(parsed.rejected)},
    }


def phase_calamine(spec: dict) -> dict:
    """python-calamine merely reading every row of the file (issue 6 item 10's yardstick)."""
    from python_calamine import CalamineWorkbook

    started, cpu = time.perf_counter(), time.process_time()
    workbook = CalamineWorkbook.from_path(spec["file"])
    rows = workbook.get_sheet_by_index(0).to_python()
    return {
        "seconds": time.perf_counter() - started,
        "cpu_seconds": time.process_time() - cpu,
        "rows": len(rows) - 1,
        "check": {},
    }


def _stub_crypto() -> None:
    """The import as it was before encryption: values stored as given (same code path, the
    cipher and HMAC replaced by identity), to measure encryption's cost in the same run."""
    from huzhou_care.crypto.cipher import KeyRing

    KeyRing.encrypt = lambda self, plaintext, purpose: f"{self.current_id}:{plaintext}"
    KeyRing.blind_index = lambda self, domain, normalised: normalised


def phase_ours(spec: dict) -> dict:
    """What ``manage.py import_roster PATH --school CODE`` does, timed step by step."""
    if spec.get("clear"):
        _stub_crypto()
    from children.roster.parse import parse_roster
    from children.roster.plan import roster_apply, roster_plan
    from huzhou_care.audit.models import ChangeRecord
    from huzhou_care.audit.services import ChangeSource

    school = _school(spec["school"][0])
    today = _today()
    started, cpu = time.perf_counter(), time.process_time()
    path = Path(spec["file"])
    parsed = parse_roster(path.read_bytes(), path.name, today=today)
    parsed_at, parsed_hwm = time.perf_counter(), _hwm_mb()
    plan = roster_plan(parsed, school, today=today)
    planned_at, planned_hwm = time.perf_counter(), _hwm_mb()
    source = ChangeSource(None, ChangeRecord.Source.IMPORT, f"bench:{path.name}"[:64])
    summary = roster_apply(plan, school=school, source=source, today=today)
    done = time.perf_counter()
    errors = [f"row {p.row.row_number}: {e.code} {e.message}" for p in plan.rows for e in p.errors][
        :5
    ]
    return {
        "seconds": done - started,
        "cpu_seconds": time.process_time() - cpu,
        "rows": summary["rows"],
        "steps": {
            "parse": parsed_at - started,
            "plan": planned_at - parsed_at,
            "apply": done - planned_at,
        },
        "steps_peak_rss_mb": {"parse": parsed_hwm, "plan": planned_hwm, "apply": _hwm_mb()},
        "check": {**summary, "first_errors": errors},
    }


def _child_resource(*, bulk: bool):
    """The baseline: a plain ``ModelResource`` for Child, as its documentation suggests."""
    from import_export import fields, resources, widgets

    from children import choices as c
    from children.identity import resident_id_parse
    from children.models import Child
    from children.roster.headers import CANONICAL_HEADERS
    from children.roster.plan import PLAIN_FIELDS
    from huzhou_care.orgs.models import OrgUnit

    header = dict(CANONICAL_HEADERS)

    class LabelWidget(widgets.Widget):
        """A Chinese label -> the stored code (empty cell -> ``empty``)."""

        def __init__(self, mapping: dict, empty=""):
            super().__init__()
            self.mapping, self.empty = mapping, empty

        def clean(self, value, row=None, **kwargs):
            if value is None or str(value).strip() == "":
                return self.empty
            try:
                return self.mapping[str(value).strip()]
            except KeyError:
                raise ValueError(f"unknown value {value!r}") from None

    def labels(choices) -> dict:
        return {str(text): value for value, text in choices.choices}

    yes_no = {"是": True, "否": False}

    def column(key, widget=None):
        return fields.Field(
            attribute=key, column_name=header[key], widget=widget or widgets.CharWidget()
        )

    def derived(key):
        return fields.Field(attribute=key, column_name=key)

    class ChildResource(resources.ModelResource):
        name = column("name")
        ethnicity = column("ethnicity")
        id_number = column("id_number")
        grade = column("grade", LabelWidget({v: k for k, v in c.GRADE_LABELS.items()}, None))
        class_name = column("class_name")
        village = column("village")
        current_address = column("current_address")
        boarding = column("boarding", LabelWidget(yes_no, False))
        left_behind_type = column("left_behind_type", LabelWidget(labels(c.LeftBehindType)))
        guardianship_type = column("guardianship_type", LabelWidget(labels(c.GuardianshipType)))
        guardianship_assessment = column(
            "guardianship_assessment", LabelWidget(labels(c.GuardianshipAssessment))
        )
        guardian_name = column("guardian_name")
        guardian_relation = column("guardian_relation")
        guardian_phone = column("guardian_phone")
        father_name = column("father_name")
        father_work_place = column("father_work_place")
        father_phone = column("father_phone")
        mother_name = column("mother_name")
        mother_work_place = column("mother_work_place")
        mother_phone = column("mother_phone")
        health = column("health", LabelWidget(labels(c.Health), c.Health.HEALTHY))
        disability_category = column("disability_category")
        study_status = column("study_status", LabelWidget(labels(c.StudyStatus)))
        living_status = column("living_status", LabelWidget(labels(c.LivingStatus)))
        low_income = column("low_income", LabelWidget(yes_no, False))
        in_difficulty = column("in_difficulty", LabelWidget(yes_no, False))
        notes = column("notes")
        # Filled by before_import_row from the ID number and the school.
        gender = derived("gender")
        birth_date = derived("birth_date")
        township_id = derived("township_id")
        school_id = derived("school_id")
        county_id = derived("county_id")
        registered_on = derived("registered_on")

        class Meta:
            model = Child
            import_id_fields = ("id_number",)
            # The roster's own columns, as our import writes them, plus what it derives.
            fields = (
                *PLAIN_FIELDS,
                "id_number",
                "gender",
                "birth_date",
                "township_id",
                "school_id",
                "county_id",
                "registered_on",
            )
            if bulk:
                use_bulk = True
                skip_diff = True
                batch_size = 2000

        def __init__(self, *, school, today, **kwargs):
            super().__init__(**kwargs)
            self.school, self.today = school, today
            self.townships = dict(
                OrgUnit.objects.filter(parent_id=school.county_id).values_list("name", "pk")
            )

        def before_import_row(self, row, **kwargs):
            number = str(row[header["id_number"]]).strip().upper()
            resident = resident_id_parse(number)
            row[header["id_number"]] = number
            row["gender"] = resident.gender
            row["birth_date"] = resident.birth_date
            row["township_id"] = (
                self.townships.get(str(row.get(header["township"]) or "").strip())
                or self.school.township_id
            )
            row["school_id"] = self.school.pk
            row["county_id"] = self.school.county_id
            row["registered_on"] = self.today

    return ChildResource


def phase_baseline(spec: dict) -> dict:
    import tablib

    from children.models import Child

    school = _school(spec["school"][0])
    resource = _child_resource(bulk=spec.get("bulk", False))(school=school, today=_today())
    started = time.perf_counter()
    dataset = tablib.Dataset().load(Path(spec["file"]).read_bytes(), format="xlsx")
    loaded_at = time.perf_counter()
    result = resource.import_data(dataset, dry_run=False, raise_errors=True, use_transactions=True)
    done = time.perf_counter()
    imported = Child.objects.filter(school=school).count()
    return {
        "seconds": done - started,
        "rows": len(dataset),
        "steps": {"load": loaded_at - started, "import_data": done - loaded_at},
        "check": {
            "totals": {k: v for k, v in result.totals.items() if v},
            "child_rows_of_school": imported,
        },
    }


def phase_maintain(spec: dict) -> dict:
    """Empty the registry (``reset``) and/or refresh planner statistics (``analyze``)."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection

    from children.models import Child
    from huzhou_care.audit.models import ChangeRecord

    child_table, change_table = Child._meta.db_table, ChangeRecord._meta.db_table
    with connection.cursor() as cursor:
        if spec.get("reset"):
            ct = ContentType.objects.get_for_model(Child)
            cursor.execute(
                f"DELETE FROM {change_table} WHERE content_type_id = %s",  # noqa: S608
                [ct.pk],
            )
            cursor.execute(f"DELETE FROM {child_table}")  # noqa: S608
        if connection.vendor == "postgresql":
            cursor.execute(f"VACUUM ANALYZE {child_table}")
            cursor.execute(f"VACUUM ANALYZE {change_table}")
        else:
            cursor.execute("ANALYZE")
    return {"children": Child.objects.count()}


PHASES = {
    "make": make_roster,
    "parse": phase_parse,
    "calamine": phase_calamine,
    "ours": phase_ours,
    "baseline": phase_baseline,
    "maintain": phase_maintain,
}


def worker(spec: dict) -> None:
    """Run one phase in this process and print its figures as one JSON line."""
    django_setup()
    setup_rss = peak_rss_mb()
    func = PHASES[spec["phase"]]
    profile_text = None
    if spec.get("profile"):
        import cProfile
        import io
        import pstats

        profiler = cProfile.Profile()
        result = profiler.runcall(func, spec)
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out).strip_dirs()
        stats.sort_stats("tottime").print_stats(25)
        stats.sort_stats("cumulative").print_stats(40)
        profile_text = out.getvalue()
    else:
        result = func(spec)
    result.update(peak_rss_mb=peak_rss_mb(), setup_rss_mb=setup_rss, profile=profile_text)
    print(RESULT_PREFIX + json.dumps(result, ensure_ascii=False, default=str), flush=True)


# =========================================================================== orchestration
def run_worker(db: BenchDatabase, spec: dict) -> dict:
    completed = subprocess.run(
        [PYTHON, str(Path(__file__).resolve()), "--worker", json.dumps(spec, ensure_ascii=False)],
        env=db.env(),
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
        check=True,
    )
    for line in reversed(completed.stdout.splitlines()):
        if line.startswith(RESULT_PREFIX):
            return json.loads(line[len(RESULT_PREFIX) :])
    raise RuntimeError(f"worker {spec['phase']} printed no result:\n{completed.stdout}")


def _verify(name: str, result: dict, expected: dict) -> None:
    check = result["check"]
    wrong = {k: (check.get(k), v) for k, v in expected.items() if check.get(k) != v}
    if wrong:
        raise SystemExit(f"{name}: unexpected outcome {wrong} (got, expected); check: {check}")


def run(args) -> dict:
    db = BenchDatabase(keep=args.keep)
    workdir = Path(tempfile.mkdtemp(prefix="huzhou_import_bench_"))
    phases: list[dict] = []
    info: dict = {"database": db.vendor, "code": code_version(), "machine_at_start": machine()}
    log(f"using {db.describe()}")
    try:
        db.create()
        info["migrate_seconds"] = db.migrate()
        log(f"migrated in {info['migrate_seconds']:.1f}s")

        def make(key: str, rows: int, slot: int) -> str:
            path = str(workdir / f"roster-{key}.xlsx")
            made = run_worker(
                db,
                {
                    "phase": "make",
                    "file": path,
                    "school": SCHOOLS[key],
                    "rows": rows,
                    "slot": slot,
                    "seed": args.seed,
                },
            )
            log(f"wrote {path}: {made['rows']:,} rows, {made['bytes'] / 1e6:.1f} MB")
            info.setdefault("files", {})[key] = made
            return path

        def measure(name: str, phase: str, note: str, **spec) -> dict:
            profile = args.profile and phase == "ours"
            result = run_worker(db, {"phase": phase, "profile": profile, **spec})
            result.update(name=name, note=note)
            phases.append(result)
            log(
                f"{name}: {result['rows']:,} rows in {result['seconds']:.2f}s "
                f"({result['rows'] / result['seconds']:,.0f} rows/s), "
                f"peak {result['peak_rss_mb']:.0f} MB; {result.get('check')}"
            )
            return result

        def reset(analyze_only: bool = False) -> None:
            run_worker(db, {"phase": "maintain", "reset": not analyze_only})

        empty_file = make("empty", args.rows, 0)
        baseline_file = None if args.quick else make("baseline", args.baseline_rows, 1)
        school = SCHOOLS["empty"]
        rows = args.rows

        measure("calamine", "calamine", "python-calamine reads the file", file=empty_file)
        result = measure("parse", "parse", "floor: parse_roster only", file=empty_file)
        _verify("parse", result, {"accepted": rows, "rejected": 0})
        result = measure(
            "ours-clear",
            "ours",
            "as before encryption (cipher stubbed), empty registry",
            file=empty_file,
            school=school,
            clear=True,
        )
        _verify("ours-clear", result, {"created": rows, "rejected": 0})
        reset()
        result = measure(
            "ours-empty", "ours", "empty registry, fresh school", file=empty_file, school=school
        )
        _verify("ours-empty", result, {"created": rows, "rejected": 0})
        result = measure(
            "ours-reimport",
            "ours",
            "same file again: all unchanged",
            file=empty_file,
            school=school,
        )
        _verify("ours-reimport", result, {"unchanged": rows, "rejected": 0})

        # End to end, process start included: the command against calamine in a process.
        reset()
        for name, argv in (
            ("calamine-process", ["-c", CALAMINE_READ, empty_file]),
            ("command", ["manage.py", "import_roster", empty_file, "--school", school[0]]),
        ):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            started = time.perf_counter()
            subprocess.run([PYTHON, *argv], env=db.env(), cwd=REPO, check=True,
                           stdout=subprocess.DEVNULL)  # fmt: skip
            seconds = time.perf_counter() - started
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
            phases.append({"name": name, "rows": rows, "seconds": seconds, "cpu_seconds": cpu,
                           "peak_rss_mb": after.ru_maxrss / 1024, "setup_rss_mb": 0,
                           "note": "process start included"})  # fmt: skip
            log(f"{name}: {rows:,} rows in {seconds:.2f}s, cpu {cpu:.2f}s")
        if args.quick:
            return {**info, "rows": args.rows, "baseline_rows": 0, "full": 0,
                    "phases": phases, "machine_at_end": machine()}  # fmt: skip

        reset()
        note = "django-import-export defaults, empty registry"
        if args.baseline_rows != rows:
            note += f" (first {args.baseline_rows:,} rows; rate per row)"
        result = measure(
            "baseline", "baseline", note, file=baseline_file, school=SCHOOLS["baseline"]
        )
        _verify("baseline", result, {"child_rows_of_school": args.baseline_rows})
        if args.baseline_bulk:
            reset()
            result = measure(
                "baseline-bulk",
                "baseline",
                "import-export use_bulk + skip_diff, empty registry",
                file=baseline_file,
                school=SCHOOLS["baseline"],
                bulk=True,
            )
            _verify("baseline-bulk", result, {"child_rows_of_school": args.baseline_rows})

        reset()
        log(f"seed_demo --children {args.full} --seed 7 ...")
        info["seed_seconds"] = db.manage("seed_demo", "--children", str(args.full), "--seed", "7")
        reset(analyze_only=True)
        log(f"seeded {args.full:,} children in {info['seed_seconds']:.0f}s")
        full_file = make("full", rows, 2)
        result = measure(
            "ours-full",
            "ours",
            f"registry of {args.full:,} + this school",
            file=full_file,
            school=SCHOOLS["full"],
        )
        _verify("ours-full", result, {"created": rows, "rejected": 0})
    finally:
        db.drop()
        for path in workdir.iterdir():
            path.unlink()
        workdir.rmdir()
    info["machine_at_end"] = machine()
    return {
        **info,
        "rows": args.rows,
        "baseline_rows": args.baseline_rows,
        "full": args.full,
        "phases": phases,
    }


def report(figures: dict) -> dict:
    by_name = {p["name"]: p for p in figures["phases"]}
    rate = {name: p["rows"] / p["seconds"] for name, p in by_name.items()}
    print()
    print(
        f"Roster import benchmark: {figures['database']}, {figures['rows']:,}-row xlsx, "
        f"full registry {figures['full']:,} (seed_demo {figures.get('seed_seconds', 0):.0f}s)"
    )
    print(
        f"code {figures['code']}; {figures['machine_at_start']} (start), "
        f"{figures['machine_at_end'].split('average ')[1]} (end)"
    )
    print()
    cpu_rate = {p["name"]: p["rows"] / p["cpu_seconds"] for p in figures["phases"]
                if p.get("cpu_seconds")}  # fmt: skip
    head = (
        f"{'phase':<16} {'rows':>7} {'seconds':>9} {'rows/s':>9} {'cpu s':>7} {'cpu rows/s':>10} "
        f"{'peak RSS MB':>12}  notes"
    )
    print(head)
    print("-" * (len(head) + 40))
    for p in figures["phases"]:
        cpu = p.get("cpu_seconds") or 0
        print(
            f"{p['name']:<16} {p['rows']:>7,} {p['seconds']:>9.2f} {rate[p['name']]:>9,.0f} "
            f"{cpu:>7.2f} {cpu_rate.get(p['name'], 0):>10,.0f} {p['peak_rss_mb']:>12.0f}  "
            f"{p['note']}"
        )
    print("(cpu = the process's own user+sys time: steadier than wall-clock on a shared machine;"
          " on PostgreSQL it leaves out the server's work)")  # fmt: skip
    setup = min(p["setup_rss_mb"] for p in figures["phases"] if p["setup_rss_mb"])
    print(f"(peak RSS includes the Django process itself: ~{setup:.0f} MB after django.setup())")
    for p in figures["phases"]:
        if p.get("steps"):
            steps = ", ".join(f"{k} {v:.2f}s" for k, v in p["steps"].items())
            peaks = p.get("steps_peak_rss_mb") or {}
            if all(peaks.values()) and peaks:
                steps += "; peak RSS after " + ", ".join(f"{k} {v:.0f}" for k, v in peaks.items())
                steps += " MB"
            print(f"  {p['name']}: {steps}")

    ratios = {}
    print()
    print(f"{'figure':<36} {'value':>10} {'target':>10}  status (informative)")
    rows = []
    if "baseline" in rate:
        for name in ("ours-empty", "ours-full"):
            if name in rate:
                ratios[f"{name}/baseline"] = rate[name] / rate["baseline"]
                rows.append(
                    (
                        f"{name} / baseline rows/s",
                        f"{ratios[f'{name}/baseline']:.1f}x",
                        f">= {TARGET_RATIO:.0f}x",
                        ratios[f"{name}/baseline"] >= TARGET_RATIO,
                    )
                )
        if "baseline-bulk" in rate:
            for name in ("ours-empty", "ours-full"):
                ratios[f"{name}/baseline-bulk"] = rate[name] / rate["baseline-bulk"]
                rows.append(
                    (
                        f"{name} / baseline-bulk rows/s",
                        f"{ratios[f'{name}/baseline-bulk']:.1f}x",
                        "-",
                        None,
                    )
                )
    for name in ("ours-empty", "ours-reimport", "ours-full"):
        if name in rate:
            rows.append(
                (
                    f"{name} rows/s end-to-end",
                    f"{rate[name]:,.0f}",
                    f">= {TARGET_RATE:,.0f}",
                    rate[name] >= TARGET_RATE,
                )
            )
    for name in ("parse", "ours-empty", "ours-reimport", "ours-full"):
        if name in by_name:
            mb = by_name[name]["peak_rss_mb"]
            rows.append(
                (f"{name} peak RSS MB", f"{mb:.0f}", f"< {TARGET_RSS_MB:.0f}", mb < TARGET_RSS_MB)
            )
    if "ours-clear" in rate and "ours-empty" in rate:
        slower = rate["ours-clear"] / rate["ours-empty"] - 1
        ratios["encryption slowdown"] = slower
        rows.append(("import slower from encryption", f"{slower:.0%}", "<= 25%", slower <= 0.25))
        if "ours-clear" in cpu_rate and "ours-empty" in cpu_rate:
            slower = cpu_rate["ours-clear"] / cpu_rate["ours-empty"] - 1
            ratios["encryption slowdown (cpu)"] = slower
            rows.append(("  the same in cpu time", f"{slower:.0%}", "<= 25%", slower <= 0.25))
        per_row = (by_name["ours-empty"]["seconds"] - by_name["ours-clear"]["seconds"]) / max(
            by_name["ours-empty"]["rows"], 1
        )
        rows.append(("encryption cost per child (µs)", f"{per_row * 1e6:.0f}", "-", None))
    for end, start, label in (
        ("command", "calamine-process", "import_roster / calamine (processes)"),
        ("ours-empty", "calamine", "import / calamine (in-process)"),
    ):
        if end in rate and start in rate:
            ratios[label] = rate[end] / rate[start]
            rows.append((label, f"{ratios[label]:.0%}", ">= 25%", ratios[label] >= 0.25))
        if end in cpu_rate and start in cpu_rate:
            value = ratios[label + " cpu"] = cpu_rate[end] / cpu_rate[start]
            rows.append(("  the same in cpu time", f"{value:.0%}", ">= 25%", value >= 0.25))
    for label, value, target, ok in rows:
        status = "" if ok is None else ("ok" if ok else "MISSED")
        print(f"{label:<36} {value:>10} {target:>10}  {status}")
    for p in figures["phases"]:
        if p.get("profile"):
            print()
            print(f"===== cProfile of {p['name']} (slower than unprofiled) =====")
            print(p["profile"])
    return ratios


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=50_000, help="rows of the roster file")
    parser.add_argument(
        "--baseline-rows",
        type=int,
        default=None,
        help="rows of the baseline's file (default: --rows)",
    )
    parser.add_argument(
        "--full",
        type=int,
        default=200_000,
        help="children seeded before ours-full (default 200,000)",
    )
    parser.add_argument("--seed", type=int, default=1, help="random seed of the roster files")
    parser.add_argument(
        "--no-baseline-bulk",
        dest="baseline_bulk",
        action="store_false",
        help="skip the use_bulk variant of the baseline",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="cProfile the ours-* phases and print the top functions",
    )
    parser.add_argument("--keep", action="store_true", help="keep the bench database")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="only calamine, parse, ours-clear, ours-empty, ours-reimport and the end-to-end "
        "command (no django-import-export baseline, no full registry)",
    )
    parser.add_argument("--json", metavar="PATH", help="also write the figures as JSON")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        worker(json.loads(args.worker))
        return
    if args.baseline_rows is None:
        args.baseline_rows = args.rows
    figures = run(args)
    figures["ratios"] = report(figures)
    figures["targets"] = {
        "ratio": TARGET_RATIO,
        "rows_per_s": TARGET_RATE,
        "peak_rss_mb": TARGET_RSS_MB,
    }
    if args.json:
        Path(args.json).write_text(
            json.dumps(figures, ensure_ascii=False, indent=2, default=str), encoding="utf-8"
        )
        log(f"figures written to {args.json}")


if __name__ == "__main__":
    main()
