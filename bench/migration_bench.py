#!/usr/bin/env python
"""Data-migration benchmark (issue 13): how long ``children.0007_encrypted_identifiers`` takes
to encrypt a registry of ``--children`` N (default 1,000,000) clear rows.

A dedicated database is migrated to ``children 0006`` (clear columns), filled with N children
by one ``INSERT ... SELECT generate_series`` (distinct 18-digit IDs, three 11-digit phones
and two addresses each, as the demo data has them), then ``manage.py migrate children 0007``
is timed (process start included), and the result is checked: no clear ID left, every row's
blind index set. Same baseline in the run: ``manage.py migrate children 0006`` back (the
reverse, decrypting) is timed too. PostgreSQL only (``DATABASE_URL=postgres://...``).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/migration_bench.py
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench._common import BenchDatabase, log, machine  # noqa: E402

FILL = """
INSERT INTO children_child (
  name, gender, ethnicity, id_number, birth_date, hukou_registered, hukou_address,
  current_address, county_id, township_id, village, school_id, schooling, grade, class_name,
  boarding, left_behind_type, guardianship_type, guardianship_assessment, guardian_name,
  guardian_relation, guardian_phone, father_name, father_work_place, father_phone,
  mother_name, mother_work_place, mother_phone, health, disability_category, study_status,
  living_status, low_income, in_difficulty, difficulty_type, notes, status, registered_on,
  left_on, leave_reason, created_at, updated_at, created_by_id)
SELECT '儿童' || n, 'M', '汉族', '330502' || lpad(n::text, 12, '0'), DATE '2015-01-01', true,
  '浙江省湖州市吴兴区织里镇' || (n %% 97) || '村', '浙江省湖州市吴兴区织里镇' || (n %% 97) || '村' || (n %% 12) || '组',
  t.parent_id, t.id, '', NULL, '', 3, '2班', false, 'both_away', 'grandparent', '', '王秀英',
  '祖母', '138' || lpad((n %% 100000000)::text, 8, '0'), '王建国', '', '139' || lpad((n %% 100000000)::text, 8, '0'),
  '李丽', '', '137' || lpad((n %% 100000000)::text, 8, '0'), 'healthy', '', '', '', false, false, '', '',
  'active', DATE '2024-09-01', NULL, '', now(), now(), NULL
FROM generate_series(1, %s) AS n,
     (SELECT id, parent_id FROM orgs_orgunit WHERE level = 'township' ORDER BY id LIMIT 1) AS t
"""  # noqa: S608


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--children", type=int, default=1_000_000)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    db = BenchDatabase(keep=args.keep)
    if db.vendor != "postgresql":
        raise SystemExit("PostgreSQL only: set DATABASE_URL=postgres://...")
    import psycopg2

    log(f"using {db.describe()}; {machine()}")
    try:
        db.create()
        db.manage("migrate", "--noinput", "-v", "0")
        db.manage("migrate", "children", "0006", "--noinput", "-v", "0")
        conn = psycopg2.connect(db.url)
        with conn, conn.cursor() as cursor:
            started = time.perf_counter()
            cursor.execute(FILL, [args.children])
            log(f"filled {args.children:,} clear children in {time.perf_counter() - started:.0f}s")
            cursor.execute("ANALYZE children_child")
        forward = db.manage("migrate", "children", "0007", "--noinput", "-v", "0")
        log(f"migrate children 0007 (encrypt): {forward:.0f}s")
        with conn, conn.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FILTER (WHERE id_number LIKE '330502%%'), "
                "count(*) FILTER (WHERE id_number_bidx = ''), count(*) FROM children_child"
            )
            clear, unindexed, total = cursor.fetchone()
        conn.close()
        backward = db.manage("migrate", "children", "0006", "--noinput", "-v", "0")
        log(f"migrate children 0006 (decrypt, development only): {backward:.0f}s")
        print()
        print(
            f"children {total:,}: encrypt {forward:.0f}s ({total / forward:,.0f} rows/s), "
            f"decrypt {backward:.0f}s; clear IDs left {clear}, rows without index {unindexed}"
        )
        print(f"machine: {machine()}")
    finally:
        db.drop()


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huzhou_care.settings")
    main()
