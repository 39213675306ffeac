"""Read an uploaded roster file into a grid of cell values, safely.

The file type is decided by content, never by the file name: schools rename files, and a
type check by extension is no check at all.

* xlsx: a zip holding ``[Content_Types].xml`` and an ``xl/`` folder;
* ods: a zip whose ``mimetype`` member says ``application/vnd.oasis.opendocument.spreadsheet``;
* xls: an OLE2 compound file (magic ``D0 CF 11 E0 A1 B1 1A E1``), the Excel 97 format;
* csv: anything else that decodes as text (UTF-8 with or without BOM, UTF-16 with BOM as
  written by Excel's "Unicode text", else GB18030, which covers GBK and GB2312).

Guards, all before any spreadsheet parser sees the bytes:

* a size cap on the upload (:data:`MAX_UPLOAD_BYTES`);
* for zip formats, a zip-bomb guard on the central directory (member count, sum of declared
  uncompressed sizes, compression ratio of big members), then one streaming pass that
  checks the members really inflate to no more than they declare;
* in the same pass, a cap on the number of *rows* (:func:`max_rows`, ``ROSTER_MAX_ROWS``,
  20,000 by default: a school roster has hundreds), counting ODS's
  ``number-rows-repeated`` as the rows it stands for, so a 1 KB file announcing a million
  rows is refused before calamine builds them; for xls the row count is read from the sheet
  before its cells become Python objects, and CSV stops reading at the cap;
* and a bound on the *cell range* of the sheets. calamine builds a dense grid
  from the top-left to the bottom-right used cell, so a 5 KB xlsx with one cell in A1 and one
  in XFD1048576 asks for 17 billion cells and aborts the whole process (not an exception: a
  Rust allocation failure). The scan finds the furthest cell cheaply and refuses such files.
  For xls the grid is at most 65,536 x 256 cells, so it is checked after calamine reads the
  sheet and before it is converted to Python objects.

XML safety: calamine parses xlsx and ods XML in Rust (quick-xml), which does not expand
entity declarations, so "billion laughs" and external-entity attacks have nothing to work
with. openpyxl, used elsewhere to *write* the template and error sheets, uses defusedxml
automatically whenever it is installed (it is a project dependency). Nothing here calls
``defusedxml.defuse_stdlib()``; the only XML touched by Python here is scanned with regular
expressions, never parsed.

Every failure is a :class:`RosterFileError` with a Chinese message that says what to do;
callers never see a traceback from a parser.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import struct
import zipfile
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from python_calamine import CalamineWorkbook, PasswordError, SheetTypeEnum, SheetVisibleEnum

MiB = 1024 * 1024

#: Largest upload accepted, checked before anything else.
MAX_UPLOAD_BYTES = 20 * MiB
#: Sum of the declared uncompressed sizes of all zip members.
MAX_UNCOMPRESSED_BYTES = 200 * MiB
#: Number of zip members (a real xlsx has a dozen or two).
MAX_ZIP_MEMBERS = 1_000
#: Largest compression ratio accepted for a member bigger than RATIO_CHECK_MIN_BYTES.
MAX_COMPRESSION_RATIO = 100
RATIO_CHECK_MIN_BYTES = 1 * MiB
#: Largest dense cell range (rows x columns, counted from A1) a sheet may span.
#: A 50,000-child roster with 30 columns is 1.5 million cells.
MAX_SHEET_CELLS = 5_000_000

#: Default of ``settings.ROSTER_MAX_ROWS``: most rows (header and title rows included) a
#: roster sheet may have.
DEFAULT_MAX_ROWS = 20_000

_CHUNK = 4 * MiB

FORMATS = ("xlsx", "xls", "ods", "csv")

_ZIP_MAGIC = b"PK\x03\x04"
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
# Office 2007+ files saved with a password are OLE2 containers with this stream.
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")

MSG_EMPTY = "文件是空的：请检查是否选错了文件后重新上传"
MSG_TOO_LARGE = (
    f"文件太大（超过 {MAX_UPLOAD_BYTES // MiB} MB）：请删除无关的工作表和图片，"
    "或把名册拆成几个文件分别上传"
)
MSG_UNKNOWN_TYPE = (
    "文件格式不对：名册须是 Excel（.xlsx、.xls）、WPS/LibreOffice 表格（.ods）或 .csv 文件。"
    "请用 Excel 或 WPS 打开名册后另存为 .xlsx 再上传"
)
MSG_XML_DOCTYPE = (
    "文件内部含有不允许的 XML 定义（DOCTYPE/ENTITY），可能被篡改：请在 Excel 或 WPS 中打开后另存为新的"
    " .xlsx 文件再上传"
)
MSG_CORRUPT = "文件已损坏或无法读取：请用 Excel 或 WPS 打开后另存为 .xlsx 文件再上传"
MSG_ENCRYPTED = "文件设置了打开密码，无法读取：请在 Excel 或 WPS 中取消密码并另存后再上传"
MSG_ZIP_BOMB = (
    "文件解压后异常庞大（{reason}），为安全起见已拒绝读取：请用 Excel 或 WPS 打开后"
    "另存为 .xlsx 文件再上传"
)
MSG_RANGE = (
    "工作表的数据范围过大（有内容的单元格一直延伸到第 {rows} 行、第 {cols} 列）："
    "请删除名册以外多余的行和列（或把名册复制到新的工作表）后再上传"
)
MSG_ROWS = (
    "文件的行数太多（数据一直延伸到第 {rows} 行，上限为 {limit} 行）：一所学校的名册通常只有几百行。"
    "请删除名册以外多余的行（或把名册复制到新的工作表），人数确实很多时请拆成几个文件分别上传"
)
MSG_ENCODING = (
    "无法识别文件的文字编码：请用 Excel 打开后另存为 .xlsx，或另存为“CSV UTF-8（逗号分隔）”后再上传"
)


def max_rows() -> int:
    """The row cap in force (``settings.ROSTER_MAX_ROWS``)."""
    return int(getattr(settings, "ROSTER_MAX_ROWS", DEFAULT_MAX_ROWS))


def _check_rows(rows: int) -> None:
    limit = max_rows()
    if rows > limit:
        raise RosterFileError(MSG_ROWS.format(rows=rows, limit=limit))


class RosterFileError(ValueError):
    """The file as a whole cannot be read. ``message`` is Chinese and says what to do."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True, slots=True)
