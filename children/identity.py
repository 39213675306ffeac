"""Resident ID numbers (GB 11643-1999): 6-digit division code + birth date + 3-digit order
(odd = male) + ISO 7064 MOD 11-2 check character. Validation uses python-stdnum."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from stdnum.cn import ric
from stdnum.exceptions import InvalidChecksum, ValidationError

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


def resident_id_parse(value: str) -> ResidentId:
    """Validate a normalised 18-character ID (upper-case X) and read what it encodes."""
    if len(value) != 18 or not value[:17].isdigit() or not (value[17].isdigit() or value[17] == "X"):
        raise ResidentIdError("id_invalid", "身份证号应为18位：17位数字加1位数字或X")
    try:
        ric.validate(value)
    except InvalidChecksum:
        raise ResidentIdError("id_checksum", "身份证号校验位不正确，请核对号码是否抄错") from None
    except ValidationError:
        raise ResidentIdError("id_invalid", "身份证号中的出生日期或地区码无效，请核对号码") from None
    birth = ric.get_birth_date(value)
    gender = Gender.MALE if int(value[16]) % 2 else Gender.FEMALE
    return ResidentId(value, birth, gender)


def resident_id_build(division: str, birth_date: dt.date, order: int) -> str:
    """Build a valid ID from its parts (demo data, tests). ``order`` 0..999; odd = male."""
    body = f"{division[:6]}{birth_date:%Y%m%d}{order:03d}"
    return body + ric.calc_check_digit(body + "0")


def age_on(birth_date: dt.date, day: dt.date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


# 不满十六周岁: the definition of a left-behind child.
MAX_AGE = 16
