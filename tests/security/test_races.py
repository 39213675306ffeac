"""Race losers get a Chinese message, never a 500, and no ID number reaches a log record
(issue 7 item 6). The suite-wide log scan (tests/conftest.py) checks every record."""

import logging
import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse

from children import services
from children.models import Child, RosterUpload
from huzhou_care.logmask import mask

from ..children.roster_files import roster_xlsx
from ..factories import SchoolFactory, UserFactory


@pytest.fixture
def roster():
    return roster_xlsx(rows=4, division="330502", township="")


@pytest.fixture
def second_clerk(wuxing_school):
    school = SchoolFactory(county=wuxing_school.county, name="八里店镇中心小学")
    return UserFactory(
        username="gina",
        full_name="葛老师",
        role="school_staff",
        school=school,
        district=school.county,
    )


def _preview(client, user, school, data):
    client.force_login(user)
    client.post(
        reverse("children:roster_upload"),
        {"school": school.pk, "file": SimpleUploadedFile("a.xlsx", data)},
    )
    upload = school.rosters.latest("pk")
    assert upload.status == RosterUpload.Status.PREVIEW and upload.new == 4
    return upload


def test_the_second_of_two_confirms_of_the_same_children_gets_a_message_not_a_500(
    client, carol, second_clerk, wuxing_school, roster, monkeypatch
):
    first = _preview(client, carol, wuxing_school, roster)
    second = _preview(client, second_clerk, second_clerk.school, roster)
    client.force_login(carol)
    client.post(reverse("children:roster_confirm", args=[first.pk]))
    assert Child.objects.filter(school=wuxing_school).count() == 4

    # The second import compared with the registry before the first committed.
    from children.roster import plan

    monkeypatch.setattr(plan, "_existing", lambda ids: {})
    client.force_login(second_clerk)
    response = client.post(reverse("children:roster_confirm", args=[second.pk]), follow=True)
    assert response.status_code == 200
    assert services.MSG_IMPORT_RACE in response.content.decode()
    second.refresh_from_db()
    assert second.status == RosterUpload.Status.FAILED and not second.file
    assert Child.objects.count() == 4 and not Child.objects.filter(school=second_clerk.school)


@pytest.mark.django_db(transaction=True)
def test_two_confirms_at_once_on_postgresql_give_one_import_and_one_message(
    carol, second_clerk, wuxing_school, roster, monkeypatch, caplog
):
    if connection.vendor != "postgresql":
        pytest.skip("true concurrency needs PostgreSQL (SQLite serialises the transactions)")
    uploads = [
        services.roster_upload_create(
            school=school, actor=actor, uploaded=SimpleUploadedFile("a.xlsx", roster)
        )
        for school, actor in ((wuxing_school, carol), (second_clerk.school, second_clerk))
    ]
    both_planned = threading.Barrier(2, timeout=30)
    real_plan = services.roster_plan

    def plan_then_wait(*args, **kwargs):
        result = real_plan(*args, **kwargs)
        both_planned.wait()  # both compared with the registry before either inserts
        return result

    monkeypatch.setattr(services, "roster_plan", plan_then_wait)
    errors = []

    def confirm(upload):
        try:
            services.roster_confirm(upload=upload, actor=upload.uploaded_by)
        except Exception as exc:  # a 500 in a view
            errors.append(exc)
        finally:
            connection.close()

    caplog.set_level(logging.INFO)
    threads = [threading.Thread(target=confirm, args=(u,)) for u in uploads]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    statuses = sorted(RosterUpload.objects.values_list("status", "message"))
    assert [s for s, _ in statuses] == ["done", "failed"]
    assert statuses[1][1] == services.MSG_IMPORT_RACE
    assert Child.objects.count() == 4


def test_a_database_error_detail_with_an_id_number_is_masked_in_the_log(caplog):
    number = "330502201603140211"
    logging.getLogger("children.services").error(
        "insert failed: DETAIL:  Key (id_number)=(%s) already exists. phone 13812345678", number
    )
    text = caplog.records[-1].getMessage()
    assert number not in text and "13812345678" not in text
    assert "3305**********0211" in text and "138****5678" in text
    assert mask(f"x{number}") == f"x{number}"  # not a standalone number: left alone


def test_logging_masks_tracebacks_too(caplog):
    try:
        raise ValueError("duplicate key 33050220160314021X")
    except ValueError:
        logging.getLogger("children").exception("failed")
    record = caplog.records[-1]
    assert "33050220160314021X" not in (record.exc_text or "")
    assert "3305**********021X" in record.exc_text