class Sheet:
    """The cell grid of the sheet that holds the roster.

    ``rows[i]`` is spreadsheet row ``i + 1`` (for CSV: record ``i + 1``), counted from the top
    of the sheet including title rows. Cells are as calamine gives them: ``str`` (``""`` for
    an empty cell), ``int``, ``float``, ``bool``, ``date``, ``datetime``, ``time`` or
    ``timedelta``; CSV cells are always ``str``. Rows may differ in length (CSV).
    """

    rows: list[list[Any]]
    format: str
    sheet_name: str = ""


def read_rows(data: bytes, filename: str = "") -> Sheet:
    """Read the roster sheet of an uploaded file.

    ``filename`` is only informative: the type is decided by the content. For workbooks the
    first visible worksheet that has any content is read (else the first sheet).
    """
    if len(data) > MAX_UPLOAD_BYTES:
        raise RosterFileError(MSG_TOO_LARGE)
    if not data.strip():
        raise RosterFileError(MSG_EMPTY)
    if data.startswith(_ZIP_MAGIC):
        with _open_zip(data) as archive:
            kind = _zip_kind(archive)
            guard_zip(archive, kind)
        return _read_workbook(data, kind)
    if data.startswith(_OLE2_MAGIC):
        if _ENCRYPTED_PACKAGE in data:
            raise RosterFileError(MSG_ENCRYPTED)
        return _read_workbook(data, "xls")
    text = decode_text(data)
    if text is None or not looks_like_table(text):
        raise RosterFileError(MSG_UNKNOWN_TYPE)
    return Sheet(rows=_read_csv(text), format="csv")


def sniff_format(data: bytes) -> str:
    """Return ``'xlsx'``, ``'xls'``, ``'ods'`` or ``'csv'`` from the content, or raise."""
    if data.startswith(_ZIP_MAGIC):
        with _open_zip(data) as archive:
            return _zip_kind(archive)
    if data.startswith(_OLE2_MAGIC):
        return "xls"
    text = decode_text(data)
    if text is not None and looks_like_table(text):
        return "csv"
    raise RosterFileError(MSG_UNKNOWN_TYPE)


# Text that is a document of another kind (JSON, HTML/XML, a script) rather than a table.
_NOT_TABLE_STARTS = ("{", "[", "<")
# In CSV, almost every character is ASCII, CJK, or common punctuation; bytes that only decode
# as GB18030 by chance give many characters outside those ranges.
_RARE_SHARE = 0.05


