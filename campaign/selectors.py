"""Reads for campaign/ pages, scoped to the user: the role home pages (what this user can see
across the apps, counted in SQL; the home page combines several apps, so it lives in the top
app, not in the core), and the staged timeline.

Reads for the timeline pages, scoped to the user.

Completeness and timeliness follow DHIS2's data-set definitions:

* a unit *is expected* to report a deadline when its kind owes the template and it joined
  before the due date (a unit added mid-stage owes only what falls due after it joined);
* completeness = complete reports / expected reports, where a report is complete when it
  stands submitted or approved (a returned report is not complete until it is resubmitted;
  submission requires every required part);
* timeliness = complete reports whose latest submission was on time (by the due date plus
  the grace period, local date) / expected reports. A late submission stays late.

Totals (per unit, per district, for the city) count only deadlines already due on the day
asked for; each deadline's own column shows its figures whatever the date.

The city table (:func:`completeness_table`) is three queries whatever the number of units and
reports, aggregated in SQL: the deadlines, the units counted by county, kind and joining date,
and the complete / on-time reports counted by deadline and county. :func:`unit_table` gives the
same figures per unit (and the overdue list) from the reports' values.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, F, Prefetch, Q

from children.models import Child
from children.risk import RISK_FLAGS
from huzhou_care.accounts.models import Role
from huzhou_care.orgs.models import Organization, OrgUnit, School
from huzhou_care.replica import replica_reads

from .models import (
    CampaignYear,
    Nomination,
    PilotApplication,
    ReportingUnit,
    ReportTemplate,
    StageReport,
    Story,
    StoryPhoto,
    own_unit_filter,
    review_filter,
)

# Figures shown to city officers are aggregates; a cell under this many children is hidden so
# that no small group of children can be singled out.
SMALL_COUNT_THRESHOLD = 5


def suppress_small(n: int | None) -> int | None:
    return None if n is not None and 0 < n < SMALL_COUNT_THRESHOLD else n


@replica_reads()
def home_summary(user) -> dict:
    """A fixed, small number of queries whatever the registry size: each risk count is one
    index-only count over its partial index; the city's total is the sum of the county
    totals, which are one grouped query. Read from the replica when there is one: every
    value is computed here, inside ``replica_reads`` (no lazy queryset leaves)."""
    summary = {
        "schools": School.objects.visible_to(user).count(),
        "organizations": Organization.objects.visible_to(user).count(),
    }
    per_county = _county_counts() if user.sees_whole_city else None
    if per_county is not None:
        summary["by_county"] = [
            {"county": county, "children": suppress_small(per_county.get(county.pk, 0))}
            for county in OrgUnit.objects.filter(level=OrgUnit.Level.COUNTY)
        ]
    if user.role in (Role.CITY_ADMIN, Role.DISTRICT_STAFF, Role.SCHOOL_STAFF):
        children = Child.objects.visible_to(user).active()

        def flagged(*flags):
            return sum(children.filter(RISK_FLAGS[flag].condition).count() for flag in flags)

        summary["children"] = {
            "total": sum(per_county.values()) if per_county is not None else children.count(),
            "unguarded": flagged("unguarded"),
            "poor_guardianship": flagged("poor_guardianship"),
            "disabled_or_ill": flagged("disabled", "ill"),  # exclusive values of one column
            "low_income": flagged("low_income"),
        }
    return summary


@replica_reads()
def _county_counts() -> dict[int, int]:
    """Active children per county id: one grouped, index-only query."""
    return dict(
        Child.objects.active()
        .order_by()
        .values_list("county_id")
        .annotate(n=Count("pk"))
        .values_list("county_id", "n")
    )


# The home page's child cards: (key in the summary, label, the list's query string, danger).
CHILD_CARDS = [
    ("total", "在册留守儿童", "", False),
    ("unguarded", "无人监护", "flags=unguarded", True),
    ("poor_guardianship", "监护情况差", "flags=poor_guardianship", False),
    ("disabled_or_ill", "残疾或患病", "health=disabled_or_ill", False),
    ("low_income", "低保家庭", "flags=low_income", False),
]


def child_cards(summary: dict) -> list[dict]:
    """The cards with their counts and the filtered registry list each one counts."""
    counts = summary.get("children")
    if not counts:
        return []
    return [
        {"key": key, "label": label, "query": query, "danger": danger, "count": counts[key]}
        for key, label, query, danger in CHILD_CARDS
    ]


# --- The staged timeline ------------------------------------------------------------

COMPLETE = (StageReport.Status.SUBMITTED, StageReport.Status.APPROVED)
CITY_LEVEL = "city"


def current_year() -> CampaignYear | None:
    return CampaignYear.objects.filter(is_current=True).first() or CampaignYear.objects.first()


def templates_of(year) -> list[ReportTemplate]:
    return list(
        ReportTemplate.objects.filter(deadline__stage__year=year)
        .select_related("deadline", "deadline__stage")
        .order_by("deadline__due_on", "pk")
    )


def expected(template: ReportTemplate, unit_kind: str, joined_on: dt.date) -> bool:
    return unit_kind in template.unit_kinds and joined_on < template.deadline.due_on


@dataclass
class Rate:
    expected: int = 0
    complete: int = 0
    on_time: int = 0

    def add(self, complete: bool, on_time: bool) -> None:
        self.expected += 1
        self.complete += complete
        self.on_time += on_time

    @property
    def completeness(self) -> float | None:
        return round(100 * self.complete / self.expected, 1) if self.expected else None

    @property
    def timeliness(self) -> float | None:
        return round(100 * self.on_time / self.expected, 1) if self.expected else None


@dataclass
class Table:
    templates: list
    today: dt.date
    # key: county id or CITY_LEVEL
    rows: list = field(default_factory=list)
    by_district: dict = field(default_factory=lambda: defaultdict(Rate))
    by_district_deadline: dict = field(default_factory=lambda: defaultdict(Rate))
    by_deadline: dict = field(default_factory=lambda: defaultdict(Rate))
    by_unit: dict = field(default_factory=lambda: defaultdict(Rate))
    total: Rate = field(default_factory=Rate)
    units: dict = field(default_factory=dict)
    overdue: list = field(default_factory=list)
    deadline_cells: list = field(default_factory=list)


def unit_table(user, year, today: dt.date) -> Table:
    """Completeness and timeliness per unit (and, from them, per district and deadline), and
    the overdue reports, for every unit in the user's scope. Three queries; the work in
    Python grows with units x deadlines, so the city table uses :func:`completeness_table`."""
    templates = templates_of(year)  # 1
    units = list(
        ReportingUnit.objects.visible_to(user)
        .select_related("county")
        .order_by("county__code", "kind", "name")
    )  # 2
    reports = {
        (r["template_id"], r["unit_id"]): r
        for r in StageReport.objects.visible_to(user)
        .filter(template__in=[t.pk for t in templates])
        .values("id", "template_id", "unit_id", "status", "late", "reopened")
    }  # 3
    table = Table(templates=templates, today=today)
    counties = {}
    for unit in units:
        table.units[unit.pk] = unit
        key = unit.county_id or CITY_LEVEL
        counties.setdefault(key, unit.county.name if unit.county else "市级单位")
        for t in templates:
            if not expected(t, unit.kind, unit.joined_on):
                continue
            r = reports.get((t.pk, unit.pk))
            complete = bool(r and r["status"] in COMPLETE)
            on_time = complete and not r["late"]
            table.by_deadline[t.pk].add(complete, on_time)
            table.by_district_deadline[(key, t.pk)].add(complete, on_time)
            if t.deadline.due_on < today:
                table.by_unit[unit.pk].add(complete, on_time)
                table.by_district[key].add(complete, on_time)
                table.total.add(complete, on_time)
            if not complete and today > t.deadline.on_time_until:
                table.overdue.append(
                    {
                        "template": t,
                        "unit": unit,
                        "report_id": r["id"] if r else None,
                        "status": r["status"] if r else "missing",
                        "status_label": StageReport.Status(r["status"]).label if r else "未报送",
                        "reopened": bool(r and r["reopened"]),
                        "locked": today > t.deadline.lock_on,
                        "days": (today - t.deadline.due_on).days,
                    }
                )
    table.deadline_cells = [table.by_deadline[t.pk] for t in templates]
    table.rows = [
        {
            "key": key,
            "name": name,
            "rate": table.by_district[key],
            "cells": [table.by_district_deadline[(key, t.pk)] for t in templates],
        }
        for key, name in counties.items()
    ]
    return table


def completeness_table(user, year, today: dt.date) -> Table:
    """Completeness and timeliness per district, per deadline and in total, for the units in
    the user's scope, aggregated in SQL: three queries (deadlines; units counted by county,
    kind and joining date; complete and on-time reports counted by deadline and county),
    whatever the number of units and reports. Same definitions as :func:`unit_table`."""
    templates = templates_of(year)  # 1
    groups = list(
        ReportingUnit.objects.visible_to(user)
        .order_by()
        .values("county_id", "county__name", "county__code", "kind", "joined_on")
        .annotate(n=Count("id"))
    )  # 2
    owed = (
        Q(unit__kind="district", template__for_districts=True)
        | Q(unit__kind="school", template__for_schools=True)
        | Q(unit__kind="organization", template__for_organizations=True)
    )
    done = {
        (r["template_id"], r["unit__county_id"] or CITY_LEVEL): (r["complete"], r["on_time"])
        for r in StageReport.objects.visible_to(user)
        .filter(owed, template__in=[t.pk for t in templates], status__in=COMPLETE)
        .filter(unit__joined_on__lt=F("template__deadline__due_on"))
        .order_by()
        .values("template_id", "unit__county_id")
        .annotate(complete=Count("id"), on_time=Count("id", filter=Q(late=False)))
    }  # 3
    table = Table(templates=templates, today=today)
    counties = {}
    for g in sorted(groups, key=lambda g: (g["county__code"] or "", g["kind"])):
        counties.setdefault(g["county_id"] or CITY_LEVEL, g["county__name"] or "市级单位")
    for key in counties:
        for t in templates:
            expected_n = sum(
                g["n"]
                for g in groups
                if (g["county_id"] or CITY_LEVEL) == key and expected(t, g["kind"], g["joined_on"])
            )
            complete, on_time = done.get((t.pk, key), (0, 0))
            cell = Rate(expected_n, complete, on_time)
            table.by_district_deadline[(key, t.pk)] = cell
            for rate in [table.by_deadline[t.pk]] + (
                [table.by_district[key], table.total] if t.deadline.due_on < today else []
            ):
                rate.expected += cell.expected
                rate.complete += cell.complete
                rate.on_time += cell.on_time
    table.deadline_cells = [table.by_deadline[t.pk] for t in templates]
    table.rows = [
        {
            "key": key,
            "name": name,
            "rate": table.by_district[key],
            "cells": [table.by_district_deadline[(key, t.pk)] for t in templates],
        }
        for key, name in counties.items()
    ]
    return table


def overdue_list(user, year, today: dt.date) -> list[dict]:
    """Expected reports past due plus grace and not complete, for the units this user
    reviews (the city: all). Sorted by how long overdue."""
    table = unit_table(user, year, today)
    reviewable = set(
        ReportingUnit.objects.visible_to(user)
        .filter(review_filter(user))
        .values_list("pk", flat=True)
    )
    rows = [o for o in table.overdue if o["unit"].pk in reviewable]
    return sorted(rows, key=lambda o: (-o["days"], o["unit"].name))


def timeline(user, year, today: dt.date) -> dict:
    """Where the campaign stands today; what the viewer's unit owes next; what is late."""
    stages = list(year.stages.prefetch_related("deadlines").order_by("order")) if year else []
    for s in stages:
        s.state = "past" if s.ends_on < today else ("current" if s.starts_on <= today else "future")
    unit = ReportingUnit.objects.filter(own_unit_filter(user)).first()
    due, late = [], []
    if unit and year:
        reports = {
            r.template_id: r
            for r in StageReport.objects.filter(unit=unit, template__deadline__stage__year=year)
        }
        for t in templates_of(year):
            if not expected(t, unit.kind, unit.joined_on):
                continue
            r = reports.get(t.pk)
            item = {"template": t, "report": r}
            if r and r.is_complete:
                continue
            (late if today > t.deadline.on_time_until else due).append(item)
    return {
        "stages": stages,
        "current": [s for s in stages if s.state == "current"],
        "unit": unit,
        "due": due[:5],
        "late": late,
    }


