"""Content checks for uploaded documents and photos.

The type is decided by the bytes, never by the file name or the browser's content type:

* PDF: ``%PDF-`` magic, then pypdf must open it and count its pages (no encrypted files);
* DOCX / XLSX: a zip (``PK\\x03\\x04``) whose ``[Content_Types].xml`` names the main part,
  guarded against zip bombs (member count, sum of declared sizes, compression ratio, then a
  streaming pass that members inflate to no more than they declare) before python-docx or
  openpyxl opens it; DOCTYPE/ENTITY declarations in any XML part are refused;
* ODT: a zip whose first member ``mimetype`` says ``application/vnd.oasis.opendocument.text``,
  same zip guard, ``content.xml`` parsed with defusedxml;
* JPEG / PNG: magic bytes, then Pillow opens it with a pixel cap *before* decoding (a 50 KB
  PNG can declare 100,000 x 100,000 pixels) and decodes it fully (a truncated file fails).

Everything is read from memory: nothing here writes a temporary file. Every refusal is a
:class:`UploadRefused` with a Chinese message that says what to do.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass

MiB = 1024 * 1024

MAX_DOCUMENT_BYTES = 20 * MiB
MAX_IMAGE_BYTES = 10 * MiB
#: Largest image accepted, in pixels (a 40-megapixel camera is 7,300 x 5,500).
MAX_IMAGE_PIXELS = 40_000_000
MAX_IMAGE_SIDE = 12_000
MAX_ZIP_MEMBERS = 2_000
MAX_UNCOMPRESSED_BYTES = 200 * MiB
MAX_COMPRESSION_RATIO = 100
RATIO_CHECK_MIN_BYTES = 1 * MiB
_CHUNK = 1 * MiB

DOCUMENT_KINDS = ("pdf", "docx", "xlsx", "odt")
IMAGE_KINDS = ("jpeg", "png")

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "odt": "application/vnd.oasis.opendocument.text",
    "jpeg": "image/jpeg",
    "png": "image/png",
}
EXTENSIONS = {
    "pdf": "pdf",
    "docx": "docx",
    "xlsx": "xlsx",
    "odt": "odt",
    "jpeg": "jpg",
    "png": "png",
}
LABELS = {
    "pdf": "PDF",
    "docx": "Word（.docx）",
    "xlsx": "Excel（.xlsx）",
    "odt": "ODT 文档",
    "jpeg": "JPEG 照片",
    "png": "PNG 图片",
}

_ZIP_MAGIC = b"PK\x03\x04"
_PDF_MAGIC = b"%PDF-"
_JPEG_MAGIC = b"\xff\xd8\xff"
_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
_ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"
_DOCTYPE = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)


class UploadRefused(ValueError):
    """The file is refused. ``message`` is Chinese and says what to do."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class CheckedFile:
    kind: str
    data: bytes

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.kind]

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.kind]

    @property
    def is_image(self) -> bool:
        return self.kind in IMAGE_KINDS


def _allowed_text(allowed) -> str:
    return "、".join(LABELS[k] for k in allowed)


def read_capped(uploaded, limit: int) -> bytes:
    """The bytes of an uploaded file, refusing it before reading more than ``limit``."""
    size = getattr(uploaded, "size", None)
    if size is not None and size > limit:
        raise UploadRefused(f"文件太大（超过 {limit // MiB} MB）：请压缩或拆分后再上传。")
    uploaded.seek(0)
    data = uploaded.read(limit + 1)
    if len(data) > limit:
        raise UploadRefused(f"文件太大（超过 {limit // MiB} MB）：请压缩或拆分后再上传。")
    if not data:
        raise UploadRefused("文件是空的：请检查是否选错了文件。")
    return data


def sniff(data: bytes) -> str | None:
    if data.startswith(_PDF_MAGIC):
        return "pdf"
    if data.startswith(_JPEG_MAGIC):
        return "jpeg"
    if data.startswith(_PNG_MAGIC):
        return "png"
    if data.startswith(_ZIP_MAGIC):
        return "zip"
    return None


def check_upload(uploaded, allowed: tuple[str, ...]) -> CheckedFile:
    """Read, identify and really open an uploaded file; refuse anything not in ``allowed``."""
    limit = MAX_IMAGE_BYTES if set(allowed) <= set(IMAGE_KINDS) else MAX_DOCUMENT_BYTES
    data = read_capped(uploaded, limit)
    return check_bytes(data, allowed)


def check_bytes(data: bytes, allowed: tuple[str, ...]) -> CheckedFile:
    unknown = UploadRefused(f"不支持的文件类型：请上传 {_allowed_text(allowed)} 文件。")
    kind = sniff(data)
    if kind == "zip":
        kind = _check_zip(data, allowed)
    if kind is None or kind not in allowed:
        raise unknown
    if kind in IMAGE_KINDS and len(data) > MAX_IMAGE_BYTES:
        raise UploadRefused(f"照片太大（超过 {MAX_IMAGE_BYTES // MiB} MB）：请压缩后再上传。")
    {"pdf": _open_pdf, "jpeg": _open_image, "png": _open_image}.get(kind, lambda d: None)(data)
    return CheckedFile(kind=kind, data=data)


