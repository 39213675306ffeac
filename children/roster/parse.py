"""Parse an uploaded roster into normalised rows, each with the reasons it cannot be imported.

:func:`parse_roster` reads the file (:mod:`.reader`), finds the header (:mod:`.headers`),
skips blank, totals, signature and note lines, normalises every cell (:mod:`.normalize`) and
checks each row:

=================  ===========================================================================
code               meaning
=================  ===========================================================================
missing_name       姓名 is empty
missing_id         身份证号 is empty
id_numeric         the ID was stored as a number by Excel: its last digits are lost
id_invalid         wrong length, stray characters, impossible birth date or division code
id_checksum        the check character does not match (a digit was mistyped)
dup_in_file        the ID already appeared in an earlier row (the later row is refused)
too_old            16 or over on ``today``: outside the definition (不满十六周岁)
dob_mismatch       the birth-date column disagrees with the ID (year and month only when the
                   cell gives only those)
gender_mismatch    the gender column disagrees with the ID's 17th digit (odd = male)
bad_date           the birth-date cell is not a date
bad_enum           a value outside the allowed list (监护方式 = 不清楚), also an unreadable
                   gender, grade or yes/no cell
bad_phone          not a mobile (11 digits starting with 1) nor a landline
=================  ===========================================================================

A row with any error is refused as a whole. ``ParsedRow.errors`` is ordered most basic
first, so ``errors[0]`` is the reason to show when only one is shown.

Birth date and gender are always filled from a valid ID: when the columns are missing or
empty they are derived (no error), and when given they must agree with it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from . import normalize as norm
from .headers import (
    CANONICAL_HEADERS,
    column_labels,
    find_header,
    is_year_month_header,
    match_header,
    unknown_headers,
)
from .normalize import InvalidValue
from .reader import read_rows

#: Age (周岁) from which a child is outside the definition of a left-behind child.
MAX_AGE = 16

#: Every error code, most basic first: the order of ``ParsedRow.errors``.
ERROR_CODES = (
    "missing_id",
    "id_numeric",
    "id_invalid",
    "id_checksum",
    "dup_in_file",
    "too_old",
    "dob_mismatch",
    "gender_mismatch",
    "missing_name",
    "bad_date",
    "bad_enum",
    "bad_phone",
)
_RANK = {code: rank for rank, code in enumerate(ERROR_CODES)}


@dataclass(slots=True)
class RowError:
    """Why a row cannot be imported: the column as headed in the file, a code, what to do."""

    column: str
    code: str
    message: str


@dataclass(slots=True)
class ParsedRow:
    """One child row of the roster.

    ``row_number`` is the row number the user sees (1-based, counting title rows; for CSV the
    record number, header = 1). ``values`` maps canonical keys to normalised values, for the
    columns present in the file (plus ``birth_date`` and ``gender`` derived from a valid ID).
    ``raw`` is the row's original cells, for the error sheet.
    """

    row_number: int
    values: dict[str, object]
    errors: list[RowError]
    raw: list[Any]

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def codes(self) -> list[str]:
        return [error.code for error in self.errors]


@dataclass(slots=True)
class RosterParse:
    """The whole parse: what was read, how, and every data row."""

    format: str
    header_row_number: int
    columns: dict[str, str]  # canonical key -> header text as in the file, in file order
    rows: list[ParsedRow]
    skipped: list[int] = field(default_factory=list)  # blank, totals, signature, note rows
    header: list[str] = field(default_factory=list)  # the header row's cells, as text
    warnings: list[str] = field(default_factory=list)

    @property
    def accepted(self) -> list[ParsedRow]:
        return [row for row in self.rows if row.ok]

    @property
    def rejected(self) -> list[ParsedRow]:
        return [row for row in self.rows if not row.ok]


# --------------------------------------------------------------------------- converters

Converter = Callable[[Any], tuple[Any, InvalidValue | None]]


def _plain(func: Callable[[Any], Any]) -> Converter:
    """Wrap a normaliser as a converter returning ``(value, error)``."""

    def convert(value: Any) -> tuple[Any, InvalidValue | None]:
        try:
            return func(value), None
        except InvalidValue as exc:
            return None, exc

    return convert


def _memoized(func: Callable[[Any], Any]) -> Converter:
    """Like :func:`_plain`, remembering results: grades, enums and yes/no values repeat."""
    convert = _plain(func)
    cache: dict[Any, tuple[Any, InvalidValue | None]] = {}

    def cached(value: Any) -> tuple[Any, InvalidValue | None]:
        try:
            return cache[value]
        except KeyError:
            result = cache[value] = convert(value)
            return result
        except TypeError:  # unhashable: never from a spreadsheet, but harmless
            return convert(value)

    return cached


def _enum(field_name: str) -> Callable[[Any], Any]:
    return lambda value: norm.parse_enum(field_name, value)


#: Free-text columns: normalisers that never fail.
_TEXT: dict[str, Callable[[Any], str]] = {
    **{key: norm.parse_name for key in ("name", "guardian_name", "father_name", "mother_name")},
    **{
        key: norm.parse_text
        for key in (
            "ethnicity",
            "township",
            "village",
            "current_address",
            "guardian_relation",
            "father_work_place",
            "mother_work_place",
            "disability_category",
            "notes",
        )
    },
}
#: Checked columns: a factory per column, so that each parse has fresh memo caches.
_CONVERTERS: dict[str, Callable[[], Converter]] = {
    **{
        key: lambda: _plain(norm.parse_phone)
        for key in ("guardian_phone", "father_phone", "mother_phone")
    },
    **{
        key: lambda: _memoized(norm.parse_yes_no)
        for key in ("boarding", "low_income", "in_difficulty")
    },
    **{
        key: (lambda key=key: _memoized(_enum(key)))
        for key in (
            "gender",
            "left_behind_type",
            "guardianship_type",
            "guardianship_assessment",
            "health",
            "study_status",
            "living_status",
        )
    },
    "grade": lambda: _memoized(norm.parse_grade),
    "class_name": lambda: _memoized(norm.parse_class),
}
# Handled by the row checks themselves, not by the column loop.
_ROW_KEYS = frozenset({"name", "id_number", "birth_date", "gender"})


# --------------------------------------------------------------------------- skipping lines

# Totals, signature and note lines at the foot of a roster (checked on the first non-empty
# cell, squeezed and half-width).
_FOOTER = re.compile(
    r"^(?:合计|总计|小计|共计|总人数|人数|填表人|填报人|制表人|统计人|审核人|审批人|复核人|负责人"
    r"|单位负责人|分管领导|校长|联系人|联系电话|填报单位|填表单位|单位名称|填报日期|填表日期|制表日期"
    r"|日期[:：]|\(?盖章|\(?公章|单位\(?盖章|注[:：\d]|说明|备注[:：]|第\d+页|共\d+页)"
)
_HAS_DIGIT = re.compile(r"\d")


def _is_empty(value: Any) -> bool:
    return value is None or value == "" or (isinstance(value, str) and not value.strip())


def _first_text(raw: list[Any]) -> str:
    for value in raw:
        if not _is_empty(value):
            return norm.squeeze(norm.cell_text(value))
    return ""


def _is_skippable(raw: list[Any], name_raw: Any) -> bool:
    """Whether a row with no ID is a line to skip rather than a child with data missing.

    Blank lines, totals and signature lines, notes, and lines with no name and at most two
    filled cells ("注：…", a stray page number).
    """
    first = _first_text(raw)
    if not first or _FOOTER.match(first):
        return True
    if _is_empty(name_raw):
        return sum(1 for value in raw if not _is_empty(value)) <= 2
    return False


def _is_repeated_header(name_raw: Any, id_raw: Any) -> bool:
    """A header line repeated further down (printed rosters repeat it on every page)."""
    return (
        isinstance(id_raw, str)
        and not _HAS_DIGIT.search(id_raw)
        and match_header(id_raw) == "id_number"
        and match_header(name_raw) == "name"
    )


# --------------------------------------------------------------------------- the parse


def _cell(raw: list[Any], col: int | None) -> Any:
    if col is None or col >= len(raw):
        return ""
    return raw[col]


def _same_birth(cell: norm.PartialDate, raw: Any, month_only: bool, born: dt.date) -> bool:
    if not month_only:
        return cell.date == born
    if (cell.date.year, cell.date.month) == (born.year, born.month):
        return True
    # A number cell typed 2012.10 reads back as 2012.1: Excel dropped the trailing zero.
    return (
        isinstance(raw, float)
        and cell.date.month == 1
        and born.month == 10
        and cell.date.year == born.year
        and norm.cell_text(raw).endswith(".1")
    )


def _date_text(day: dt.date, month_only: bool) -> str:
    return f"{day.year}年{day.month}月" if month_only else f"{day.year}年{day.month}月{day.day}日"


class _RowChecker:
    """Per-file state (column plan, IDs seen so far) and the checks of one row."""

    def __init__(self, mapping: dict[int, str], labels: dict[int, str], today: dt.date) -> None:
        self.today = today
        by_key = {key: col for col, key in mapping.items()}
        self.labels = {key: labels[col] for key, col in by_key.items()}
        self.name_col = by_key["name"]
        self.id_col = by_key["id_number"]
        self.birth_col = by_key.get("birth_date")
        self.gender_col = by_key.get("gender")
        # 出生年月: a date cell on the 1st under it stands for the month (Excel turns 2012年5月
        # into 2012-05-01).
        self.birth_month_header = is_year_month_header(self.labels.get("birth_date"))
        self.gender = _CONVERTERS["gender"]()
        columns = [(col, key) for col, key in sorted(mapping.items()) if key not in _ROW_KEYS]
        # Free-text columns cannot fail: they skip the (value, error) wrapping.
        self.text_plan = [(col, key, _TEXT[key], {}) for col, key in columns if key in _TEXT]
        self.plan = [
            (col, key, labels[col], _CONVERTERS[key]()) for col, key in columns if key not in _TEXT
        ]
        self.seen: dict[str, int] = {}

    def error(self, errors: list[RowError], key: str, code: str, text: str) -> None:
        label = self.labels[key]
        errors.append(RowError(label, code, f"「{label}」列{text}"))

    def check(self, row_number: int, raw: list[Any], name_raw: Any, id_raw: Any) -> ParsedRow:
        values: dict[str, object] = {}
        errors: list[RowError] = []

        name = norm.parse_name(name_raw)
        if name:
            values["name"] = name
        else:
            self.error(errors, "name", "missing_name", "为空：请填写儿童姓名")

        resident = self.check_id(row_number, id_raw, values, errors)
        self.check_birth(raw, resident, values, errors)
        self.check_gender(raw, resident, values, errors)

        width = len(raw)
        for col, key, normalizer, seen in self.text_plan:
            cell = raw[col] if col < width else ""
            value = seen.get(cell)  # towns, villages, relations repeat: remember them
            if value is None:
                value = seen[cell] = normalizer(cell)
            values[key] = value
        for col, key, label, convert in self.plan:
            value, problem = convert(raw[col] if col < width else "")
            if problem is None:
                values[key] = value
            else:
                errors.append(RowError(label, problem.code, f"「{label}」列{problem.detail}"))

        if len(errors) > 1:
            errors.sort(key=lambda error: _RANK[error.code])
        # Only a rejected row keeps its cells (for the error sheet): an accepted row's cells
        # would keep the whole sheet alive in memory while the registry is compared.
        return ParsedRow(row_number, values, errors, raw if errors else [])

    def check_id(
        self, row_number: int, id_raw: Any, values: dict[str, object], errors: list[RowError]
    ) -> norm.ResidentId | None:
        if _is_empty(id_raw):
            self.error(
                errors,
                "id_number",
                "missing_id",
                "为空：请填写儿童的18位身份证号（没有身份证号的儿童暂时无法导入）",
            )
            return None
        try:
            number = norm.normalize_id(id_raw)
        except InvalidValue as exc:
            self.error(errors, "id_number", exc.code, exc.detail)
            return None
        values["id_number"] = number
        first = self.seen.setdefault(number, row_number)
        if first != row_number:
            self.error(
                errors,
                "id_number",
                "dup_in_file",
                f"与第{first}行的身份证号重复：同一名儿童只填一行，请删除本行；"
                "如果是两名不同的儿童，请核对两行的身份证号",
            )
        try:
            resident = norm.check_id(number)
        except InvalidValue as exc:
            self.error(errors, "id_number", exc.code, exc.detail)
            return None
        if resident.birth_date > self.today:
            self.error(
                errors,
                "id_number",
                "id_invalid",
                "的身份证号中的出生日期晚于今天：请对照户口簿或身份证核对",
            )
            return None
        age = norm.age_on(resident.birth_date, self.today)
        if age >= MAX_AGE:
            self.error(
                errors,
                "id_number",
                "too_old",
                f"显示该儿童已满{age}周岁，不在登记范围内（农村留守儿童指不满16周岁的"
                "未成年人）：请从名册中删除本行",
            )
        return resident

    def check_birth(
        self,
        raw: list[Any],
        resident: norm.ResidentId | None,
        values: dict[str, object],
        errors: list[RowError],
    ) -> None:
        if self.birth_col is not None:
            cell_raw = _cell(raw, self.birth_col)
            try:
                cell = norm.parse_date(cell_raw)
            except InvalidValue as exc:
                self.error(errors, "birth_date", exc.code, exc.detail)
                cell = None
            if cell is not None:
                values["birth_date"] = cell.date
                month_only = cell.month_only or (
                    self.birth_month_header and isinstance(cell_raw, dt.date) and cell.date.day == 1
                )
                if resident is not None and not _same_birth(
                    cell, cell_raw, month_only, resident.birth_date
                ):
                    self.error(
                        errors,
                        "birth_date",
                        "dob_mismatch",
                        f"为{_date_text(cell.date, month_only)}，与身份证号中的出生日期"
                        f"{_date_text(resident.birth_date, month_only)}不一致："
                        "请对照户口簿核对出生日期和身份证号",
                    )
        if resident is not None:
            values["birth_date"] = resident.birth_date

    def check_gender(
        self,
        raw: list[Any],
        resident: norm.ResidentId | None,
        values: dict[str, object],
        errors: list[RowError],
    ) -> None:
        if self.gender_col is not None:
            code, problem = self.gender(_cell(raw, self.gender_col))
            if problem is not None:
                self.error(errors, "gender", problem.code, problem.detail)
            elif code is not None:
                values["gender"] = code
                if resident is not None and code != resident.gender:
                    shown = norm.cell_text(_cell(raw, self.gender_col))
                    by_id = "男性" if resident.gender == "M" else "女性"
                    self.error(
                        errors,
                        "gender",
                        "gender_mismatch",
                        f"为“{shown}”，但身份证号第17位表示{by_id}（奇数为男，偶数为女）："
                        "请核对性别或身份证号",
                    )
        if resident is not None:
            values["gender"] = resident.gender


def parse_roster(data: bytes, filename: str, *, today: dt.date) -> RosterParse:
    """Parse an uploaded roster file. No database access.

    Raises :class:`~children.roster.reader.RosterFileError` (Chinese message) when the file as
    a whole cannot be used: wrong type, too big, corrupt, no recognisable header. Problems of
    single rows are reported in ``ParsedRow.errors`` instead. ``today`` decides ages.
    """
    sheet = read_rows(data, filename)
    rows = sheet.rows
    header_index, mapping = find_header(rows)
    labels = column_labels(rows, header_index, mapping)
    checker = _RowChecker(mapping, labels, today)

    parsed: list[ParsedRow] = []
    skipped: list[int] = []
    name_col, id_col = checker.name_col, checker.id_col
    for index in range(header_index + 1, len(rows)):
        raw = rows[index]
        name_raw, id_raw = _cell(raw, name_col), _cell(raw, id_col)
        if _is_empty(id_raw):
            if _is_skippable(raw, name_raw):
                skipped.append(index + 1)
                continue
        elif _is_repeated_header(name_raw, id_raw):
            skipped.append(index + 1)
            continue
        parsed.append(checker.check(index + 1, raw, name_raw, id_raw))

    return RosterParse(
        format=sheet.format,
        header_row_number=header_index + 1,
        columns={key: labels[col] for col, key in sorted(mapping.items())},
        rows=parsed,
        skipped=skipped,
        warnings=_warnings(rows, header_index, mapping, parsed),
        header=[norm.cell_text(cell) for cell in rows[header_index]],
    )


def _warnings(
    rows: list[list[Any]], header_index: int, mapping: dict[int, str], parsed: list[ParsedRow]
) -> list[str]:
    warnings: list[str] = []
    ignored = unknown_headers(rows, header_index, mapping)
    if ignored:
        shown = "、".join(f"「{text}」" for text in ignored[:10])
        more = f"等{len(ignored)}列" if len(ignored) > 10 else ""
        warnings.append(f"以下列不在名册模板中或与前面的列重复，已忽略：{shown}{more}")
    present = set(mapping.values())
    derived = [
        label
        for key, label in CANONICAL_HEADERS
        if key in ("gender", "birth_date") and key not in present
    ]
    if derived:
        warnings.append(
            "文件中没有" + "、".join(f"「{label}」" for label in derived) + "列：已根据身份证号推算"
        )
    if not parsed:
        warnings.append("表头下方没有找到儿童数据：请检查是否选错了工作表或文件")
    return warnings