def report_list(user, year):
    return (
        StageReport.objects.visible_to(user)
        .filter(template__deadline__stage__year=year)
        .select_related("template__deadline", "unit")
        .order_by("template__deadline__due_on", "unit__name")
    )


def reports_to_review(user, year):
    return report_list(user, year).filter(
        review_filter(user, "unit__"), status=StageReport.Status.SUBMITTED
    )


def report_detail(user, pk: int) -> StageReport:
    from huzhou_care.accounts.scoping import get_visible_or_404

    return get_visible_or_404(
        StageReport.objects.select_related("template__deadline", "unit").prefetch_related(
            "template__parts", "attachments__file"
        ),
        user,
        pk=pk,
    )


def pilot_list(user, year):
    return (
        PilotApplication.objects.visible_to(user)
        .filter(year=year)
        .select_related("unit")
        .order_by("-created_at")
    )


def recommended_pilots(year):
    return (
        PilotApplication.objects.filter(
            year=year,
            status__in=[
                PilotApplication.Status.RECOMMENDED,
                PilotApplication.Status.DESIGNATED,
                PilotApplication.Status.NOT_DESIGNATED,
            ],
        )
        .select_related("unit")
        .prefetch_related("scores__criterion", "attachments__file")
        .order_by("unit__county__code", "pk")
    )


