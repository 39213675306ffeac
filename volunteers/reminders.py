"""Reminder rules over volunteers data, registered from ``VolunteersConfig.ready``:

- 服务时长待审核: a team with hour records waiting for approval more than 7 days -> whoever
  approves them (the school's staff for a school team, the organisation's coordinators
  otherwise); one reminder per team and ISO week, with the count."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Count, Min, Q
from django.urls import reverse
from django.utils import timezone

from huzhou_care.accounts.models import Role, User
from huzhou_care.notify.registry import Due, Rule, register

from .models import ServiceRecord, Team

WAITING_DAYS = 7


def hours_waiting(run_date: dt.date):
    cutoff = timezone.make_aware(
        dt.datetime.combine(run_date - dt.timedelta(days=WAITING_DAYS), dt.time.min)
    )
    waiting = {
        team: (n, oldest)
        for team, n, oldest in ServiceRecord.objects.filter(
            state=ServiceRecord.State.PENDING, created_at__lt=cutoff
        )
        .order_by()
        .values_list("team_id")
        .annotate(n=Count("pk"), oldest=Min("created_at"))
        .values_list("team_id", "n", "oldest")
    }
    if not waiting:
        return
    teams = Team.objects.in_bulk(list(waiting))
    approvers: dict[tuple, list[int]] = defaultdict(list)
    schools = {t.school_id for t in teams.values() if t.school_id}
    orgs = {t.organization_id for t in teams.values() if t.organization_id}
    users = User.objects.filter(is_active=True).filter(
        Q(role=Role.SCHOOL_STAFF, school_id__in=schools)
        | Q(role=Role.ORG_COORDINATOR, organization_id__in=orgs)
    )
    for pk, role, school, org in users.values_list("pk", "role", "school_id", "organization_id"):
        if role == Role.SCHOOL_STAFF and school:
            approvers[("school", school)].append(pk)
        if role == Role.ORG_COORDINATOR and org:
            approvers[("org", org)].append(pk)
    year, week, _ = run_date.isocalendar()
    for team_id, (n, oldest) in waiting.items():
        team = teams[team_id]
        key = ("school", team.school_id) if team.school_id else ("org", team.organization_id)
        days = (run_date - timezone.localdate(oldest)).days
        for user_id in approvers.get(key, []):
            yield Due(
                recipient_id=user_id,
                target=team,
                period=f"{year}-W{week:02d}",
                text=(
                    f"“{team.name}”有 {n} 条服务时长记录等待审核超过 {WAITING_DAYS} 天"
                    f"（最早的已等待 {days} 天），审核通过后才计入志愿汇关爱时间。"
                ),
                url=reverse("volunteers:team_hours", args=[team_id]) + "?state=pending",
            )


RULES = (
    Rule(
        code="volunteers.hours_waiting",
        label="服务时长待审核",
        collect=hours_waiting,
        roles=frozenset({Role.SCHOOL_STAFF, Role.ORG_COORDINATOR}),
        description="队伍有服务时长记录等待审核超过 7 天（每周一次）",
    ),
)


def register_rules() -> None:
    for rule in RULES:
        register(rule)
