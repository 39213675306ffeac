"""Reminder rules over pairing data, registered from ``PairingConfig.ready``:

- 结对走访逾期: an active pairing whose child has had no visit for 30 days (14 in the
  holidays) -> the paired person and the school's staff; once per lapse (period: the
  last contact date the lapse runs from).
- 跟进事项逾期: a follow-up past its due date and not closed -> the visit's author and the
  school's staff; once per follow-up.

No child's name in the text (it may go by e-mail): the link opens the card in the portal."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.urls import reverse

from huzhou_care.accounts.models import Role, User
from huzhou_care.notify.registry import Due, Rule, register

from .models import ChildPairing, Visit
from .selectors import overdue_days


def _school_staff(school_ids) -> dict[int, list[int]]:
    out: dict[int, list[int]] = defaultdict(list)
    for pk, school in User.objects.filter(
        role=Role.SCHOOL_STAFF, school_id__in=set(school_ids) - {None}, is_active=True
    ).values_list("pk", "school_id"):
        out[school].append(pk)
    return out


def visit_overdue(run_date: dt.date):
    days = overdue_days(run_date)
    cutoff = run_date - dt.timedelta(days=days)
    pairings = list(
        ChildPairing.objects.active()
        .filter(last_contact_on__lt=cutoff)
        .only("pk", "child_id", "person_id", "school_id", "last_contact_on", "kind")
    )
    staff = _school_staff(p.school_id for p in pairings)
    for p in pairings:
        waited = (run_date - p.last_contact_on).days
        text = (
            f"您结对的一名儿童已有 {waited} 天没有走访或联系记录（自 {p.last_contact_on:%m月%d日} 起，"
            f"要求每 {days} 天至少一次），请尽快安排走访并记录。"
        )
        url = reverse("pairing:child", args=[p.child_id])
        period = f"since-{p.last_contact_on.isoformat()}"
        for user_id in {p.person_id, *staff.get(p.school_id, [])}:
            yield Due(recipient_id=user_id, target=p, period=period, text=text, url=url)


def follow_up_overdue(run_date: dt.date):
    visits = list(
        Visit.objects.filter(
            follow_up_needed=True, follow_up_closed_at__isnull=True, follow_up_due__lt=run_date
        ).only("pk", "child_id", "author_id", "school_id", "follow_up_due", "follow_up_urgent")
    )
    staff = _school_staff(v.school_id for v in visits)
    for v in visits:
        late = (run_date - v.follow_up_due).days
        text = (
            f"一项{'紧急' if v.follow_up_urgent else ''}跟进事项已过期限 {late} 天"
            f"（期限 {v.follow_up_due:%m月%d日}），尚未完成，请跟进并在儿童卡片上关闭。"
        )
        url = reverse("pairing:child", args=[v.child_id])
        for user_id in {v.author_id, *staff.get(v.school_id, [])}:
            yield Due(recipient_id=user_id, target=v, period="overdue", text=text, url=url)


RULES = (
    Rule(
        code="pairing.visit_overdue",
        label="结对走访逾期",
        collect=visit_overdue,
        roles=frozenset({Role.SCHOOL_STAFF, Role.VOLUNTEER}),
        description="结对儿童超过 30 天（假期 14 天）没有走访或联系",
    ),
    Rule(
        code="pairing.follow_up_overdue",
        label="跟进事项逾期",
        collect=follow_up_overdue,
        roles=frozenset({Role.SCHOOL_STAFF, Role.VOLUNTEER}),
        description="走访中登记的跟进事项超过期限仍未完成",
    ),
)


def register_rules() -> None:
    for rule in RULES:
        register(rule)
