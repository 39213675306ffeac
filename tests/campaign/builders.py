"""A small campaign year for tests, with dates relative to today so that lock checks (which
use the real date) behave: due dates in the past, lock dates in the future."""

import datetime as dt

from django.utils import timezone

from campaign.models import (
    CampaignYear,
    Deadline,
    ReportingUnit,
    ReportPart,
    ReportTemplate,
    Stage,
)

TODAY = timezone.localdate()
LONG_AGO = TODAY - dt.timedelta(days=400)


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def make_year() -> CampaignYear:
    return CampaignYear.objects.create(year=TODAY.year, title="测试年度", is_current=True)


def make_template(
    year, *, title, due, grace=0, lock=None, districts=True, schools=False, orgs=False, files=False
):
    stage, _ = Stage.objects.get_or_create(
        year=year,
        kind="rollout",
        defaults={"order": 2, "starts_on": LONG_AGO, "ends_on": TODAY + dt.timedelta(days=60)},
    )
    deadline = Deadline.objects.create(
        stage=stage,
        kind="stage_report",
        title=title,
        due_on=due,
        grace_days=grace,
        lock_on=lock or TODAY + dt.timedelta(days=30),
    )
    template = ReportTemplate.objects.create(
        deadline=deadline, for_districts=districts, for_schools=schools, for_organizations=orgs
    )
    ReportPart.objects.create(
        template=template, key="progress", label="工作进展", kind="text", order=1
    )
    ReportPart.objects.create(
        template=template, key="activities", label="活动次数", kind="figure", order=2
    )
    if files:
        ReportPart.objects.create(
            template=template, key="evidence", label="佐证材料", kind="file", order=3
        )
    return template


def district_unit(county, joined=LONG_AGO) -> ReportingUnit:
    return ReportingUnit.objects.create(
        kind="district", name=f"{county.name}团委", district=county, county=county, joined_on=joined
    )


def school_unit(school, joined=LONG_AGO) -> ReportingUnit:
    return ReportingUnit.objects.create(
        kind="school", name=school.name, school=school, county=school.county, joined_on=joined
    )


def org_unit(org, joined=LONG_AGO) -> ReportingUnit:
    return ReportingUnit.objects.create(
        kind="organization", name=org.name, organization=org, county=org.county, joined_on=joined
    )


def filled(report, user):
    from campaign import services

    return services.report_save(
        report=report, texts={"progress": "开展了走访"}, figures={"activities": "3"}, user=user
    )
