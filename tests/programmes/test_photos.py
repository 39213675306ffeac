"""Photos and documents go through huzhou_care.files: EXIF (GPS) stripped, content checked."""

import io

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from campaign.programmes.models import ActivityPhoto, VenuePhoto
from tests.files import samples

pytestmark = pytest.mark.django_db


def _exif(name):
    with default_storage.open(name, "rb") as handle:
        image = Image.open(io.BytesIO(handle.read()))
        return image.getexif(), image.info


def test_an_uploaded_jpeg_with_gps_is_stored_without_it(client, alice, venue_of):
    venue = venue_of("wuxing")
    original = Image.open(io.BytesIO(samples.jpeg_with_gps()))
    assert original.getexif().get_ifd(0x8825)  # the sample does carry a GPS position
    client.force_login(alice)
    response = client.post(
        reverse("campaign:venue_photo_add", args=[venue.pk]),
        {"photo": SimpleUploadedFile("home.jpg", samples.jpeg_with_gps()), "caption": "活动室"},
    )
    assert response.status_code == 302
    stored = VenuePhoto.objects.get(venue=venue).file
    for name in (stored.name, stored.thumbnail):
        exif, info = _exif(name)
        assert not exif.get_ifd(0x8825) and len(exif) == 0 and "exif" not in info
    assert "home" not in stored.name  # random storage name


def test_a_file_that_is_not_an_image_is_refused(client, carol, school_team):
    from decimal import Decimal

    from django.utils import timezone

    from campaign.programmes import services

    activity = services.activity_create(
        data={
            "programme": "holidays",
            "kind": "tutoring",
            "title": "辅导",
            "team": school_team,
            "online": "youth_lecture",
            "starts_at": timezone.now(),
            "hours": Decimal("1"),
        },
        user=carol,
    )
    client.force_login(carol)
    response = client.post(
        reverse("campaign:activity_photo_add", args=[activity.pk]),
        {"photo": SimpleUploadedFile("fake.jpg", b"not an image at all")},
        follow=True,
    )
    assert not ActivityPhoto.objects.exists()
    assert "照片" in response.content.decode() or "图片" in response.content.decode()


def test_a_photo_showing_a_child_needs_consent_to_be_showcase_ready(alice, venue_of):
    from campaign.programmes import services

    venue = venue_of("wuxing")
    without = services.venue_add_photo(
        venue=venue,
        uploaded=SimpleUploadedFile("a.png", samples.png()),
        shows_child=True,
        consent=False,
        user=alice,
    )
    with_consent = services.venue_add_photo(
        venue=venue,
        uploaded=SimpleUploadedFile("b.png", samples.png()),
        shows_child=True,
        consent=True,
        user=alice,
    )
    scenery = services.venue_add_photo(
        venue=venue, uploaded=SimpleUploadedFile("c.png", samples.png()), user=alice
    )
    assert not without.showcase_ready
    assert with_consent.showcase_ready and scenery.showcase_ready
