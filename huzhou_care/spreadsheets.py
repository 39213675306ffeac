"""Writing .xlsx files safely.

* Every exported cell goes through ``safe_cell``: a value such as ``=HYPERLINK(...)`` is shown
  as text, never run as a formula (formula injection), and characters that XML cannot hold
  (C0 controls, which make openpyxl raise ``IllegalCharacterError``) are removed, so writing
  cannot fail on a cell's content.
* No named temporary file, on any path: openpyxl spools each worksheet to a named file
  ``/tmp/openpyxl.*`` and removes it only after a successful save (or at interpreter exit).
  Here each worksheet is spooled to an anonymous ``TemporaryFile`` (no name on disk; it is gone
  when closed or when the process dies), and the workbook is written to another one, closed
  in ``finally`` on any failure.
"""

from __future__ import annotations

import datetime as dt
import decimal
import shutil
import tempfile
from collections.abc import Iterable, Sequence
from zipfile import ZIP_DEFLATED, ZipFile

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.drawing.spreadsheet_drawing import SpreadsheetDrawing
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet._writer import WorksheetWriter
from openpyxl.writer.excel import ExcelWriter

from huzhou_care.text import strip_unsafe

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="F2DCDB")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


_PLAIN_TYPES = (int, float, decimal.Decimal, dt.date, dt.time, dt.timedelta)


def safe_cell(value):
    """A value any worksheet accepts: text without control characters, with a quote before
    what a spreadsheet would read as a formula; naive datetimes; anything unusual as text."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, _PLAIN_TYPES):
        return value
    if not isinstance(value, str):  # a lazily translated label, or anything else
        value = str(value)
    value = strip_unsafe(value)[:32767]
    if value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


class StreamingSheet:
    """A write-only workbook with one sheet, spooled to a temporary file: memory stays flat
    however many rows are written."""

    def __init__(self, title: str):
        self.workbook = Workbook(write_only=True)
        self.sheet = self.workbook.create_sheet(safe_cell(title))
        # Spool the rows to an anonymous file instead of openpyxl's named /tmp/openpyxl.*.
        self.sheet._writer = WorksheetWriter(self.sheet, out=_spool())
        self.sheet._writer.write_top()
        self.rows = 0

    def header(self, labels: Sequence[str], widths: Sequence[int] | None = None) -> None:
        for index, width in enumerate(widths or [14] * len(labels)):
            self.sheet.column_dimensions[_column_letter(index)].width = width
        cells = []
        for label in labels:
            cell = WriteOnlyCell(self.sheet, value=safe_cell(label))
            cell.font, cell.fill = HEADER_FONT, HEADER_FILL
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            cells.append(cell)
        self.sheet.append(cells)

    def title_row(self, text: str) -> None:
        cell = WriteOnlyCell(self.sheet, value=safe_cell(text))
        cell.font = Font(bold=True, size=14)
        self.sheet.append([cell])

    def append(self, values: Iterable) -> None:
        self.sheet.append([safe_cell(v) for v in values])
        self.rows += 1

    def plain_row(self, values: Iterable) -> None:
        """A row that is not a data row (a signature line, a blank line): not counted."""
        self.sheet.append([safe_cell(v) for v in values])

    def to_file(self):
        """An open binary temporary file holding the workbook, positioned at 0."""
        try:
            return workbook_file(self.workbook)
        finally:
            self.discard()

    def discard(self) -> None:
        """Close the spooled rows (also when the export failed half-way)."""
        writer = self.sheet._writer
        out = getattr(writer, "out", None)
        if out is None or isinstance(out, str) or out.closed:
            return  # saved (the writer closed it), or never spooled
        for stream in (self.sheet._rows, writer.xf):  # stop the XML generators first
            try:
                if stream is not None:
                    stream.close()
            except Exception:  # noqa: S110 - a broken half-written stream is being thrown away
                pass
        out.close()


def _spool():
    return tempfile.TemporaryFile()  # noqa: SIM115 - closed by the writer or by discard()


class _AnonymousSpoolWriter(ExcelWriter):
    """openpyxl's writer, with worksheets spooled to anonymous files instead of named ones."""

    def write_worksheet(self, ws):
        ws._drawing = SpreadsheetDrawing()
        ws._drawing.charts = ws._charts
        ws._drawing.images = ws._images
        if self.workbook.write_only:
            if not ws.closed:
                ws.close()
            writer = ws._writer
        else:
            writer = WorksheetWriter(ws, out=_spool())
            try:
                writer.write()
            except BaseException:
                writer.out.close()
                raise
        ws._rels = writer._rels
        out = writer.out
        if isinstance(out, str):  # a sheet made elsewhere with openpyxl's own named spool
            self._archive.write(out, ws.path[1:])
            writer.cleanup()
        else:
            try:
                out.seek(0)
                with self._archive.open(ws.path[1:], "w", force_zip64=True) as member:
                    shutil.copyfileobj(out, member)
            finally:
                out.close()
        self.manifest.append(ws)


def workbook_file(workbook):
    """Write any openpyxl workbook to an anonymous temporary file, ready for a FileResponse
    (which closes it). On any failure the file is closed (and so gone) before the error goes
    on."""
    workbook.properties.modified = dt.datetime.now(tz=dt.UTC).replace(tzinfo=None)
    spool = _spool()
    try:
        with ZipFile(spool, "w", ZIP_DEFLATED, allowZip64=True) as archive:
            _AnonymousSpoolWriter(workbook, archive).save()
        spool.seek(0)
    except BaseException:
        spool.close()
        raise
    return spool


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)
