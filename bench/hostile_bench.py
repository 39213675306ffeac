#!/usr/bin/env python
"""Hostile-file benchmark: what a tiny hostile roster costs the server, against a real one.

Each case runs ``parse_roster`` in its own subprocess (peak RSS = that process's
``ru_maxrss``; seconds = wall clock of the parse alone, Django set-up excluded):

===========  ===============================================================================
baseline     tests/fixtures/rosters/clean-200.xlsx, a real 200-child school roster (accepted)
ods-bomb     the 1 KB .ods of issue 7: a header row, then one cell repeated over 1,666,000
             rows (``number-rows-repeated``); refused by the row cap before it is read
xlsx-rows    a plain .xlsx of ROSTER_MAX_ROWS + 1 rows; refused by the same cap
csv-rows     the same as .csv
===========  ===============================================================================

Nothing is asserted here (tests/security/test_hostile_files.py holds the memory ceiling);
the figures and their ratio to the baseline are printed.

    .venv/bin/python bench/hostile_bench.py [--json var/hostile-bench.json]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

CASE = """
import datetime as dt, os, resource, sys, time
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huzhou_care.settings")
import django
django.setup()
from children.roster.parse import parse_roster
from children.roster.reader import RosterFileError
data = open(sys.argv[1], "rb").read()
began = time.perf_counter()
try:
    rows = len(parse_roster(data, sys.argv[1], today=dt.date(2026, 11, 28)).rows)
    verdict = f"read {rows} rows"
except RosterFileError as exc:
    verdict = "refused: " + exc.message[:24]
seconds = time.perf_counter() - began
print(seconds, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, verdict, sep="\\t")
"""


def _files(folder: Path) -> dict[str, Path]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huzhou_care.settings")
    import django

    django.setup()
    from django.conf import settings

    from tests.security import hostile

    cap = settings.ROSTER_MAX_ROWS
    built = {
        "ods-bomb": ("bomb.ods", hostile.ods_row_bomb()),
        "xlsx-rows": ("rows.xlsx", hostile.xlsx_rows(cap + 1)),
        "csv-rows": ("rows.csv", hostile.csv_rows(cap + 1)),
    }
    files = {"baseline": REPO / "tests" / "fixtures" / "rosters" / "clean-200.xlsx"}
    for case, (name, data) in built.items():
        files[case] = folder / name
        files[case].write_bytes(data)
    return files


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    env = {k: v for k, v in os.environ.items() if k != "ROSTER_MAX_ROWS"}
    results = {}
    with tempfile.TemporaryDirectory() as folder:
        for case, path in _files(Path(folder)).items():
            out = subprocess.run(
                [sys.executable, "-c", CASE, str(path)],
                cwd=REPO,
                env=env,
                capture_output=True,
                text=True,
                check=True,
            )
            seconds, peak, verdict = out.stdout.strip().split("\t")
            results[case] = {
                "bytes": path.stat().st_size,
                "seconds": round(float(seconds), 3),
                "peak_mb": round(float(peak), 1),
                "verdict": verdict,
            }
    base = results["baseline"]
    print(
        f"{'case':<10} {'bytes':>9} {'seconds':>8} {'x base':>7} {'peak MB':>8} {'x base':>7}  result"
    )
    for case, r in results.items():
        print(
            f"{case:<10} {r['bytes']:>9,} {r['seconds']:>8.3f} {r['seconds'] / base['seconds']:>7.2f}"
            f" {r['peak_mb']:>8.1f} {r['peak_mb'] / base['peak_mb']:>7.2f}  {r['verdict']}"
        )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
