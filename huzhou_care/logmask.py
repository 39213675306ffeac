"""No ID number or phone in any log line.

Code logs ids, never personal data; but text it does not control reaches the logs too: a
database error's detail (``Key (id_number)=(330502201603140211) already exists``), a
library's message, a traceback. :func:`mask` replaces every resident ID number and phone
number in a text by its masked form (``3305**********0211``, ``138****5678``).

It is applied to every log record, whatever logger or handler: ``LOGGING`` in settings names
:func:`masking_filter` as a filter of its handlers, and building that filter also installs a
log record factory that masks each record's message and traceback as the record is made, so
that handlers added later (pytest's capture, Celery's, Sentry's) see masked records too.
"""

from __future__ import annotations

import logging
import re

# 18-digit resident ID (last character X for a checksum of 10) or the 15-digit 1st generation.
_ID_18 = re.compile(r"(?<![0-9A-Za-z])(\d{4})\d{10}(\d{3}[0-9Xx])(?![0-9A-Za-z])")
_ID_15 = re.compile(r"(?<![0-9A-Za-z])(\d{4})\d{7}(\d{4})(?![0-9A-Za-z])")
# Mobile numbers (optionally +86 / 0086) and landlines written 0572-2399921 or 05722399921.
_MOBILE = re.compile(r"(?<![0-9])((?:\+?86|0086)?1[3-9]\d)\d{4}(\d{4})(?![0-9])")
_LANDLINE = re.compile(r"(?<![0-9])(0\d{2,3}-?)\d{3,4}(\d{4})(?![0-9])")


def mask(text: str) -> str:
    """``text`` with every ID number and phone number masked."""
    if not any(ch.isdigit() for ch in text):
        return text
    text = _ID_18.sub(lambda m: f"{m.group(1)}{'*' * 10}{m.group(2)[-4:]}", text)
    text = _ID_15.sub(lambda m: f"{m.group(1)}{'*' * 7}{m.group(2)}", text)
    text = _MOBILE.sub(r"\1****\2", text)
    return _LANDLINE.sub(r"\1****\2", text)


_formatter = logging.Formatter()


def mask_record(record: logging.LogRecord) -> logging.LogRecord:
    """Mask a record in place: its message (arguments merged in) and its traceback text."""
    if getattr(record, "_masked", False):
        return record
    try:
        message = record.getMessage()
    except Exception:  # a bad format string: keep the raw text, masked
        message = f"{record.msg} {record.args}"
    record.msg, record.args = mask(message), None
    if record.exc_info and not record.exc_text:
        record.exc_text = _formatter.formatException(record.exc_info)
    if record.exc_text:
        record.exc_text = mask(record.exc_text)
    if record.stack_info:
        record.stack_info = mask(record.stack_info)
    record._masked = True
    return record


class MaskPersonalData(logging.Filter):
    """A handler filter: masks ID numbers and phones in every record it sees."""

    def filter(self, record: logging.LogRecord) -> bool:
        mask_record(record)
        return True


_installed = False


def install_record_factory() -> None:
    """Mask every record when it is made (once per process)."""
    global _installed
    if _installed:
        return
    previous = logging.getLogRecordFactory()

    def factory(*args, **kwargs):
        return mask_record(previous(*args, **kwargs))

    logging.setLogRecordFactory(factory)
    _installed = True


def masking_filter() -> MaskPersonalData:
    """The filter named in ``LOGGING``; configuring it installs the record factory too."""
    install_record_factory()
    return MaskPersonalData()


__all__ = ["MaskPersonalData", "install_record_factory", "mask", "mask_record", "masking_filter"]
