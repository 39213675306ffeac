import datetime as dt

import pytest
from django.utils import timezone

from children.models import RosterUpload, TransferRequest


def at(day: dt.date, hour=10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


@pytest.fixture
def waiting_upload(carol, wuxing_school):
    """A roster checked on 1 December and waiting for carol to confirm it."""

    def make(uploaded_on=dt.date(2026, 12, 1), status=RosterUpload.Status.PREVIEW, by=None):
        upload = RosterUpload.objects.create(
            school=wuxing_school,
            uploaded_by=by or carol,
            original_name="三年级名册.xlsx",
            size=1,
            sha256="0" * 64,
            file="rosters/test",
            status=status,
            rows=12,
        )
        RosterUpload.objects.filter(pk=upload.pk).update(uploaded_at=at(uploaded_on))
        upload.refresh_from_db()
        return upload

    return make


@pytest.fixture
def waiting_transfer(wuxing_child, changxing_school, dave):
    """dave's school asks for alice's (吴兴区) child on 1 December."""

    def make(requested_on=dt.date(2026, 12, 1)):
        request = TransferRequest.objects.create(
            child=wuxing_child,
            from_school=wuxing_child.school,
            to_school=changxing_school,
            note="转入",
            requested_by=dave,
        )
        TransferRequest.objects.filter(pk=request.pk).update(requested_at=at(requested_on))
        return request

    return make
