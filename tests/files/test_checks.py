"""Uploaded documents and photos: accepted by content, refused with a Chinese reason."""

import io
import zipfile

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from huzhou_care.files import checks
from huzhou_care.files.checks import DOCUMENT_KINDS, IMAGE_KINDS, UploadRefused, check_upload
from huzhou_care.files.services import stored_file_create

from . import samples

ALL = DOCUMENT_KINDS + IMAGE_KINDS


def upload(data: bytes, name="file.bin"):
    return SimpleUploadedFile(name, data)


@pytest.mark.parametrize(
    ("maker", "kind"),
    [
        (samples.pdf, "pdf"),
        (samples.docx, "docx"),
        (samples.xlsx, "xlsx"),
        (samples.odt, "odt"),
        (samples.jpeg_with_gps, "jpeg"),
        (samples.png, "png"),
    ],
)
def test_each_allowed_type_is_recognised_by_its_content_whatever_its_name(maker, kind):
    checked = check_upload(upload(maker(), "renamed.txt"), ALL)
    assert checked.kind == kind


def test_a_program_renamed_to_pdf_is_refused():
    with pytest.raises(UploadRefused, match="不支持的文件类型"):
        check_upload(upload(b"MZ\x90\x00" + b"\x00" * 200, "方案.pdf"), ALL)


def test_a_type_not_allowed_here_is_refused():
    with pytest.raises(UploadRefused, match="JPEG"):
        check_upload(upload(samples.xlsx(), "照片.jpg"), IMAGE_KINDS)


def test_an_empty_file_is_refused():
    with pytest.raises(UploadRefused, match="空的"):
        check_upload(upload(b""), ALL)


def test_a_file_over_the_size_cap_is_refused_before_it_is_read(monkeypatch):
    monkeypatch.setattr(checks, "MAX_DOCUMENT_BYTES", 1000)
    with pytest.raises(UploadRefused, match="文件太大"):
        check_upload(upload(samples.docx()), DOCUMENT_KINDS)


def test_a_pdf_that_only_has_the_magic_bytes_is_refused():
    with pytest.raises(UploadRefused, match="损坏"):
        check_upload(upload(b"%PDF-1.7\n garbage without objects"), ALL)


def test_a_truncated_png_is_refused():
    data = samples.png((300, 300))
    with pytest.raises(UploadRefused, match="损坏|不完整"):
        check_upload(upload(data[: len(data) // 2]), ALL)


def test_an_image_declaring_too_many_pixels_is_refused_before_decoding():
    with pytest.raises(UploadRefused, match="像素过多"):
        check_upload(upload(samples.png_claiming(20_000, 20_000)), ALL)


def test_a_docx_with_a_highly_compressed_member_is_refused_as_a_zip_bomb():
    bomb = samples.docx_with_member("word/media/big.bin", b"\0" * (3 * 1024 * 1024))
    with pytest.raises(UploadRefused, match="压缩比过高"):
        check_upload(upload(bomb), ALL)


def test_a_docx_with_too_many_members_is_refused(monkeypatch):
    monkeypatch.setattr(checks, "MAX_ZIP_MEMBERS", 5)
    with pytest.raises(UploadRefused, match="内部文件"):
        check_upload(upload(samples.docx()), ALL)


def test_a_docx_whose_declared_total_is_too_big_is_refused(monkeypatch):
    monkeypatch.setattr(checks, "MAX_UNCOMPRESSED_BYTES", 10_000)
    with pytest.raises(UploadRefused, match="解压后"):
        check_upload(upload(samples.docx()), ALL)


def test_xml_with_an_entity_declaration_is_refused():
    evil = samples.docx_with_member(
        "word/evil.xml", b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>'
    )
    with pytest.raises(UploadRefused, match="DOCTYPE"):
        check_upload(upload(evil), ALL)


def test_a_zip_that_only_looks_like_a_docx_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "not xml at all")
    with pytest.raises(UploadRefused, match="损坏"):
        check_upload(upload(out.getvalue()), ALL)


def test_a_plain_zip_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("a.txt", "hello")
    with pytest.raises(UploadRefused, match="不支持"):
        check_upload(upload(out.getvalue()), ALL)


@pytest.mark.django_db
def test_a_photo_is_stored_without_exif_or_gps_under_a_random_name_with_a_thumbnail():
    original = samples.jpeg_with_gps((1600, 1200))
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)
    stored = stored_file_create(
        uploaded=upload(original, "../../家访 照片\x00.JPG"), allowed=IMAGE_KINDS, folder="t"
    )
    assert stored.kind == "jpeg"
    assert stored.original_name == "家访 照片.jpg"
    assert "家访" not in stored.name and stored.name.startswith("t/")
    with default_storage.open(stored.name) as f:
        kept = f.read()
    image = Image.open(io.BytesIO(kept))
    assert not image.getexif()
    assert b"PhoneMaker" not in kept and b"Exif" not in kept
    with default_storage.open(stored.thumbnail) as f:
        thumb = Image.open(io.BytesIO(f.read()))
    assert max(thumb.size) <= 480 and thumb.size != image.size


@pytest.mark.django_db
def test_two_uploads_of_the_same_file_get_different_storage_names():
    a = stored_file_create(uploaded=upload(samples.pdf(), "a.pdf"), allowed=ALL, folder="t")
    b = stored_file_create(uploaded=upload(samples.pdf(), "a.pdf"), allowed=ALL, folder="t")
    assert a.name != b.name and a.sha256 == b.sha256
    assert not a.thumbnail


@pytest.mark.django_db
def test_a_refused_file_leaves_nothing_in_storage(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with pytest.raises(UploadRefused):
        stored_file_create(uploaded=upload(b"MZ" * 100), allowed=ALL, folder="t")
    assert not any(tmp_path.rglob("*"))