def _rare(ch: str) -> bool:
    code = ord(ch)
    return not (
        code < 0x80
        or 0x4E00 <= code <= 0x9FFF  # CJK unified ideographs
        or 0x3000 <= code <= 0x303F  # CJK punctuation
        or 0xFF00 <= code <= 0xFFEF  # full-width forms
        or code in (0x00B7, 0x2014, 0x2018, 0x2019, 0x201C, 0x201D, 0x2026, 0xFEFF)
    )


def looks_like_table(text: str) -> bool:
    """Whether decoded text can be a delimited table: not JSON/HTML/XML, some line holds a
    delimiter, and it is not mostly rare characters (binary junk read as GB18030)."""
    sample = text.lstrip("\ufeff \t\r\n")[:65536]
    if not sample or sample.startswith(_NOT_TABLE_STARTS):
        return False
    lines = [line for line in sample.splitlines()[:50] if line.strip()]
    if not any(d in line for line in lines for d in (",", "\t", ";", "，")):
        return False
    return sum(map(_rare, sample)) <= _RARE_SHARE * len(sample)


# --------------------------------------------------------------------------- zip formats


def _open_zip(data: bytes) -> zipfile.ZipFile:
    _check_member_count(data)
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise RosterFileError(MSG_CORRUPT) from exc


def _check_member_count(data: bytes) -> None:
    """Refuse a zip announcing too many members before zipfile builds a ZipInfo for each.

    The end-of-central-directory record (the last 22 bytes plus a comment of up to 64 KiB)
    states the member count; 20 MiB of central directory could list some 450,000 members.
    """
    end = data.rfind(b"PK\x05\x06", max(0, len(data) - 22 - 65_535))
    if end < 0 or len(data) < end + 22:
        return  # zipfile will call it corrupt
    (count,) = struct.unpack_from("<H", data, end + 10)
    if count != 0xFFFF and count > MAX_ZIP_MEMBERS:  # 0xFFFF: zip64, counted by guard_zip
        raise RosterFileError(MSG_ZIP_BOMB.format(reason=f"包含 {count} 个内部文件"))


def _zip_kind(archive: zipfile.ZipFile) -> str:
    names = set(archive.namelist())
    if "[Content_Types].xml" in names and any(name.startswith("xl/") for name in names):
        return "xlsx"
    if "mimetype" in names:
        info = archive.getinfo("mimetype")
        if info.file_size <= 200:
            try:
                mimetype = archive.read(info).strip()
            except Exception as exc:  # any failure here means a broken file
                raise RosterFileError(MSG_CORRUPT) from exc
            if mimetype == _ODS_MIMETYPE:
                return "ods"
    raise RosterFileError(MSG_UNKNOWN_TYPE)


def guard_zip(archive: zipfile.ZipFile, kind: str) -> None:
    """Refuse zip bombs and oversized sheets before a parser inflates anything.

    First the central directory (cheap): member count, sum of declared sizes, ratio of big
    members. Then one streaming pass over every member: it proves each member inflates to
    no more than it declares (zipfile also checks the CRC) and measures how far the cells of
    the sheets reach.
    """
    infos = archive.infolist()
    if len(infos) > MAX_ZIP_MEMBERS:
        raise RosterFileError(MSG_ZIP_BOMB.format(reason=f"包含 {len(infos)} 个内部文件"))
    total = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise RosterFileError(MSG_ENCRYPTED)
        total += info.file_size
        if info.file_size > RATIO_CHECK_MIN_BYTES and info.file_size > MAX_COMPRESSION_RATIO * max(
            info.compress_size, 1
        ):
            raise RosterFileError(MSG_ZIP_BOMB.format(reason="压缩比异常"))
    if total > MAX_UNCOMPRESSED_BYTES:
        raise RosterFileError(
            MSG_ZIP_BOMB.format(reason=f"解压后超过 {MAX_UNCOMPRESSED_BYTES // MiB} MB")
        )

    extent = _scan_members(archive, kind, precise=False)
    if kind == "xlsx" and (extent.too_big() or extent.max_row + 1 > max_rows()):
        # The quick bound counted empty styled cells (<c r="XFD9" s="1"/>), which calamine
        # skips; files formatted far beyond their data have them. Count again without them.
        extent = _scan_members(archive, kind, precise=True)
    extent.check()


