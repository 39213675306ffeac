"""Resident ID numbers (GB 11643-1999): 6-digit division code + birth date + 3-digit order
(odd = male) + ISO 7064 MOD 11-2 check character. Validation uses python-stdnum."""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass

from stdnum.cn import ric
from stdnum.exceptions import ValidationError

from .choices import Gender


class ResidentIdError(ValueError):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class ResidentId:
    number: str
    birth_date: dt.date
    gender: str  # Gender value

    @property
    def division(self) -> str:
        return self.number[:6]


_ID_SHAPE = re.compile(r"^[0-9]{17}[0-9X]$")


@functools.lru_cache(maxsize=4096)
def _division_known(division: str, year: int) -> bool:
    """Whether the 6-digit division code existed in ``year`` (python-stdnum's table)."""
    try:
        ric.get_birth_place(f"{division}{year:04d}0101000")
    except ValidationError:
        return False
    return True


def resident_id_parse(number: str) -> ResidentId:
    """Validate a normalised 18-character ID (upper-case X) and read what it encodes.

    The rules of ``stdnum.cn.ric.validate`` in a faster order (the division lookup is cached
    per code and year; ``validate`` costs ~60 µs a call, 3 s for a 50,000-row roster). Codes:
    ``id_invalid`` (length, characters, birth date, division code), ``id_checksum`` (a digit
    mistyped) and ``id_numeric`` (a wrong check character after ``000``: the tail an ID gets
    when Excel stored it as a number, 15 significant digits, and it was saved as text again).
    Messages start with 身份证号 so that callers may put the column name in front.
    """
    if len(number) != 18:
        raise ResidentIdError(
            "id_invalid", f"身份证号应为18位，这里是{len(number)}位：请对照户口簿或身份证核对"
        )
    if not _ID_SHAPE.match(number):
        raise ResidentIdError(
            "id_invalid", "身份证号含有数字和末位X以外的字符：请对照户口簿或身份证核对"
        )
    try:
        birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise ResidentIdError(
            "id_invalid",
            f"身份证号第7～14位“{number[6:14]}”不是有效的出生日期：请对照户口簿或身份证核对",
        ) from None
    if ric.calc_check_digit(number) != number[17]:
        if number.endswith("000"):
            raise ResidentIdError(
                "id_numeric",
                "身份证号末尾变成了000，说明它曾被 Excel 存成数字，后几位已丢失：请把该列设置为“文本”格式后重新填写身份证号",
            )
        raise ResidentIdError(
            "id_checksum",
            "身份证号校验位（最后一位）不正确，说明号码中有数字填错：请对照户口簿或身份证核对",
        )
    if not _division_known(number[:6], birth.year):
        raise ResidentIdError(
            "id_invalid", f"身份证号前6位地区码“{number[:6]}”不存在：请对照户口簿或身份证核对"
        )
    return ResidentId(
        number, birth, Gender.MALE.value if int(number[16]) % 2 else Gender.FEMALE.value
    )


def resident_id_build(division: str, birth_date: dt.date, order: int) -> str:
    """Build a valid ID from its parts (demo data, tests). ``order`` 0..999; odd = male."""
    body = f"{division[:6]}{birth_date:%Y%m%d}{order:03d}"
    return body + ric.calc_check_digit(body + "0")


def age_on(birth_date: dt.date, day: dt.date) -> int:
    """Age in whole years (周岁) on ``day``."""
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


# 不满十六周岁: the definition of a left-behind child.
MAX_AGE = 16