def pilot_score_summary(app) -> dict:
    """Per criterion: the reviewers' average; and the total of the averages."""
    by_criterion = defaultdict(list)
    for s in app.scores.all():
        by_criterion[s.criterion].append(s.score)
    rows = [
        {"criterion": c, "average": round(sum(v) / len(v), 1), "count": len(v)}
        for c, v in sorted(by_criterion.items(), key=lambda kv: (kv[0].order, kv[0].pk))
    ]
    return {"rows": rows, "total": round(sum(r["average"] for r in rows), 1)}


def story_list(user, year):
    return Story.objects.visible_to(user).filter(year=year).select_related("unit")


def nomination_list(user, year):
    return Nomination.objects.visible_to(user).filter(year=year).select_related("unit")


def public_showcase(year):
    """The public page's content: approved stories with consent for any child shown, and of
    their photos only those without a child or with consent; approved nominations."""
    photos = StoryPhoto.objects.filter(shows_child=False) | StoryPhoto.objects.filter(
        consent_recorded=True
    )
    stories = (
        Story.objects.public()
        .filter(year=year)
        .select_related("unit")
        .prefetch_related(
            Prefetch("photos", queryset=photos.select_related("file"), to_attr="public_photos")
        )
        .order_by("-created_at")
    )
    nominations = Nomination.objects.public().filter(year=year).select_related("unit")
    return {"stories": list(stories), "nominations": list(nominations)}


def public_photo(pk: int):
    """A photo the public page may show, or None."""
    return (
        StoryPhoto.objects.filter(pk=pk, story__in=Story.objects.public())
        .exclude(shows_child=True, consent_recorded=False)
        .select_related("file")
        .first()
    )
