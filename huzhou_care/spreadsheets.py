"""Writing .xlsx files safely: every exported cell goes through ``safe_cell`` so that a value
such as ``=HYPERLINK(...)`` is shown as text, never run as a formula (formula injection)."""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Iterable, Sequence

from django.utils.functional import Promise
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="F2DCDB")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def safe_cell(value):
    """Neutralise text that a spreadsheet would read as a formula: prefix it with a quote."""
    if isinstance(value, Promise):  # a lazily translated label
        value = str(value)
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    return value


class StreamingSheet:
    """A write-only workbook with one sheet, spooled to a temporary file: memory stays flat
    however many rows are written."""

    def __init__(self, title: str):
        self.workbook = Workbook(write_only=True)
        self.sheet = self.workbook.create_sheet(title)
        self.rows = 0

    def header(self, labels: Sequence[str], widths: Sequence[int] | None = None) -> None:
        for index, width in enumerate(widths or [14] * len(labels)):
            self.sheet.column_dimensions[_column_letter(index)].width = width
        cells = []
        for label in labels:
            cell = WriteOnlyCell(self.sheet, value=label)
            cell.font, cell.fill = HEADER_FONT, HEADER_FILL
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            cells.append(cell)
        self.sheet.append(cells)

    def title_row(self, text: str) -> None:
        cell = WriteOnlyCell(self.sheet, value=text)
        cell.font = Font(bold=True, size=14)
        self.sheet.append([cell])

    def append(self, values: Iterable) -> None:
        self.sheet.append([safe_cell(v) for v in values])
        self.rows += 1

    def to_file(self):
        """An open binary temporary file holding the workbook, positioned at 0."""
        return workbook_file(self.workbook)


def workbook_file(workbook):
    """Spool any openpyxl workbook to a temporary file, ready for a FileResponse."""
    spool = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the response, which closes it
    workbook.save(spool)
    spool.seek(0)
    return spool


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)