def _scan_members(archive: zipfile.ZipFile, kind: str, *, precise: bool) -> _CellExtent:
    extent = _CellExtent()
    for info in archive.infolist():
        if info.is_dir():
            continue
        if kind == "xlsx":
            _scan_member(archive, info, _XlsxFastScan(extent, precise=precise))
        elif kind == "ods" and info.filename == "content.xml":
            _scan_member(archive, info, _OdsScan(extent))
        else:
            _scan_member(archive, info, None)
    return extent


def _scan_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, scan: _Scan | None) -> None:
    """Inflate one member in chunks, feeding ``scan``; refuse if it outgrows its declared size.

    An xlsx member that the fast scan cannot handle is scanned again with the slow one.
    """
    try:
        seen = 0
        with archive.open(info) as member:
            while chunk := member.read(_CHUNK):
                if not seen and _declares_entities(chunk):
                    raise RosterFileError(MSG_XML_DOCTYPE)
                seen += len(chunk)
                if seen > info.file_size:
                    raise RosterFileError(MSG_ZIP_BOMB.format(reason="内部文件大小与声明不符"))
                if scan is not None and not scan.feed(chunk):
                    break
    except RosterFileError:
        raise
    except Exception as exc:  # bad CRC, bad deflate data, unsupported method
        raise RosterFileError(MSG_CORRUPT) from exc
    if scan is None:
        return
    if not scan.gave_up:
        scan.close()
    if scan.gave_up:
        _scan_member(archive, info, _XlsxSlowScan(scan.extent))


def _declares_entities(head: bytes) -> bool:
    """Spreadsheet XML never carries a DOCTYPE. One that does may declare entities (billion
    laughs, external files): refuse the file instead of trusting every parser downstream."""
    prolog = head[:65536]
    return b"<!DOCTYPE" in prolog or b"<!ENTITY" in prolog


class _CellExtent:
    """The furthest row and column (0-based) holding a value, over all sheets of a workbook."""

    __slots__ = ("max_col", "max_row")

    def __init__(self) -> None:
        self.max_row = -1
        self.max_col = -1

    def add(self, row: int, col: int) -> None:
        if row > self.max_row:
            self.max_row = row
        if col > self.max_col:
            self.max_col = col

    def too_big(self) -> bool:
        return (self.max_row + 1) * (self.max_col + 1) > MAX_SHEET_CELLS

    def check(self) -> None:
        _check_cells(self.max_row + 1, self.max_col + 1)
        _check_rows(self.max_row + 1)


def _check_cells(rows: int, cols: int) -> None:
    if rows > 0 and cols > 0 and rows * cols > MAX_SHEET_CELLS:
        raise RosterFileError(MSG_RANGE.format(rows=rows, cols=cols))


def _column_number(letters: bytes) -> int:
    """``b'A'`` -> 0, ``b'AD'`` -> 29."""
    number = 0
    for byte in letters:
        number = number * 26 + (byte - 64)
    return number - 1


class _Scan:
    """Base of the streaming scanners: feeds chunks, keeping an unfinished tag for the next."""

    gave_up = False

    def __init__(self, extent: _CellExtent) -> None:
        self.extent = extent
        self._tail = b""

    def feed(self, chunk: bytes) -> bool:
        """Scan ``chunk``; return False to stop reading this member (the scan gave up)."""
        data = self._tail + chunk
        cut = data.rfind(b"<")
        if cut < 0 or data.find(b">", cut) >= 0:
            cut = len(data)
        self._tail = data[cut:]
        return self.scan(data[:cut])

    def close(self) -> None:
        if self._tail:
            self.scan(self._tail)
            self._tail = b""

    def scan(self, data: bytes) -> bool:
        raise NotImplementedError


# Cell start tags as Excel, WPS, LibreOffice and openpyxl write them: ``<c r="AB123" ...>``.
# The quick patterns take every cell tag; the precise ones match an empty cell, self-closing
# (``<c r="B2" s="1"/>``) or closed at once (``<c r="B2" s="1" t="n"></c>``, as openpyxl writes
# it when lxml is installed), both skipped by calamine, on a branch without a group (b"").
_XLSX_QUICK_ROWS = re.compile(rb'<c r="[A-Z]+([0-9]+)"')
_XLSX_QUICK_COLS = re.compile(rb'<c r="([A-Z]+)[0-9]')
_XLSX_PRECISE_ROWS = re.compile(
    rb'<c r="[A-Z]+([0-9]+)"[^>/]*>(?!</c>)|<c r="[^>]*/>|<c r="[^>/]*></c>'
)
_XLSX_PRECISE_COLS = re.compile(
    rb'<c r="([A-Z]+)[0-9]+"[^>/]*>(?!</c>)|<c r="[^>]*/>|<c r="[^>/]*></c>'
)
# Cell tags the quick scan cannot read: no r, or r not first (<c>, <c s="1" r="A1">), and
# namespace-prefixed ones (<x:c ...>), which calamine reads by local name.
_XLSX_UNUSUAL_CELL = re.compile(rb'<c(?:[>/]|\s(?!r="))')
_XLSX_PREFIXED_CELL = re.compile(rb":c[\s/>]")


