"""Load the administrative divisions from the committed data file (data/divisions.csv)."""

import csv
from pathlib import Path

DIVISIONS_CSV = Path(__file__).resolve().parent / "data" / "divisions.csv"
# Former township names (撤镇设街道, mergers) and the current township each now belongs to.
RENAMES_CSV = Path(__file__).resolve().parent / "data" / "township_renames.csv"


def read_divisions(path: Path = DIVISIONS_CSV) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def read_renames(path: Path = RENAMES_CSV) -> list[dict]:
    """Rows of county_code, former_name, current_code, current_name, changed, source."""
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def load_divisions(org_unit_model, rows: list[dict]) -> tuple[int, int]:
    """Insert or update every row, parents first. Idempotent. Takes the model class so that
    the data migration can pass its historical model. Returns (created, updated)."""
    by_code = {u.code: u for u in org_unit_model.objects.all()}
    created = updated = 0
    order = {"city": 0, "county": 1, "township": 2, "village": 3}
    for row in sorted(rows, key=lambda r: (order[r["level"]], r["code"])):
        parent = by_code[row["parent_code"]] if row["parent_code"] else None
        unit = by_code.get(row["code"])
        if unit is None:
            unit = org_unit_model.objects.create(
                code=row["code"], name=row["name"], level=row["level"], parent=parent
            )
            by_code[unit.code] = unit
            created += 1
        elif (unit.name, unit.level, unit.parent_id) != (
            row["name"],
            row["level"],
            parent and parent.pk,
        ):
            unit.name, unit.level, unit.parent = row["name"], row["level"], parent
            unit.save(update_fields=["name", "level", "parent"])
            updated += 1
    return created, updated
