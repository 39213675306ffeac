"""Canonical roster columns, the header names schools write for them, and header-row detection.

Canonical keys are the ``Child`` model field names. Header matching ignores all whitespace
(including the full-width space U+3000), treats full-width and half-width characters alike
(so （） and () are the same), ignores required-field stars and trailing colons, and, when
the exact text is unknown, tries again without parenthesised notes ("身份证号(18位)").

Two-row headers are understood too: a group cell such as 父亲 or 监护人情况 merged over
姓名 / 务工地点 / 联系电话 in the row below gives 父亲姓名, 父亲务工地点, 父亲联系电话.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

#: The 30 roster columns in template order: (canonical key, canonical Chinese header).
CANONICAL_HEADERS: list[tuple[str, str]] = [
    ("name", "姓名"),
    ("gender", "性别"),
    ("ethnicity", "民族"),
    ("id_number", "身份证号"),
    ("birth_date", "出生日期"),
    ("grade", "年级"),
    ("class_name", "班级"),
    ("township", "乡镇(街道)"),
    ("village", "村(社区)"),
    ("current_address", "现居住地址"),
    ("boarding", "是否寄宿"),
    ("left_behind_type", "留守类型"),
    ("guardianship_type", "监护方式"),
    ("guardianship_assessment", "监护情况"),
    ("guardian_name", "监护人姓名"),
    ("guardian_relation", "监护人与儿童关系"),
    ("guardian_phone", "监护人电话"),
    ("father_name", "父亲姓名"),
    ("father_work_place", "父亲务工地点"),
    ("father_phone", "父亲电话"),
    ("mother_name", "母亲姓名"),
    ("mother_work_place", "母亲务工地点"),
    ("mother_phone", "母亲电话"),
    ("health", "身体状况"),
    ("disability_category", "残疾类别"),
    ("study_status", "学习状况"),
    ("living_status", "生活状况"),
    ("low_income", "是否低保"),
    ("in_difficulty", "是否困境儿童"),
    ("notes", "备注"),
]

#: Other spellings seen in school rosters and on the national registration form
#: (民发〔2016〕42号 附件1). The canonical header is always accepted as well.
HEADER_VARIANTS: dict[str, tuple[str, ...]] = {
    "name": ("学生姓名", "儿童姓名", "留守儿童姓名"),
    "gender": (),
    "ethnicity": (),
    "id_number": (
        "身份证号码",
        "公民身份号码",
        "公民身份证号码",
        "身份证件号",
        "身份证件号码",
        "儿童身份证号",
        "儿童身份证号码",
        "证件号码",
    ),
    "birth_date": ("出生年月", "出生年月日"),
    "grade": ("所在年级", "就读年级"),
    "class_name": ("所在班级", "就读班级"),
    "township": ("乡镇", "镇(街道)", "所在乡镇", "乡镇街道", "所在乡镇(街道)", "乡(镇、街道)"),
    "village": ("村", "村(居)", "所在村", "村社区", "所在村(社区)", "村(居)委会"),
    "current_address": ("家庭住址", "住址", "现居住地", "现住址", "家庭地址", "现居住地址"),
    "boarding": ("是否住校", "是否学校寄宿", "寄宿", "住校"),
    "left_behind_type": ("留守情况",),
    "guardianship_type": ("监护类型",),
    "guardianship_assessment": ("监护情况评估",),
    "guardian_name": ("监护人", "委托监护人姓名", "委托监护人"),
    "guardian_relation": (
        "与儿童关系",
        "与被监护人关系",
        "监护人关系",
        "与儿童的关系",
        "监护人与被监护人关系",
    ),
    "guardian_phone": ("监护人联系电话", "监护人手机", "监护人手机号", "监护人电话号码"),
    "father_name": (),
    "father_work_place": ("父亲务工地", "父亲务工地址", "父亲当前务工地点"),
    "father_phone": ("父亲联系电话", "父亲手机", "父亲手机号"),
    "mother_name": (),
    "mother_work_place": ("母亲务工地", "母亲务工地址", "母亲当前务工地点"),
    "mother_phone": ("母亲联系电话", "母亲手机", "母亲手机号"),
    "health": ("健康状况", "身体情况"),
    "disability_category": ("残疾类型", "残疾类别及等级", "患病类型"),
    "study_status": ("学习情况", "学业情况"),
    "living_status": ("生活情况",),
    "low_income": ("是否低保户", "低保户", "低保"),
    "in_difficulty": ("困境儿童",),
    "notes": (),
}

#: Header spellings that announce a birth date given as year and month only.
YEAR_MONTH_HEADERS = frozenset({"出生年月"})

#: Columns a header row must have: a roster without them cannot be imported.
REQUIRED_KEYS = ("name", "id_number")

#: How many rows from the top are searched for the header row.
HEADER_SEARCH_ROWS = 20

# Group cells of a two-row header often say "父亲情况" or "监护人基本信息".
_GROUP_SUFFIX = re.compile(r"(基本情况|基本信息|情况|信息)$")
_PARENTHESISED = re.compile(r"\([^()]*\)")
_STRIP_CHARS = re.compile(r"[\s*:]+")


def normalize_header(text: Any) -> str:
    """The comparison form of a header cell: NFKC, no whitespace, stars or colons."""
    if text is None:
        return ""
    return _STRIP_CHARS.sub("", unicodedata.normalize("NFKC", str(text))).lower()


_LOOKUP: dict[str, str] = {}
for _key, _label in CANONICAL_HEADERS:
    for _text in (_label, *HEADER_VARIANTS[_key]):
        _LOOKUP[normalize_header(_text)] = _key
del _key, _label, _text


def match_header(text: Any) -> str | None:
    """The canonical key of a header cell, or None if it is not a roster column."""
    normalized = normalize_header(text)
    if not normalized:
        return None
    key = _LOOKUP.get(normalized)
    if key is None and "(" in normalized:
        key = _LOOKUP.get(_PARENTHESISED.sub("", normalized))
    return key


def is_year_month_header(text: Any) -> bool:
    """True for 出生年月: a date cell under it with day 1 means "that month"."""
    return normalize_header(text) in YEAR_MONTH_HEADERS


def _cell_text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


@dataclass(frozen=True, slots=True)
class _Candidate:
    """How one column of a possible header row reads: its text and canonical key."""

    text: str
    key: str | None
    grouped: bool  # read together with the group cell above (two-row header)


def _candidates(rows: Sequence[Sequence[Any]], index: int) -> list[_Candidate]:
    """Read row ``index`` as the lower row of a two-row header.

    The group row above is filled rightwards across empty cells (a merged cell holds its text
    in its first cell only). A column whose own cell is empty takes the text above it (a cell
    merged downwards over both rows). A column whose own text, prefixed by its group, names a
    roster column is *grouped*.
    """
    row = rows[index]
    above = rows[index - 1] if index > 0 else ()
    result: list[_Candidate] = []
    group = ""
    for col in range(max(len(row), len(above))):
        own = _cell_text(row[col]) if col < len(row) else ""
        over = _cell_text(above[col]) if col < len(above) else ""
        if over:
            group = over
        if own and group:
            key = _LOOKUP.get(
                _GROUP_SUFFIX.sub("", normalize_header(group)) + normalize_header(own)
            )
            if key is not None:
                result.append(_Candidate(f"{group} {own}", key, grouped=True))
                continue
        text = own or over
        result.append(_Candidate(text, match_header(text), grouped=False))
    return result


def _unique(keys: Iterable[tuple[int, str | None]]) -> dict[int, str]:
    """Column index -> key, keeping the first column of a key seen twice."""
    mapping: dict[int, str] = {}
    taken: set[str] = set()
    for col, key in keys:
        if key is not None and key not in taken:
            mapping[col] = key
            taken.add(key)
    return mapping


def _single_row(rows: Sequence[Sequence[Any]], index: int) -> dict[int, str]:
    return _unique(
        (col, match_header(value) if isinstance(value, str) else None)
        for col, value in enumerate(rows[index])
    )


def _two_rows(rows: Sequence[Sequence[Any]], index: int) -> dict[int, str]:
    """Rows ``index - 1`` and ``index`` read as one header, if row ``index`` is a sub-header.

    Only when at least one of its cells makes sense only under its group (姓名 under 父亲);
    otherwise a blank row under a header would "inherit" the header above it.
    """
    if index == 0:
        return {}
    candidates = _candidates(rows, index)
    if not any(candidate.grouped for candidate in candidates):
        return {}
    return _unique((col, candidate.key) for col, candidate in enumerate(candidates))


def find_header(rows: Sequence[Sequence[Any]]) -> tuple[int, dict[int, str]]:
    """Find the header row among the first rows of a sheet.

    Returns ``(header_row_index, {column_index: canonical_key})``: the 0-based index of the
    row that maps the most known columns (the lower row of a two-row header; the earliest on
    a tie), and the columns it maps. Raises :class:`~children.roster.reader.RosterFileError`
    if that row lacks the 姓名 or 身份证号 column.
    """
    from .reader import RosterFileError

    best_index, best = -1, {}
    for index in range(min(len(rows), HEADER_SEARCH_ROWS)):
        for mapping in (_single_row(rows, index), _two_rows(rows, index)):
            if len(mapping) > len(best):
                best_index, best = index, mapping
    if best_index < 0 or not all(key in best.values() for key in REQUIRED_KEYS):
        raise RosterFileError(
            f"未找到表头：前 {HEADER_SEARCH_ROWS} 行中没有名册的表头行，"
            "需要包含「姓名」「身份证号」等列。请使用名册模板，或把表头改成模板中的列名后再上传"
        )
    return best_index, best


def column_labels(
    rows: Sequence[Sequence[Any]], header_row_index: int, columns: dict[int, str]
) -> dict[int, str]:
    """The header text of each mapped column as the user sees it in the file.

    For a two-row header the group is included ("父亲 姓名"), so that messages name the
    column unambiguously.
    """
    candidates = _candidates(rows, header_row_index)
    row = rows[header_row_index]
    canonical = dict(CANONICAL_HEADERS)
    labels: dict[int, str] = {}
    for col, key in columns.items():
        candidate = candidates[col] if col < len(candidates) else None
        own = _cell_text(row[col]) if col < len(row) else ""
        if candidate is not None and candidate.key == key and (candidate.grouped or not own):
            text = candidate.text
        else:
            text = own
        labels[col] = " ".join(text.split()) or canonical[key]
    return labels


def unknown_headers(
    rows: Sequence[Sequence[Any]], header_row_index: int, columns: dict[int, str]
) -> list[str]:
    """Header texts of the header row that were not recognised (for a warning)."""
    row = rows[header_row_index]
    ignored = {"序号", "编号", "no", "no."}
    return [
        _cell_text(value)
        for col, value in enumerate(row)
        if col not in columns and _cell_text(value) and normalize_header(value) not in ignored
    ]