# --- zip containers ------------------------------------------------------------------------


def _check_zip(data: bytes, allowed) -> str | None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise UploadRefused("文件已损坏或无法读取：请重新导出后再上传。") from exc
    with archive:
        kind = _zip_kind(archive)
        if kind is None or kind not in allowed:
            return None
        guard_zip(archive)
    {"docx": _open_docx, "xlsx": _open_xlsx, "odt": _open_odt}[kind](data)
    return kind


def _zip_kind(archive: zipfile.ZipFile) -> str | None:
    names = set(archive.namelist())
    if "mimetype" in names:
        try:
            mimetype = archive.read("mimetype")[:100].strip()
        except (zipfile.BadZipFile, OSError, RuntimeError, ValueError):
            return None
        return "odt" if mimetype == _ODT_MIMETYPE else None
    if "[Content_Types].xml" in names:
        if "word/document.xml" in names:
            return "docx"
        if "xl/workbook.xml" in names:
            return "xlsx"
    return None


def guard_zip(archive: zipfile.ZipFile) -> None:
    """Refuse zip bombs before any parser inflates a member."""
    members = archive.infolist()
    bomb = "文件解压后异常庞大（{}），为安全起见已拒绝：请用 Office 或 WPS 另存后再上传。"
    if len(members) > MAX_ZIP_MEMBERS:
        raise UploadRefused(bomb.format(f"含 {len(members)} 个内部文件"))
    declared = sum(m.file_size for m in members)
    if declared > MAX_UNCOMPRESSED_BYTES:
        raise UploadRefused(bomb.format(f"解压后 {declared // MiB} MB"))
    for m in members:
        if m.file_size > RATIO_CHECK_MIN_BYTES and m.file_size > MAX_COMPRESSION_RATIO * max(
            m.compress_size, 1
        ):
            raise UploadRefused(bomb.format("压缩比过高"))
        if m.flag_bits & 0x1:
            raise UploadRefused("文件设置了密码：请取消密码后再上传。")
    # Members must inflate to what they declare (the header can lie); XML must not declare
    # entities.
    try:
        for m in members:
            with archive.open(m) as stream:
                total = 0
                head = b""
                while chunk := stream.read(_CHUNK):
                    total += len(chunk)
                    if len(head) < 4096:
                        head += chunk[:4096]
                    if total > m.file_size:
                        raise UploadRefused(bomb.format("内部文件大小与声明不符"))
                    if m.filename.endswith((".xml", ".rels")) and _DOCTYPE.search(chunk):
                        raise UploadRefused(
                            "文件内部含有不允许的 XML 定义（DOCTYPE/ENTITY）：请另存为新文件后再上传。"
                        )
    except (zipfile.BadZipFile, OSError, RuntimeError, EOFError) as exc:
        raise UploadRefused("文件已损坏或无法读取：请重新导出后再上传。") from exc


def _corrupt(exc: Exception) -> UploadRefused:
    return UploadRefused("文件已损坏或无法打开：请用 Office 或 WPS 打开后另存，再上传。")


def _open_docx(data: bytes) -> None:
    import docx

    try:
        docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises many types for a broken package
        raise _corrupt(exc) from exc


def _open_xlsx(data: bytes) -> None:
    from openpyxl import load_workbook

    try:
        load_workbook(io.BytesIO(data), read_only=True).close()
    except Exception as exc:
        raise _corrupt(exc) from exc


def _open_odt(data: bytes) -> None:
    from defusedxml.ElementTree import fromstring

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            fromstring(archive.read("content.xml"))
    except Exception as exc:
        raise _corrupt(exc) from exc


# --- PDF and images -------------------------------------------------------------------------


def _open_pdf(data: bytes) -> None:
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise UploadRefused("PDF 设置了密码：请取消密码后再上传。")
        if len(reader.pages) == 0:
            raise UploadRefused("PDF 没有页面：请检查文件。")
    except UploadRefused:
        raise
    except Exception as exc:
        raise _corrupt(exc) from exc


def open_image(data: bytes):
    """A fully decoded Pillow image, refusing oversized or broken images before decoding."""
    from PIL import Image, UnidentifiedImageError

    try:
        image = Image.open(io.BytesIO(data))
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise UploadRefused("图片已损坏或无法打开：请重新导出后再上传。") from exc
    except Image.DecompressionBombError as exc:
        raise UploadRefused("图片像素过多：请缩小后再上传。") from exc
    width, height = image.size
    if width * height > MAX_IMAGE_PIXELS or max(width, height) > MAX_IMAGE_SIDE:
        raise UploadRefused(
            f"图片像素过多（{width}×{height}）：请缩小到 {MAX_IMAGE_PIXELS // 1_000_000} 百万像素以内再上传。"
        )
    try:
        image.load()
    except (OSError, ValueError, SyntaxError) as exc:
        raise UploadRefused("图片已损坏或不完整：请重新导出后再上传。") from exc
    return image


def _open_image(data: bytes) -> None:
    open_image(data).close()