def _furthest(found: list[bytes]) -> bytes:
    """The largest of equal-kind refs (row digits, or column letters): longest, then highest."""
    distinct = set(found)  # C-level; a sheet has few distinct rows per chunk, fewer columns
    longest = len(max(distinct, key=len))
    return max(item for item in distinct if len(item) == longest) if longest else b""


class _XlsxFastScan(_Scan):
    """Cell extent of xlsx XML where every cell tag starts ``<c r="``.

    Counts the cell tags first; anything unusual (a cell without ``r``, a namespace prefix,
    ``r`` not the first attribute) makes it give up, and the member is scanned again by
    :class:`_XlsxSlowScan`, which follows calamine's own rules. Only C-level regex and set
    work per chunk: about 0.5 s for the 80 MB sheet of a 50,000-row roster.
    """

    def __init__(self, extent: _CellExtent, *, precise: bool) -> None:
        super().__init__(extent)
        self._rows = _XLSX_PRECISE_ROWS if precise else _XLSX_QUICK_ROWS
        self._cols = _XLSX_PRECISE_COLS if precise else _XLSX_QUICK_COLS

    def scan(self, data: bytes) -> bool:
        if _XLSX_UNUSUAL_CELL.search(data) or _XLSX_PREFIXED_CELL.search(data):
            self.gave_up = True
            return False
        tagged = data.count(b'<c r="')
        if not tagged:
            return True
        rows = self._rows.findall(data)
        if len(rows) != tagged:  # an r="..." the patterns do not read: let the slow scan judge
            self.gave_up = True
            return False
        max_row = _furthest(rows)
        if max_row:
            max_col = _furthest(self._cols.findall(data))
            self.extent.add(int(max_row) - 1, _column_number(max_col))
        return True


_XLSX_TAG = re.compile(rb"<(/?)(?:[A-Za-z_][\w.-]*:)?(row|c)(?=[\s/>])([^>]*)>")
_XLSX_R_ATTR = re.compile(rb"""(?:^|\s)r\s*=\s*["']\$?([A-Za-z]*)\$?([0-9]*)["']""")


class _XlsxSlowScan(_Scan):
    """Cell extent of any xlsx XML, following calamine's positioning rules.

    A ``<row r="n">`` sets the current row and ``</row>`` moves to the next; a cell takes its
    position from its ``r`` attribute, else from the current row and the column after the
    previous cell. Self-closing cells are empty.
    """

    def __init__(self, extent: _CellExtent) -> None:
        super().__init__(extent)
        self.row = 0
        self.col = 0

    def scan(self, data: bytes) -> bool:
        for closing, name, attrs in _XLSX_TAG.findall(data):
            self_closing = attrs.endswith(b"/")
            if name == b"row":
                if closing:
                    self.row += 1
                    self.col = 0
                    continue
                found = _XLSX_R_ATTR.search(attrs)
                if found and found.group(2):
                    self.row = int(found.group(2)) - 1
                if self_closing:
                    self.row += 1
                    self.col = 0
                continue
            if closing:
                continue
            row, col = self.row, self.col
            found = _XLSX_R_ATTR.search(attrs)
            if found:
                letters, digits = found.groups()
                if digits:
                    row = int(digits) - 1
                if letters:
                    col = _column_number(letters.upper())
            self.col = col + 1
            if not self_closing:
                self.extent.add(row, col)
        return True


_ODS_TAG = re.compile(
    rb"<(/?)(?:[\w.-]+:)?(table-row|table-cell|covered-table-cell|table)(?=[\s/>])([^>]*)>"
)
_ODS_REPEAT = re.compile(rb"""number-(?:rows|columns)-repeated\s*=\s*["']([0-9]+)["']""")


