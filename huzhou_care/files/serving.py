"""Serve a stored file. Callers are views that have already fetched the owning object through
``visible_to`` (404 outside scope): this module never decides who may see a file."""

from urllib.parse import quote

from django.core.files.storage import default_storage
from django.http import FileResponse, Http404

from .checks import CONTENT_TYPES
from .models import StoredFile


def stored_file_response(stored: StoredFile, *, thumbnail: bool = False, inline: bool = False):
    name = stored.thumbnail if thumbnail and stored.thumbnail else stored.name
    try:
        handle = default_storage.open(name, "rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(handle, content_type=CONTENT_TYPES[stored.kind])
    disposition = "inline" if inline and stored.is_image else "attachment"
    response["Content-Disposition"] = (
        f"{disposition}; filename*=UTF-8''{quote(stored.original_name)}"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
