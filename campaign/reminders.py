"""The campaign's notification rules, registered with the core's registry from
``CampaignConfig.ready``:

- 阶段报送催报 (on demand): the one-click reminder from the overdue list.
- 报送截止提醒: a deadline at D-7, D-3, D-1 and overdue at D+1, D+3 -> the users of each
  expected unit whose report is not submitted (period: the offset).
- 报送截止汇总: one daily summary per district of its schools' and organisations' reports
  reaching such an offset that day -> the district's staff (period: the date).
- 报送被退回: a report returned for changes and still returned 2 days later -> the unit's
  users, once per return (period: the return's transition).

Each collector is a fixed number of set-based queries, whatever the number of units."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.contrib.contenttypes.models import ContentType
from django.db.models import Max, Q
from django.urls import reverse

from huzhou_care.accounts.models import Role, User
from huzhou_care.notify.registry import Due, Rule, register
from huzhou_care.orgs.models import OrgUnit

from .models import ReportingUnit, ReportTemplate, StageReport, Transition
from .services import REMINDER_RULE

UNIT_ROLES = frozenset({Role.DISTRICT_STAFF, Role.SCHOOL_STAFF, Role.ORG_COORDINATOR})
BEFORE = (7, 3, 1)
AFTER = (1, 3)
RETURNED_WAIT_DAYS = 2
COMPLETE = (StageReport.Status.SUBMITTED, StageReport.Status.APPROVED)


def _offset_label(days: int) -> str:
    return f"D-{-days}" if days < 0 else f"D+{days}"


def _unit_users(units) -> dict[int, list[int]]:
    """Unit id -> its users (district staff of a district, school staff of a school,
    coordinators of an organisation). One query."""
    by_district = {u.district_id: u.pk for u in units if u.kind == "district"}
    by_school = {u.school_id: u.pk for u in units if u.kind == "school"}
    by_org = {u.organization_id: u.pk for u in units if u.kind == "organization"}
    out: dict[int, list[int]] = defaultdict(list)
    users = User.objects.filter(is_active=True).filter(
        Q(role=Role.DISTRICT_STAFF, district_id__in=by_district)
        | Q(role=Role.SCHOOL_STAFF, school_id__in=by_school)
        | Q(role=Role.ORG_COORDINATOR, organization_id__in=by_org)
    )
    for pk, role, district, school, org in users.values_list(
        "pk", "role", "district_id", "school_id", "organization_id"
    ):
        unit = {
            Role.DISTRICT_STAFF: by_district.get(district),
            Role.SCHOOL_STAFF: by_school.get(school),
            Role.ORG_COORDINATOR: by_org.get(org),
        }.get(role)
        if unit:
            out[unit].append(pk)
    return out


def _owing(run_date: dt.date):
    """(template, offset, unit) for each expected, unsubmitted report whose deadline is at
    one of the offsets on ``run_date``."""
    days = {run_date + dt.timedelta(days=d): -d for d in BEFORE}
    days |= {run_date - dt.timedelta(days=d): d for d in AFTER}
    templates = list(
        ReportTemplate.objects.filter(deadline__due_on__in=list(days)).select_related("deadline")
    )
    if not templates:
        return []
    units = list(ReportingUnit.objects.all())
    done = set(
        StageReport.objects.filter(template__in=templates, status__in=COMPLETE).values_list(
            "template_id", "unit_id"
        )
    )
    owing = []
    for t in templates:
        offset = days[t.deadline.due_on]
        for u in units:
            if (
                u.kind in t.unit_kinds
                and u.joined_on < t.deadline.due_on
                and (t.pk, u.pk) not in done
            ):
                owing.append((t, offset, u))
    return owing


def deadline_due(run_date: dt.date):
    owing = _owing(run_date)
    users = _unit_users({u for _t, _o, u in owing})
    for t, offset, unit in owing:
        when = (
            f"将于 {t.deadline.due_on:%m月%d日} 截止（还有 {-offset} 天）"
            if offset < 0
            else f"已于 {t.deadline.due_on:%m月%d日} 截止，已逾期 {offset} 天"
        )
        for user_id in users.get(unit.pk, []):
            yield Due(
                recipient_id=user_id,
                target=t,
                period=_offset_label(offset),
                text=f"{unit.name}的“{t.deadline.title}”{when}，尚未提交，请及时报送。",
                url=reverse("campaign:reports"),
            )


def deadline_summary(run_date: dt.date):
    owing = [(t, o, u) for t, o, u in _owing(run_date) if u.kind != "district" and u.county_id]
    by_county: dict[int, list] = defaultdict(list)
    for t, offset, unit in owing:
        by_county[unit.county_id].append((t, offset, unit))
    if not by_county:
        return
    counties = OrgUnit.objects.in_bulk(list(by_county))
    staff: dict[int, list[int]] = defaultdict(list)
    for pk, district in User.objects.filter(
        role=Role.DISTRICT_STAFF, district_id__in=by_county, is_active=True
    ).values_list("pk", "district_id"):
        staff[district].append(pk)
    for county_id, items in by_county.items():
        lines = defaultdict(int)
        for t, offset, _unit in items:
            lines[(t.deadline.title, offset)] += 1
        summary = "；".join(
            f"“{title}”{_offset_label(offset)}：{n} 个单位未提交"
            for (title, offset), n in sorted(lines.items(), key=lambda kv: kv[0][1])
        )
        for user_id in staff.get(county_id, []):
            yield Due(
                recipient_id=user_id,
                target=counties[county_id],
                period=run_date.isoformat(),
                text=f"{run_date:%m月%d日}本区县报送截止情况汇总：{summary}。"[:480],
                url=reverse("campaign:completeness"),
            )


def report_returned(run_date: dt.date):
    cutoff = run_date - dt.timedelta(days=RETURNED_WAIT_DAYS)
    ct = ContentType.objects.get_for_model(StageReport)
    reports = list(
        StageReport.objects.filter(status=StageReport.Status.RETURNED).select_related(
            "unit", "template__deadline"
        )
    )
    if not reports:
        return
    returns = dict(
        Transition.objects.filter(
            content_type=ct, object_id__in=[r.pk for r in reports], to_status="returned"
        )
        .values_list("object_id")
        .annotate(last=Max("pk"))
        .values_list("object_id", "last")
    )
    when = dict(Transition.objects.filter(pk__in=returns.values()).values_list("pk", "at"))
    users = _unit_users({r.unit for r in reports})
    from django.utils import timezone

    for r in reports:
        tr = returns.get(r.pk)
        if tr is None or timezone.localdate(when[tr]) > cutoff:
            continue
        for user_id in users.get(r.unit_id, []):
            yield Due(
                recipient_id=user_id,
                target=r,
                period=f"return-{tr}",
                text=(
                    f"{r.unit.name}的“{r.template.deadline.title}”已被退回修改"
                    f"（{timezone.localdate(when[tr]):%m月%d日}），请按审核意见修改后重新提交。"
                    + (f"审核意见：{r.review_comment}" if r.review_comment else "")
                ),
                url=reverse("campaign:report_detail", args=[r.pk]),
            )


RULES = (
    Rule(
        code=REMINDER_RULE,
        label="阶段报送催报",
        roles=UNIT_ROLES,
        description="上级单位在逾期名单中一键催报时发送。",
    ),
    Rule(
        code="campaign.deadline_due",
        label="报送截止提醒",
        collect=deadline_due,
        mandatory=True,
        roles=UNIT_ROLES,
        description="截止前 7、3、1 天及逾期 1、3 天仍未提交时提醒本单位",
    ),
    Rule(
        code="campaign.deadline_summary",
        label="报送截止汇总（区县）",
        collect=deadline_summary,
        roles=frozenset({Role.DISTRICT_STAFF}),
        description="每日一条：本区县学校和结对单位临近截止或逾期未报的汇总",
    ),
    Rule(
        code="campaign.report_returned",
        label="报送被退回待修改",
        collect=report_returned,
        roles=UNIT_ROLES,
        description="报送被退回 2 天后仍未重新提交时提醒",
    ),
)


def register_rules() -> None:
    for rule in RULES:
        register(rule)
    # The programmes' rules (issue 10): wishes claimed but not confirmed / not fulfilled.
    from .programmes.reminders import register_rules as register_programme_rules

    register_programme_rules()