class _OdsScan(_Scan):
    """Cell extent of an ODS ``content.xml``, expanding repeated rows and columns.

    LibreOffice writes runs of identical cells or rows once with a repeat count; calamine
    expands those that hold a value. Empty (self-closing, value-less) cells are not counted.
    """

    def __init__(self, extent: _CellExtent) -> None:
        super().__init__(extent)
        self.row = 0
        self.row_repeat = 1
        self.col = 0

    def scan(self, data: bytes) -> bool:
        for closing, name, attrs in _ODS_TAG.findall(data):
            if closing:
                if name == b"table-row":
                    self.row += self.row_repeat
                    self.row_repeat = 1
                continue
            self_closing = attrs.endswith(b"/")
            found = _ODS_REPEAT.search(attrs)
            repeat = max(int(found.group(1)), 1) if found else 1
            if name == b"table":
                self.row = 0
            elif name == b"table-row":
                self.row_repeat = repeat
                self.col = 0
                if self_closing:
                    self.row += repeat
                    self.row_repeat = 1
            else:
                if not self_closing or b"value-type" in attrs:
                    self.extent.add(self.row + self.row_repeat - 1, self.col + repeat - 1)
                self.col += repeat
        return True


# --------------------------------------------------------------------------- reading sheets


def _read_workbook(data: bytes, kind: str) -> Sheet:
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        name, sheet = _roster_sheet(workbook)
        end = sheet.end
        if end is None:
            rows: list[list[Any]] = []
        else:
            _check_cells(end[0] + 1, end[1] + 1)
            _check_rows(end[0] + 1)
            rows = sheet.to_python(skip_empty_area=False)
    except RosterFileError:
        raise
    except PasswordError as exc:
        raise RosterFileError(MSG_ENCRYPTED) from exc
    except BaseException as exc:
        # pyo3 turns a Rust panic into PanicException, a BaseException: treat it as a broken
        # file, but let interpreter-level exceptions through.
        if not isinstance(exc, Exception) and type(exc).__name__ != "PanicException":
            raise
        raise RosterFileError(MSG_CORRUPT) from exc
    return Sheet(rows=rows, format=kind, sheet_name=name)


def _roster_sheet(workbook: CalamineWorkbook) -> tuple[str, Any]:
    """The first visible worksheet with any content; else the first visible; else the first."""
    metadata = workbook.sheets_metadata
    if not metadata:
        raise RosterFileError(MSG_CORRUPT)
    visible = [
        index
        for index, meta in enumerate(metadata)
        if meta.visible == SheetVisibleEnum.Visible and meta.typ == SheetTypeEnum.WorkSheet
    ]
    first = None
    for index in visible:
        sheet = workbook.get_sheet_by_index(index)
        if sheet.end is not None:
            return metadata[index].name, sheet
        if first is None:
            first = (metadata[index].name, sheet)
    if first is not None:
        return first
    return metadata[0].name, workbook.get_sheet_by_index(0)


# --------------------------------------------------------------------------- CSV

_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")


def decode_text(data: bytes) -> str | None:
    """Decode a text file: UTF-16 with BOM, UTF-8 (BOM optional), else GB18030.

    Returns None for data that is not text (NUL bytes, undecodable, or full of control
    characters), so that a PNG renamed ``.csv`` is refused rather than read as gibberish.
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            return None
    elif b"\x00" in data:
        return None
    else:
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            return None
    sample = text[:65536]
    if len(_CONTROL_CHARS.findall(sample)) > max(2, len(sample) // 200):
        return None
    return text


def _read_csv(text: str) -> list[list[Any]]:
    first_line = text.lstrip("\ufeff")[:8192].split("\n", 1)[0]
    delimiter = max((",", "\t", ";"), key=first_line.count)
    if first_line.count(delimiter) == 0:
        delimiter = ","
    limit = max_rows()
    rows: list[list[Any]] = []
    try:
        for row in csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""), delimiter=delimiter):
            if len(rows) == limit:
                _check_rows(max(limit + 1, text.count("\n")))  # over the cap: raises
            rows.append(row)
    except csv.Error as exc:
        raise RosterFileError(MSG_CORRUPT) from exc
    return rows


__all__ = [
    "FORMATS",
    "MAX_COMPRESSION_RATIO",
    "MAX_SHEET_CELLS",
    "MAX_UNCOMPRESSED_BYTES",
    "MAX_UPLOAD_BYTES",
    "MAX_ZIP_MEMBERS",
    "MSG_CORRUPT",
    "MSG_ROWS",
    "MSG_UNKNOWN_TYPE",
    "RosterFileError",
    "Sheet",
    "decode_text",
    "guard_zip",
    "max_rows",
    "read_rows",
    "sniff_format",
]
