"""Store a checked upload: images re-encoded without metadata, plus a thumbnail."""

from __future__ import annotations

import hashlib
import io
import secrets

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

from huzhou_care.text import clean_name

from .checks import CheckedFile, check_upload, open_image
from .models import StoredFile

THUMBNAIL_SIZE = (480, 480)


def _display_name(name: str, extension: str) -> str:
    """The user's file name for display: no path, no control characters, our extension."""
    base = clean_name((name or "").replace("\\", "/").rsplit("/", 1)[-1])
    stem = base.rsplit(".", 1)[0][:150] or "附件"
    return f"{stem}.{extension}"


def clean_image(data: bytes, kind: str) -> tuple[bytes, bytes, tuple[int, int]]:
    """Re-encode the pixels only (EXIF incl. GPS, XMP, comments are dropped), turned upright
    as the camera's orientation tag says; and a thumbnail. Returns (image, thumbnail, size)."""
    from PIL import ImageOps

    image = open_image(data)
    image = ImageOps.exif_transpose(image)
    mode = "RGB" if kind == "jpeg" else ("RGBA" if "A" in image.getbands() else "RGB")
    clean = image.convert(mode)
    # A fresh image with the pixels only: no info dict, no EXIF carried over.
    from PIL import Image

    bare = Image.new(clean.mode, clean.size)
    bare.paste(clean)
    fmt = "JPEG" if kind == "jpeg" else "PNG"

    def encode(img) -> bytes:
        out = io.BytesIO()
        if fmt == "JPEG":
            img.save(out, fmt, quality=88, optimize=True)
        else:
            img.save(out, fmt, optimize=True)
        return out.getvalue()

    thumb = bare.copy()
    thumb.thumbnail(THUMBNAIL_SIZE)
    return encode(bare), encode(thumb), bare.size


def _random_name(folder: str, extension: str) -> str:
    return f"{folder}/{secrets.token_hex(16)}.{extension}"


@transaction.atomic
def stored_file_create(
    *,
    uploaded,
    allowed: tuple[str, ...],
    folder: str,
    user=None,
    checked: CheckedFile | None = None,
) -> StoredFile:
    """Check an uploaded file by content and store it under a random name. Raises
    ``UploadRefused`` with a Chinese message. If the database write fails, the stored bytes
    are removed again (nothing left behind)."""
    checked = checked or check_upload(uploaded, allowed)
    data, thumb, size = checked.data, b"", (None, None)
    if checked.is_image:
        data, thumb, size = clean_image(checked.data, checked.kind)
    written = []
    try:
        name = default_storage.save(_random_name(folder, checked.extension), ContentFile(data))
        written.append(name)
        thumb_name = ""
        if thumb:
            thumb_name = default_storage.save(
                _random_name(f"{folder}/thumbs", checked.extension), ContentFile(thumb)
            )
            written.append(thumb_name)
        stored = StoredFile(
            name=name,
            thumbnail=thumb_name,
            original_name=_display_name(getattr(uploaded, "name", ""), checked.extension),
            kind=checked.kind,
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            width=size[0],
            height=size[1],
            uploaded_by=user if getattr(user, "pk", None) else None,
        )
        stored.full_clean()
        stored.save()
    except BaseException:
        for n in written:
            default_storage.delete(n)
        raise
    return stored
