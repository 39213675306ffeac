"""Cleaning text at every way in: forms, rosters, hour imports, the admin.

Text that reaches the registry is later written into spreadsheets (XML, which cannot hold
most control characters: openpyxl raises ``IllegalCharacterError``), into PostgreSQL (which
refuses NUL in text), into log lines and into pages. So every way in cleans it first:

* C0 controls (U+0000..U+001F), DEL and C1 controls (U+0080..U+009F) are removed, except a
  tab and a line break in fields that allow several lines (notes); elsewhere a tab or a line
  break becomes a space. ``\\r\\n`` and a lone ``\\r`` become ``\\n``.
* Bidirectional embedding/override/isolate controls (U+202A..U+202E, U+2066..U+2069, the
  marks U+200E, U+200F, U+061C) are removed everywhere: they make ``王芳`` display as
  something else, and a file name or a name in a list display reversed.
* Zero-width characters (U+200B..U+200D, U+2060, U+FEFF, U+180E, soft hyphen U+00AD) are
  removed from names, where they only serve to make two equal names compare different.
* Noncharacters U+FFFE/U+FFFF and lone surrogates, which no XML file may contain, go too.

:func:`clean_text` and :func:`clean_name` are the functions; :class:`CleanTextFormMixin`
applies them to the submitted data of any form (including the admin's ModelForms, see
``huzhou_care.admin``); the roster normalisers call them per cell.
"""

from __future__ import annotations

import re
from typing import Any

#: Removed from every text: controls other than tab/LF/CR, bidi controls, noncharacters.
_ALWAYS = (
    "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
    "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
    "\ufffe\uffff\ud800-\udfff"
)
_ZERO_WIDTH = "\u00ad\u180e\u200b-\u200d\u2060\ufeff"

_UNSAFE = re.compile(f"[{_ALWAYS}]")
_UNSAFE_IN_NAME = re.compile(f"[{_ALWAYS}{_ZERO_WIDTH}]")
_LINE_BREAKS = re.compile(r"\r\n?")
_TAB_OR_BREAK = re.compile(r"[\t\n\r]")
# Quick test: is there anything at all to do? (Most text is plain.)
_ANY = re.compile(f"[{_ALWAYS}{_ZERO_WIDTH}\t\n\r]")


def clean_text(value: str, *, multiline: bool = False) -> str:
    """``value`` without control, bidi and noncharacter code points.

    With ``multiline`` a tab and line breaks are kept (``\\r\\n`` as ``\\n``); without it they
    become spaces. Nothing else changes: trimming and width folding are the caller's business.
    """
    if not _ANY.search(value):
        return value
    value = _UNSAFE.sub("", value)
    if multiline:
        return _LINE_BREAKS.sub("\n", value)
    return _TAB_OR_BREAK.sub(" ", value)


def clean_name(value: str) -> str:
    """A person's or a place's name: as :func:`clean_text`, and zero-width characters go too."""
    if not _ANY.search(value):
        return value
    return _TAB_OR_BREAK.sub(" ", _UNSAFE_IN_NAME.sub("", value))


def strip_unsafe(value: str) -> str:
    """Only remove what no XML file or PostgreSQL text may hold, and bidi controls; tabs and
    line breaks (``\r`` too) stay as they are. For writing out, not for cleaning input."""
    return _UNSAFE.sub("", value) if _ANY.search(value) else value


def has_unsafe(value: str) -> bool:
    """Whether :func:`clean_name` would change anything but tabs and line breaks."""
    return bool(_UNSAFE_IN_NAME.search(value))


def clean_value(value: Any, *, multiline: bool = False) -> Any:
    """:func:`clean_text` for strings; anything else is returned as it is."""
    if isinstance(value, str):
        return clean_text(value, multiline=multiline)
    return value


def _is_name_field(name: str) -> bool:
    return name == "name" or name.endswith(("_name", "name_")) or name in ("full_name", "username")


class CleanTextFormMixin:
    """Clean every submitted text value before the form's fields see it.

    Put it first in the bases (``class F(CleanTextFormMixin, forms.ModelForm)``). Fields
    whose widget is a ``Textarea`` keep tabs and line breaks; fields named ``name``,
    ``*_name``, ``full_name`` or ``username`` lose zero-width characters too; password fields
    (``PasswordInput``) and the names in ``raw_text_fields`` are left exactly as typed, so a
    password is never changed behind the user's back.
    """

    raw_text_fields: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.is_bound and self.data:
            self.data = self._cleaned_data_copy(self.data)

    def _cleaned_data_copy(self, data):
        from django import forms

        multiline: set[str] = set()
        names: set[str] = set()
        raw: set[str] = set()
        for field_name, field in self.fields.items():
            key = self.add_prefix(field_name)
            widget = field.widget
            if field_name in self.raw_text_fields or isinstance(widget, forms.PasswordInput):
                raw.add(key)
            elif isinstance(widget, forms.Textarea):
                multiline.add(key)
            elif _is_name_field(field_name):
                names.add(key)

        def clean(key: str, value: Any) -> Any:
            if not isinstance(value, str) or key in raw:
                return value
            if key in names:
                return clean_name(value)
            return clean_text(value, multiline=key in multiline)

        if hasattr(data, "lists"):  # a QueryDict (or MultiValueDict): keep every value
            copy = data.copy()
            for key, values in data.lists():
                copy.setlist(key, [clean(key, value) for value in values])
            return copy
        return {key: clean(key, value) for key, value in data.items()}


class CleanTextResourceMixin:
    """For django-import-export resources: every text cell of an imported row is cleaned
    (names also lose zero-width characters) before the row is compared or saved."""

    def before_import_row(self, row, **kwargs):
        for key in list(row.keys()):
            value = row[key]
            if isinstance(value, str):
                row[key] = clean_name(value) if "名" in str(key) else clean_text(value)
        return super().before_import_row(row, **kwargs)


__all__ = [
    "CleanTextFormMixin",
    "CleanTextResourceMixin",
    "clean_name",
    "clean_text",
    "clean_value",
    "has_unsafe",
]
