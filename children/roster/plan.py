"""Compare a parsed roster with the registry: what confirming would do with each row.

``roster_plan`` reads the registry in a few set-based queries (IDs in chunks) and decides,
per row: new, update (with the changed fields), unchanged, or rejected (with the reason, the
row number and the column). ``roster_apply`` writes a plan in bulk. Both are used by the
upload pages, the Celery tasks and the ``import_roster`` command.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from huzhou_care.audit.models import ChangeRecord
from huzhou_care.audit.services import ChangeHistory, ChangeSource, changes_record
from huzhou_care.bulk import RowInserter, allocate_ids
from huzhou_care.crypto.fields import Sealed, blind_lookup

from .. import choices as c
from ..identity import resident_id_parse
from ..models import Child, RosterRow
from .headers import CANONICAL_HEADERS
from .parse import ParsedRow, RosterParse, RowError
from .townships import TownshipMatcher

# Roster columns written to the Child row as they are (after normalisation): all of them but
# the ID and what it encodes (birth date, gender), and the township (a name, looked up).
PLAIN_FIELDS = tuple(
    key
    for key, _ in CANONICAL_HEADERS
    if key not in {"id_number", "birth_date", "gender", "township"}
)
_PLAIN = frozenset(PLAIN_FIELDS)
# A yes/no column left empty means "no" in school rosters; any other empty cell means "not
# given" and never clears what the registry holds.
BOOLEAN_FIELDS = frozenset({"boarding", "low_income", "in_difficulty"})
EXAMPLE_PREFIX = "示例"
REQUIRED_FOR_NEW = ("left_behind_type", "guardianship_type")
HEADER_OF = dict(CANONICAL_HEADERS)
ID_CHUNK = 5000  # ids per IN (...) query: below SQLite's 32,766 parameters
INSERT_BATCH = 5000
Outcome = RosterRow.Outcome
MAX_LENGTH = {
    f: Child._meta.get_field(f).max_length
    for f in PLAIN_FIELDS
    if Child._meta.get_field(f).max_length
}


@dataclass
class RowPlan:
    row: ParsedRow
    outcome: str
    values: dict = field(default_factory=dict)
    changes: dict = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)
    child_id: int | None = None

    @property
    def id_number(self) -> str:
        return str(self.row.values.get("id_number") or "")


@dataclass
class RosterPlan:
    parse: RosterParse
    rows: list[RowPlan]
    # File-level lines for the preview (rows matched by a former or short township name).
    notices: list[str] = field(default_factory=list)
    # Set when the file as a whole is not this school's (most townships of another county).
    file_error: str = ""

    def count(self, outcome: str) -> int:
        return sum(1 for r in self.rows if r.outcome == outcome)

    def summary(self) -> dict:
        return {
            "rows": len(self.rows),
            "created": self.count(Outcome.NEW),
            "updated": self.count(Outcome.UPDATE),
            "unchanged": self.count(Outcome.UNCHANGED),
            "rejected": self.count(Outcome.REJECTED),
        }


def _column(parse: RosterParse, key: str) -> str:
    return parse.columns.get(key) or HEADER_OF.get(key, key)


# The registry columns a roster row is compared with, read as tuples (a dict per row would
# double the memory of a 50,000-row re-import).
# Encrypted fields are compared without decrypting where possible: by blind index (phones),
# else by the masked form first, decrypting only when the masked forms agree (addresses).
PROTECTED = {f.name: f for f in Child._meta.encrypted_fields if f.name in PLAIN_FIELDS}
EXISTING_FIELDS = ("pk", "school_id", "status", "township_id", *PLAIN_FIELDS)
_COLUMNS = [
    (PROTECTED[n].blind_index or PROTECTED[n].masked) if n in PROTECTED else n
    for n in EXISTING_FIELDS
]
_SEALED = [n for n in PROTECTED if not PROTECTED[n].blind_index]
_MASKED = [n for n in PROTECTED if PROTECTED[n].blind_index]
EXISTING_COLUMNS = (*_COLUMNS, *_SEALED, *(PROTECTED[n].masked for n in _MASKED))
AT = {name: index for index, name in enumerate(EXISTING_FIELDS)}
SEALED_AT = {name: len(_COLUMNS) + i for i, name in enumerate(_SEALED)}
MASKED_AT = {name: len(_COLUMNS) + len(_SEALED) + i for i, name in enumerate(_MASKED)}


def _existing(ids: list[str]) -> dict[str, tuple]:
    """{ID number: registry record} for the registered ones, matched by blind index."""
    return blind_lookup(Child.objects.all(), "id_number", ids, *EXISTING_COLUMNS, chunk=ID_CHUNK)


def _model_values(
    row: ParsedRow, parse: RosterParse, school, townships
) -> tuple[dict, list[RowError]]:
    """The Child field values this row gives (empty cells left out, except yes/no columns)."""
    values, errors = {}, []
    for key, value in row.values.items():  # the row's own columns, not every field
        if key not in _PLAIN:
            continue
        if key in BOOLEAN_FIELDS:
            values[key] = bool(value)
        elif value is not None and value != "":
            limit = MAX_LENGTH.get(key)
            if limit and len(value if isinstance(value, str) else str(value)) > limit:
                errors.append(
                    RowError(
                        _column(parse, key),
                        "too_long",
                        f"「{_column(parse, key)}」列的内容超过{limit}个字：请精简后重新填写",
                    )
                )
                continue
            values[key] = value
    township = row.values.get("township")
    if township:
        found = townships.match(township, row.row_number)
        if found is None:
            errors.append(_township_error(parse, school, townships, str(township)))
        else:
            values["township_id"] = found.pk
    return values, errors


def _township_error(parse, school, townships: TownshipMatcher, written: str) -> RowError:
    column = _column(parse, "township")
    other = townships.other_county(written)
    if other:
        return RowError(
            column,
            "other_county_township",
            f"「{column}」列的「{written}」是{other}的乡镇(街道)，不属于{school.county.name}："
            "请核对是否上传了其他区县的名册",
        )
    closest = "」「".join(townships.suggestions(written))
    return RowError(
        column,
        "bad_township",
        f"「{column}」列的「{written}」不是{school.county.name}的乡镇(街道)："
        f"最接近的是「{closest}」，请按标准名称填写",
    )


# A roster whose rows mostly name another county's townships is that county's file: one
# file-level message instead of a row error for each.
OTHER_COUNTY_SHARE = 0.5


def _other_county_error(rows: int, townships: TownshipMatcher, school) -> str:
    foreign = sum(townships.foreign.values())
    if not rows or foreign <= OTHER_COUNTY_SHARE * rows:
        return ""
    county, _ = townships.foreign.most_common(1)[0]
    return (
        f"这份名册中的乡镇属于{county}，而本校属于{school.county.name}"
        f"（{foreign} / {rows} 行）。请确认是否选错了学校或上传了其他区县的名册；"
        "信息库未作任何修改。"
    )


def roster_plan(parse: RosterParse, school, *, today: dt.date) -> RosterPlan:
    townships = TownshipMatcher(school.county_id)
    # The template's grey example row (姓名 starting with 示例) is never imported.
    rows = [r for r in parse.rows if not str(r.values.get("name") or "").startswith(EXAMPLE_PREFIX)]
    existing = _existing(
        [str(r.values["id_number"]) for r in rows if r.ok and r.values.get("id_number")]
    )
    plans = []
    for row in rows:
        if not row.ok:
            plans.append(RowPlan(row, Outcome.REJECTED, errors=list(row.errors)))
            continue
        values, errors = _model_values(row, parse, school, townships)
        if errors:
            plans.append(RowPlan(row, Outcome.REJECTED, errors=errors))
            continue
        record = existing.get(row.values["id_number"])
        plans.append(
            _plan_new(row, parse, school, values)
            if record is None
            else _plan_existing(row, parse, school, values, record)
        )
    return RosterPlan(
        parse,
        plans,
        notices=townships.notices(),
        file_error=_other_county_error(len(plans), townships, school),
    )


def _plan_new(row, parse, school, values) -> RowPlan:
    missing = [key for key in REQUIRED_FOR_NEW if key not in values]
    if missing:
        return RowPlan(
            row,
            Outcome.REJECTED,
            errors=[
                RowError(
                    _column(parse, key),
                    "missing_value",
                    f"「{_column(parse, key)}」列为空：新登记的儿童必须填写此项",
                )
                for key in missing
            ],
        )
    # An accepted row's birth date and gender are those its ID encodes (parse_roster set them).
    birth, gender = row.values.get("birth_date"), row.values.get("gender")
    if birth is None or gender is None:
        rid = resident_id_parse(row.values["id_number"])
        birth, gender = rid.birth_date, rid.gender
    values = {
        **values,
        "id_number": row.values["id_number"],
        "birth_date": birth,
        "gender": gender,
        "township_id": values.get("township_id", school.township_id),
    }
    return RowPlan(row, Outcome.NEW, values=values)


def _plan_existing(row, parse, school, values, record) -> RowPlan:
    id_column = _column(parse, "id_number")
    child_id = record[AT["pk"]]
    if record[AT["school_id"]] != school.pk:
        return RowPlan(
            row,
            Outcome.REJECTED,
            child_id=child_id,
            errors=[
                RowError(
                    id_column,
                    "other_school",
                    f"「{id_column}」列：该儿童已在其他学校登记，本次不会转移。如确属转学，请点本行的“申请转入本校”按钮，由该儿童所在区县团委审核后转入。",
                )
            ],
        )
    if record[AT["status"]] != c.ChildStatus.ACTIVE:
        return RowPlan(
            row,
            Outcome.REJECTED,
            child_id=child_id,
            errors=[
                RowError(
                    id_column,
                    "left_registry",
                    f"「{id_column}」列：该儿童已退出信息库。如需恢复，请在儿童详情页点击「恢复在册」后再导入。",
                )
            ],
        )
    changes = {}
    for key, value in values.items():
        old = record[AT[key]]
        protected = PROTECTED.get(key)
        if protected is not None:
            if not _protected_changed(protected, value, old, record):
                continue
            # The old value as masked (the history keeps masked values only); the registry
            # is written from the new one.
            changes[key] = [record[MASKED_AT[key]] if key in MASKED_AT else old, value]
            continue
        if old != value:
            changes["township" if key == "township_id" else key] = [old, value]
    outcome = Outcome.UPDATE if changes else Outcome.UNCHANGED
    return RowPlan(row, outcome, values=values, changes=changes, child_id=child_id)


def _protected_changed(field, value, stored, record) -> bool:
    """``stored`` is the blind index (fields that have one) or the masked form."""
    if field.blind_index:
        return field.blind(value) != stored
    if field.mask(value) != stored:
        return True
    sealed = record[SEALED_AT[field.name]]  # values_list gives it still sealed
    return (sealed.reveal() if isinstance(sealed, Sealed) else sealed or "") != value


def roster_apply(
    plan: RosterPlan, *, school, source: ChangeSource, today: dt.date, progress=None
) -> dict:
    """Write the plan's new and updated rows in one transaction, with their history entries
    (source: the upload id). New rows take their ids first (``allocate_ids``) and go in by
    COPY (PostgreSQL) or one prepared INSERT (SQLite), each batch with its history in the
    same pass; a unique-ID race with another writer rolls everything back."""
    progress = progress or (lambda pct: None)
    new_rows = [p for p in plan.rows if p.outcome == Outcome.NEW]
    with transaction.atomic():
        fixed = {
            "school_id": school.pk,
            "county_id": school.county_id,
            "registered_on": today,
            "created_by_id": getattr(source.actor, "pk", None),
            "status": c.ChildStatus.ACTIVE,
        }
        inserter, history = RowInserter(Child, with_pk=True), ChangeHistory(Child, source)
        ids = iter(allocate_ids(Child, len(new_rows)))
        for start in range(0, len(new_rows), INSERT_BATCH):
            batch = [
                {**p.values, **fixed, "id": next(ids)}
                for p in new_rows[start : start + INSERT_BATCH]
            ]
            inserter.insert(batch)
            history.record([(row["id"], ChangeRecord.Action.CREATE, {}) for row in batch])
            progress(50 + int(30 * (start + INSERT_BATCH) / max(len(new_rows), 1)))
        _apply_updates([p for p in plan.rows if p.outcome == Outcome.UPDATE], source)
        progress(95)
    return plan.summary()


def _apply_updates(updates: list[RowPlan], source: ChangeSource) -> None:
    """Rows that change the same fields are written together, one bulk UPDATE per group."""
    now = timezone.now()
    by_fields = defaultdict(list)
    for p in updates:
        values = {
            ("township_id" if k == "township" else k): new for k, (_old, new) in p.changes.items()
        }
        by_fields[tuple(sorted(values))].append(Child(pk=p.child_id, updated_at=now, **values))
    companions = {
        f.name: [c for c in (f.blind_index, f.masked) if c] for f in Child._meta.encrypted_fields
    }
    for fields, objs in by_fields.items():
        extra = [c for name in fields for c in companions.get(name, ())]
        Child.objects.bulk_update(objs, [*fields, *extra, "updated_at"], batch_size=500)
    changes_record(
        model=Child,
        entries=[(p.child_id, ChangeRecord.Action.UPDATE, p.changes) for p in updates],
        source=source,
    )
