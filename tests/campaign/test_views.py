"""Pages end to end through the test client: report with attachment, scoped download,
upload refusal, reminders, the timeline and the notice defaults; the demo builder."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from campaign import services
from campaign.models import Attachment, Deadline, Reminder, Stage, StageReport
from tests.files import samples

from . import builders as b


@pytest.fixture
def template(year):
    return b.make_template(
        year, title="上半年", due=b.TODAY + dt.timedelta(days=5), schools=True, files=True
    )


def _messages(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


def test_a_school_fills_attaches_and_submits_and_its_district_approves(
    client, template, units, carol, alice
):
    client.force_login(carol)
    response = client.post("/campaign/reports/start/", {"template": template.pk})
    report = StageReport.objects.get(unit=units["wuxing_school"])
    assert response["Location"] == f"/campaign/reports/{report.pk}/edit/"
    response = client.post(
        f"/campaign/reports/{report.pk}/edit/",
        {
            "text_progress": "走访 12 户\u202e",
            "figure_activities": "4",
            "attach_part": "evidence",
            "attachment": SimpleUploadedFile("佐证.docx", samples.docx()),
        },
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.texts["progress"] == "走访 12 户" and report.figures["activities"] == "4"
    assert report.attachments.get().file.original_name == "佐证.docx"
    client.post(f"/campaign/reports/{report.pk}/action/", {"action": "submit"})
    client.force_login(alice)
    client.post(f"/campaign/reports/{report.pk}/action/", {"action": "approve"})
    report.refresh_from_db()
    assert report.status == "approved" and not report.late


def test_an_attachment_is_downloaded_only_within_scope(
    client, template, units, carol, dave, alice, bob, city_officer
):
    report = services.report_start(template=template, user=carol)
    att = services.report_attach(
        report=report,
        part_key="evidence",
        uploaded=SimpleUploadedFile("a.pdf", samples.pdf()),
        user=carol,
    )
    for user, status in [(carol, 200), (alice, 200), (city_officer, 200), (dave, 404), (bob, 404)]:
        client.force_login(user)
        response = client.get(f"/campaign/attachments/{att.pk}/")
        assert response.status_code == status, user.username
        if status == 200:
            assert response["Content-Disposition"].startswith("attachment;")
            assert response["X-Content-Type-Options"] == "nosniff"
            assert b"".join(response.streaming_content).startswith(b"%PDF-")


def test_a_refused_upload_says_why_and_stores_nothing(client, template, units, carol):
    report = services.report_start(template=template, user=carol)
    client.force_login(carol)
    response = client.post(
        f"/campaign/reports/{report.pk}/edit/",
        {
            "attach_part": "evidence",
            "attachment": SimpleUploadedFile("方案.pdf", b"MZ" + b"\0" * 500),
        },
    )
    assert "不支持的文件类型" in response.content.decode()
    assert not Attachment.objects.exists()


def test_an_upload_leaves_no_temporary_file(
    client, settings, tmp_path, monkeypatch, template, units, carol
):
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 10  # force Django's temporary-file upload handler
    seen = []
    real = services.stored_file_create

    def spy(**kwargs):
        seen.append((type(kwargs["uploaded"]).__name__, len(list(tmp_path.iterdir()))))
        return real(**kwargs)

    monkeypatch.setattr(services, "stored_file_create", spy)
    report = services.report_start(template=template, user=carol)
    client.force_login(carol)
    for data in (samples.docx(), b"MZ" + b"\0" * 5000):
        response = client.post(
            f"/campaign/reports/{report.pk}/edit/",
            {"attach_part": "evidence", "attachment": SimpleUploadedFile("x.docx", data)},
        )
        # The test client closes the response as a WSGI server does (and so the upload).
        assert response.status_code in (200, 302)
        assert list(tmp_path.iterdir()) == []
    assert Attachment.objects.count() == 1
    # While the service ran, the upload was a temporary file in that folder.
    assert seen == [("TemporaryUploadedFile", 1), ("TemporaryUploadedFile", 1)]


@pytest.fixture
def overdue_template(year):
    return b.make_template(year, title="方案", due=b.TODAY - dt.timedelta(days=10), schools=True)


def test_one_click_reminder_for_an_overdue_unit_once_a_day(
    client, overdue_template, units, alice, carol
):
    client.force_login(alice)
    page = client.get("/campaign/overdue/").content.decode()
    assert "织里镇中心小学" in page and "煤山镇中心小学" not in page
    data = {"template": overdue_template.pk, "unit": units["wuxing_school"].pk}
    response = client.post("/campaign/overdue/remind/", data, follow=True)
    assert "已向织里镇中心小学发送催报提醒（1 人）" in response.content.decode()
    response = client.post("/campaign/overdue/remind/", data, follow=True)
    assert "今天已经催报过" in response.content.decode()
    reminder = Reminder.objects.get()
    assert reminder.sent_by == alice and reminder.recipients == 1
    from huzhou_care.notify.models import Notification

    note = Notification.objects.get()
    assert note.recipient == carol and note.rule == "campaign.report_overdue"
    assert "方案" in note.text and "织里镇中心小学" in note.text
    # Another district's school: 404, nothing sent.
    other = {"template": overdue_template.pk, "unit": units["changxing_school"].pk}
    assert client.post("/campaign/overdue/remind/", other).status_code == 404
    assert Reminder.objects.count() == 1


def test_no_reminder_for_a_report_not_yet_due(template, units, alice):
    with pytest.raises(Exception, match="尚未逾期"):
        services.reminder_send(template=template, unit=units["wuxing_school"], user=alice)


def test_the_timeline_shows_today_what_is_due_and_what_is_late(
    client, year, template, overdue_template, units, carol
):
    client.force_login(carol)
    html = client.get("/campaign/").content.decode()
    due = html[html.index("待报送") : html.index("已逾期")]
    late = html[html.index('data-testid="late"') :]
    assert "上半年" in due and "方案" in late and "方案" not in due


def test_the_menu_links_the_pages_for_the_roles_that_use_them(
    client, year, carol, city_officer, erin
):
    client.force_login(carol)
    html = client.get("/").content.decode()
    assert 'href="/campaign/reports/"' in html and 'href="/campaign/overdue/"' not in html
    client.force_login(city_officer)
    html = client.get("/").content.decode()
    assert 'href="/campaign/completeness/"' in html and 'href="/campaign/overdue/"' not in html
    client.force_login(erin)
    html = client.get("/").content.decode()
    assert 'href="/campaign/"' in html and 'href="/campaign/reports/"' not in html


@pytest.mark.django_db
def test_the_notice_dates_are_loaded_as_the_years_defaults_once():
    year = services.campaign_year_load_defaults(year=2026)
    assert list(year.stages.values_list("kind", flat=True)) == [
        "mobilise",
        "rollout",
        "pilot",
        "evaluate",
        "showcase",
    ]
    dues = {d.title: d.due_on for d in Deadline.objects.filter(stage__year=year)}
    assert dues["活动方案报送"] == dt.date(2026, 4, 3)
    assert dues["试点申报材料报送"] == dt.date(2026, 4, 10)
    assert dues["工作自查报告"] == dt.date(2026, 12, 10)
    assert dues["省级考评材料"] == dt.date(2026, 12, 20)
    Stage.objects.filter(year=year, kind="mobilise").update(ends_on=dt.date(2026, 4, 8))
    services.campaign_year_load_defaults(year=2026)
    assert Stage.objects.get(year=year, kind="mobilise").ends_on == dt.date(2026, 4, 8)
    assert Deadline.objects.filter(stage__year=year).count() == 6


@pytest.mark.django_db
def test_seed_demo_builds_reports_in_every_state_pilots_and_stories():
    from campaign.demo import demo_seed
    from campaign.models import PilotApplication, ReportingUnit, Story, Transition

    result = demo_seed(children=0, seed=1)
    part = next(p for p in result.parts if p.label == "阶段报送")
    assert part.created >= 6
    reports = StageReport.objects.all()
    assert reports.filter(status="approved", late=False).exists()
    assert reports.filter(status="submitted", late=True).exists()
    assert reports.filter(status="draft").exists()
    returned_then = Transition.objects.filter(action="return").values_list("object_id", flat=True)
    assert reports.filter(pk__in=returned_then, status="submitted").exists()
    plan = reports.filter(template__deadline__title="活动方案报送")
    assert ReportingUnit.objects.filter(kind="district").exclude(reports__in=plan).exists()
    assert PilotApplication.objects.count() == 2
    assert PilotApplication.objects.filter(status="recommended").exists()
    assert PilotApplication.objects.filter(origin="designated").exists()
    assert Story.objects.public().exists() and Story.objects.exclude(status="approved").exists()
    again = next(p for p in demo_seed(children=0, seed=1).parts if p.label == "阶段报送")
    assert again.created == 0 and again.existing == part.created
    assert PilotApplication.objects.count() == 2
