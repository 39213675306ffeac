"""Value normalisers: the spellings school clerks type, turned into the values the registry stores.

Each normaliser takes one cell value as the spreadsheet reader gives it (``str``, ``int``,
``float``, ``bool``, ``date``, ``datetime`` or ``None``) and returns the normalised value, or
raises :class:`InvalidValue` with an error code and a Chinese explanation that the caller
prefixes with the column name. Stored enum values are the codes of ``children/choices.py``.

All regular expressions are compiled once at import; lookups of enum spellings are dict
lookups on a squeezed, half-width form of the text.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from children.choices import (
    Gender,
    GuardianshipAssessment,
    GuardianshipType,
    Health,
    LeftBehindType,
    LivingStatus,
    StudyStatus,
)
from children.identity import ResidentId, ResidentIdError, age_on, resident_id_parse  # noqa: F401 (re-exported)
from huzhou_care.text import clean_name, clean_text


class InvalidValue(ValueError):
    """A cell value that cannot be normalised.

    ``detail`` is a Chinese sentence fragment that follows the column name, e.g.
    「监护方式」列 + "的“不清楚”不在可选范围内：请改为……".
    """

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail


# --------------------------------------------------------------------------- text

# Full-width ASCII (U+FF01..U+FF5E) -> ASCII, ideographic space -> space.
_HALFWIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_HALFWIDTH[0x3000] = 0x20
_FULLWIDTH_CHAR = re.compile("[\uff01-\uff5e\u3000]")
_WHITESPACE = re.compile(r"\s+")


def to_halfwidth(text: str) -> str:
    """Full-width digits, letters and punctuation to half-width: ＡＢ１２（） -> AB12()."""
    if text.isascii() or not _FULLWIDTH_CHAR.search(text):
        return text  # the common case; translate() is slow
    return text.translate(_HALFWIDTH)


def squeeze(text: str) -> str:
    """Remove all whitespace, including the full-width space U+3000 and line breaks."""
    return _WHITESPACE.sub("", text)


def cell_text(value: Any) -> str:
    """A cell as half-width, trimmed text. Numbers lose a spurious ``.0``; dates are ISO."""
    if value is None:
        return ""
    if isinstance(value, str):
        return to_halfwidth(clean_name(value)).strip()
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        return value.date().isoformat()
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return str(value)


def parse_text(value: Any) -> str:
    """Free text (addresses, work places, notes): half-width, trimmed, runs of spaces as one,
    without control or bidi characters (``huzhou_care.text``)."""
    if value.__class__ is str:  # the common case, kept to one call: this runs per cell
        value = clean_text(value)
        if not value.isascii() and _FULLWIDTH_CHAR.search(value):
            value = value.translate(_HALFWIDTH)
        return " ".join(value.split())
    return " ".join(cell_text(value).split())


def parse_name(value: Any) -> str:
    """A person's name: no spaces at all (clerks pad 王 芳 to line up with 欧阳红梅), no
    control, bidi or zero-width characters (``huzhou_care.text``)."""
    if value.__class__ is str:
        value = clean_name(value)
        if not value.isascii() and _FULLWIDTH_CHAR.search(value):
            value = value.translate(_HALFWIDTH)
        return "".join(value.split())
    return "".join(cell_text(value).split())


def _key(value: Any) -> str:
    """The lookup form of an enum cell: half-width, no whitespace, upper-case ASCII."""
    return squeeze(cell_text(value)).upper()


def _one_of(labels: list[str]) -> str:
    return "、".join(labels)


# --------------------------------------------------------------------------- ID number

_SCIENTIFIC = re.compile(r"^[0-9](?:\.[0-9]+)?E\+?[0-9]+$", re.IGNORECASE)
_ID_SEPARATORS = re.compile(r"[\s\-_'‘’`]+")


def normalize_id(value: Any) -> str:
    """The ID as 18 characters with an upper-case X, or "" if the cell is empty.

    Full-width digits, spaces inside and a leading apostrophe are tolerated. A number cell
    (or its CSV form ``3.30502201407210E+17``) is refused with ``id_numeric``: a double holds
    15 significant digits, so the last digits of an 18-digit ID are already lost.
    """
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise InvalidValue(
            "id_numeric",
            "被 Excel 存成了数字，后几位已丢失：请把该列设置为“文本”格式后重新填写身份证号",
        )
    text = _ID_SEPARATORS.sub("", cell_text(value)).upper()
    if _SCIENTIFIC.match(text):
        raise InvalidValue(
            "id_numeric",
            f"的“{text}”是被 Excel 存成数字后的科学计数法，后几位已丢失：请把该列设置为“文本”"
            "格式后重新填写身份证号",
        )
    return text


def check_id(number: str) -> ResidentId:
    """Validate a normalised ID with ``children.identity`` (the one home of these rules); the
    message comes back in the column-prefixed form (「列」列的身份证号…)."""
    try:
        return resident_id_parse(number)
    except ResidentIdError as exc:
        raise InvalidValue(exc.code, "的" + exc.message) from None


# --------------------------------------------------------------------------- dates


@dataclass(frozen=True, slots=True)
class PartialDate:
    """A date cell; ``month_only`` when only year and month were given (day set to 1)."""

    date: dt.date
    month_only: bool


_DATE_TEXT = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*(?:[-/.月]\s*(\d{1,2})\s*[日号]?|月)?"
    r"(?:\s*\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"
)
_DATE_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})?$")
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_BAD_DATE = "无法识别为日期：请写成 2012-05-03 或 2012年5月3日 这样的格式"


def _make_date(year: int, month: int, day: int | None, shown: str) -> PartialDate:
    try:
        if not 1900 <= year <= 2100:
            raise ValueError(year)
        return PartialDate(dt.date(year, month, 1 if day is None else day), month_only=day is None)
    except ValueError:
        raise InvalidValue("bad_date", f"的“{shown}”{_BAD_DATE}") from None


def parse_date(value: Any) -> PartialDate | None:
    """A birth-date cell: None if empty.

    Accepts a date cell, 2012-05-03, 2012/5/3, 2012.5.3, 2012年5月3日, 20120503, and year and
    month only: 2012.05, 2012.5, 2012-5, 2012年5月, 201205 (``month_only``). A number cell
    of 5 digits is taken as an Excel date serial whose date format was lost.
    """
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return PartialDate(value.date(), month_only=False)
    if isinstance(value, dt.date):
        return PartialDate(value, month_only=False)
    if (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and float(value).is_integer()
        and 10_000 <= value <= 80_000
    ):
        return PartialDate(_EXCEL_EPOCH + dt.timedelta(days=int(value)), month_only=False)
    text = cell_text(value)
    if not text:
        return None
    compact = squeeze(text)
    found = _DATE_COMPACT.match(compact) or _DATE_TEXT.match(text)
    if found is None:
        raise InvalidValue("bad_date", f"的“{text}”{_BAD_DATE}")
    year, month, day = found.groups()
    return _make_date(int(year), int(month), int(day) if day else None, text)


# --------------------------------------------------------------------------- enums


def _table(*entries: tuple[str, tuple[str, ...]]) -> dict[str, str]:
    """Spelling -> code; each entry is (code, spellings), the first spelling canonical."""
    table: dict[str, str] = {}
    for code, spellings in entries:
        table[code.upper()] = code
        for spelling in spellings:
            table[_key(spelling)] = code
    return table


def _labels(*entries: tuple[str, tuple[str, ...]]) -> list[str]:
    return [spellings[0] for _, spellings in entries]


_GENDER_ENTRIES = (
    (Gender.MALE.value, ("男", "男性", "男生", "1")),
    (Gender.FEMALE.value, ("女", "女性", "女生", "2")),
)
_LEFT_BEHIND_ENTRIES = (
    (
        LeftBehindType.BOTH_AWAY.value,
        (
            "双亲外出务工",
            "父母双方外出",
            "父母双方外出务工",
            "父母均外出务工",
            "双亲外出",
            "父母双方同时外出",
            "双亲留守",
            "父母双方外出打工",
        ),
    ),
    (
        LeftBehindType.ONE_AWAY_OTHER_INCAPABLE.value,
        (
            "一方外出另一方无监护能力",
            "一方外出务工另一方无监护能力",
            "父母一方外出另一方无监护能力",
            "一方外出务工另一方无监护能力的",
        ),
    ),
)
_GUARDIANSHIP_TYPE_ENTRIES = (
    (
        GuardianshipType.GRANDPARENT.value,
        (
            "祖辈监护",
            "(外)祖父母监护",
            "祖父母监护",
            "外祖父母监护",
            "隔代监护",
            "祖父母或外祖父母监护",
        ),
    ),
    (
        GuardianshipType.RELATIVE.value,
        ("亲友监护", "亲戚朋友监护", "亲属监护", "亲戚监护", "其他亲属监护"),
    ),
    (
        GuardianshipType.ONE_PARENT.value,
        ("父母一方监护", "父亲监护", "母亲监护", "单亲监护", "父或母监护"),
    ),
    (GuardianshipType.NONE.value, ("无人监护",)),
)
_ASSESSMENT_ENTRIES = (
    (GuardianshipAssessment.GOOD.value, ("较好", "好", "良好", "监护情况较好")),
    (GuardianshipAssessment.FAIR.value, ("一般", "中", "监护情况一般")),
    (GuardianshipAssessment.POOR.value, ("差", "较差", "监护情况差")),
)
_HEALTH_ENTRIES = (
    (Health.HEALTHY.value, ("健康", "良好", "正常", "好")),
    (Health.DISABLED.value, ("残疾",)),
    (Health.ILL.value, ("患病", "疾病", "大病", "重病", "患有疾病")),
)
_STUDY_ENTRIES = (
    (StudyStatus.EXCELLENT.value, ("优秀", "优")),
    (StudyStatus.GOOD.value, ("良好", "良", "较好", "好")),
    (StudyStatus.AVERAGE.value, ("一般", "中", "中等")),
    (StudyStatus.POOR.value, ("较差", "差")),
)
_LIVING_ENTRIES = (
    (LivingStatus.GOOD.value, ("良好", "好", "较好")),
    (LivingStatus.AVERAGE.value, ("一般", "中")),
    (LivingStatus.HARD.value, ("困难", "较差", "差", "贫困")),
)

#: Canonical key -> (spelling -> code, the allowed values shown in messages).
ENUM_FIELDS: dict[str, tuple[dict[str, str], list[str]]] = {
    key: (_table(*entries), _labels(*entries))
    for key, entries in {
        "gender": _GENDER_ENTRIES,
        "left_behind_type": _LEFT_BEHIND_ENTRIES,
        "guardianship_type": _GUARDIANSHIP_TYPE_ENTRIES,
        "guardianship_assessment": _ASSESSMENT_ENTRIES,
        "health": _HEALTH_ENTRIES,
        "study_status": _STUDY_ENTRIES,
        "living_status": _LIVING_ENTRIES,
    }.items()
}
ENUM_FIELDS["gender"] = (ENUM_FIELDS["gender"][0], ["男", "女", "1（男）", "2（女）"])


def parse_enum(field: str, value: Any) -> str | None:
    """A controlled-vocabulary cell as its stored code; None if empty.

    Unknown spellings raise ``bad_enum`` listing the allowed values.
    """
    key = _key(value)
    if not key:
        return None
    table, allowed = ENUM_FIELDS[field]
    code = table.get(key)
    if code is None and "(" in key:
        code = table.get(key.replace("(", "").replace(")", ""))
    if code is None:
        raise InvalidValue(
            "bad_enum", f"的“{cell_text(value)}”不在可选范围内：请改为以下之一：{_one_of(allowed)}"
        )
    return code


def parse_gender(value: Any) -> str | None:
    """男/女, or the student-register codes 1/2 -> Gender code ('M'/'F'); None if empty."""
    return parse_enum("gender", value)


# --------------------------------------------------------------------------- yes / no

_YES = frozenset(
    map(
        _key,
        ("是", "√", "✓", "✔", "☑", "1", "Y", "YES", "TRUE", "有", "对", "是的", "住校", "寄宿"),
    )
)
_NO = frozenset(
    map(
        _key,
        (
            "否",
            "×",
            "✗",
            "✘",
            "0",
            "N",
            "NO",
            "FALSE",
            "无",
            "不是",
            "非",
            "走读",
            "/",
            "-",
            "—",
            "空",
        ),
    )
)


def parse_yes_no(value: Any) -> bool:
    """是/否, √/empty, 1/0, Y/N -> bool; empty is False (是/空 rosters leave "no" blank)."""
    if isinstance(value, bool):
        return value
    key = _key(value)
    if not key or key in _NO:
        return False
    if key in _YES:
        return True
    raise InvalidValue(
        "bad_enum", f"的“{cell_text(value)}”无法识别：请填写“是”或“否”（不是可留空）"
    )


# --------------------------------------------------------------------------- grade and class

_CN_NUMBERS = {
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
    "十": 10,
    "十一": 11,
    "十二": 12,
}
_GRADE = re.compile(
    r"^(?P<stage>小学|初中|高中)?(?P<n>[0-9]{1,2}|十[一二]?|[一二三四五六七八九])年级(?:\(.*\))?$"
)
_GRADE_SHORT = re.compile(r"^(?P<stage>初|高)(?P<n>[一二三123])$")
_GRADE_DIGITS = re.compile(r"^[0-9]{1,2}$")
_STAGE_OFFSET = {None: 0, "小学": 0, "初中": 6, "初": 6, "高中": 9, "高": 9}
#: Pre-school and out-of-school values: no grade, and no error.
_NO_GRADE = frozenset(
    {"幼儿园", "学前班", "大班", "中班", "小班", "未入园", "未入学", "学前", "辍学", "不在学", "无"}
)
_GRADE_ALLOWED = "一年级～九年级、初一～初三、高一～高三，或数字1～12（学前儿童可留空）"


def _number(text: str) -> int:
    return int(text) if text.isdigit() else _CN_NUMBERS[text]


def parse_grade(value: Any) -> int | None:
    """一年级..九年级, 初一..初三, 高一..高三, 小学三年级, 3年级, 3, 七年级(初一) -> 1..12."""
    text = squeeze(cell_text(value))
    if not text or text in _NO_GRADE:
        return None
    grade = None
    if _GRADE_DIGITS.match(text):
        grade = int(text)
    elif found := _GRADE.match(text) or _GRADE_SHORT.match(text):
        number = _number(found["n"])
        offset = _STAGE_OFFSET[found["stage"]]
        if offset == 0 or number <= 3:
            grade = number + offset
    if grade is None or not 1 <= grade <= 12:
        raise InvalidValue(
            "bad_enum", f"的“{cell_text(value)}”无法识别为年级：请填写{_GRADE_ALLOWED}"
        )
    return grade


_CLASS = re.compile(r"^(?:[0-9]{1,2}\(|\()?([0-9]{1,3}|[一二三四五六七八九十]{1,3})\)?班?$")


def parse_class(value: Any) -> str:
    """2班, (2)班, （2）班, 2, 二班, 3(2)班 -> "2班". Other names (火箭班) are kept as written."""
    text = squeeze(cell_text(value))
    if not text:
        return ""
    found = _CLASS.match(text)
    if found is None:
        return text
    number = found.group(1)
    if not number.isdigit():
        if number not in _CN_NUMBERS:
            return text
        number = str(_CN_NUMBERS[number])
    return f"{int(number)}班"


# --------------------------------------------------------------------------- phones

_PHONE_SEPARATORS = re.compile(r"[\s\-—–()]+")
_MOBILE = re.compile(r"^(?:\+?86|0086)?(1[0-9]{10})$")
# Area code set apart by a separator or parentheses: 0572-2399921, (0572)2399921, 0572 2399921.
_LANDLINE_WRITTEN = re.compile(
    r"^(?:\((0[0-9]{2,3})\)\s*|(0[0-9]{2,3})\s*[\-—–\s]\s*)([0-9]{7,8})(?:\s*(?:[\-—–]|转)\s*([0-9]{1,6}))?$"
)
_LANDLINE_DIGITS = re.compile(r"^(0(?:10|2[0-9]|[3-9][0-9]{2}))([0-9]{7,8})$")
_LOCAL = re.compile(r"^[0-9]{7,8}$")
_MANY_PHONES = re.compile(r"[/、,;，；]")
_BAD_PHONE = "手机号应为以1开头的11位数字，固定电话写成 0572-2399921 这样的格式"


def parse_phone(value: Any) -> str:
    """A phone number: mobiles as 11 digits, landlines as area-number; "" if empty.

    13812345678, 138-1234-5678, 138 1234 5678 and +86 13812345678 give 13812345678;
    0572-2399921, (0572)2399921 and 05722399921 give 0572-2399921.
    """
    text = cell_text(value)
    if not text:
        return ""
    if _MANY_PHONES.search(text):
        raise InvalidValue(
            "bad_phone", f"的“{text}”填了不止一个号码：请只保留一个，其他号码可写在「备注」列"
        )
    digits = _PHONE_SEPARATORS.sub("", text)
    if found := _MOBILE.match(digits):
        return found.group(1)
    if digits.startswith(("1", "+")):
        raise InvalidValue("bad_phone", f"的“{text}”不是有效的手机号：{_BAD_PHONE}")
    if found := _LANDLINE_WRITTEN.match(text):
        bracketed, area, number, extension = found.groups()
        return f"{bracketed or area}-{number}" + (f"-{extension}" if extension else "")
    if found := _LANDLINE_DIGITS.match(digits):
        return f"{found.group(1)}-{found.group(2)}"
    if _LOCAL.match(digits):
        return digits
    raise InvalidValue("bad_phone", f"的“{text}”不是有效的电话号码：{_BAD_PHONE}")
