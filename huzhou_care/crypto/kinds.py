"""What each kind of protected value is: how it is normalised for its blind index and how it
is masked for the pages. A kind is named in the field (``EncryptedField(kind="phone")``)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from huzhou_care.accounts.masking import mask_id_number, mask_phone

_SPACE = re.compile(r"[\s\u00a0\u3000]+")
_NOT_DIGIT = re.compile(r"\D")


def _nfkc(value: str) -> str:
    """Full-width digits and letters (１２３Ｘ) to ASCII, no spaces. (ASCII is already in
    NFKC form: most IDs and phones skip the normalisation.)"""
    if not value.isascii():
        value = unicodedata.normalize("NFKC", value)
    return value if value.isalnum() else _SPACE.sub("", value)


def normalise_id_number(value: str) -> str:
    return _nfkc(value).upper()


def normalise_phone(value: str) -> str:
    digits = _NOT_DIGIT.sub("", _nfkc(value))
    if len(digits) == 13 and digits.startswith("86"):  # +86 138…
        digits = digits[2:]
    return digits


def normalise_text(value: str) -> str:
    return _nfkc(value)


def mask_address(value: str) -> str:
    """Keep the place down to the county (``浙江省湖州市吴兴区``), hide the rest."""
    if not value:
        return ""
    match = re.match(r"^(.*?(?:省|自治区))?(.*?市)?(.*?(?:区|县|市))?", value)
    head = "".join(part for part in (match.groups() if match else ()) if part)
    if not head or len(head) >= len(value):
        head = value[: min(3, max(len(value) - 2, 0))]
    return head + "****"


def mask_all(value: str) -> str:
    return "****" if value else ""


@dataclass(frozen=True)
class Kind:
    normalise: Callable[[str], str]
    mask: Callable[[str], str]


KINDS: dict[str, Kind] = {
    "id_number": Kind(normalise_id_number, lambda value: mask_id_number(_nfkc(value))),
    "phone": Kind(normalise_phone, lambda value: mask_phone(_nfkc(value))),
    "address": Kind(normalise_text, mask_address),
    "text": Kind(normalise_text, mask_all),
}
