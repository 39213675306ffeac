"""Reminder rules of the micro-wishes (registered from ``campaign.reminders.register_rules``):

- 心愿认领待确认: a public claim waiting for the district's confirmation, after 3 and 7 days;
- 心愿认领未圆梦: a confirmed claim not yet fulfilled, after 21 days (a nudge to the
  district to call the claimer) and 30 days (the wish may now be released back to the wall).

Each goes to the active staff of the child's district; one query for the wishes, one for the
recipients. The text names the wish's item only, no child (it may go by e-mail)."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from huzhou_care.accounts.models import Role, User
from huzhou_care.notify.registry import Due, Rule, register

from .models import Wish, WishClaim

CLAIM_PENDING_RULE = "campaign.wish_claim_pending"
NOT_FULFILLED_RULE = "campaign.wish_not_fulfilled"
PENDING_STEPS = (3, 7)
NOT_FULFILLED_STEPS = (21, Wish.RELEASE_AFTER_DAYS)


def _step(days: int, steps) -> int | None:
    reached = [s for s in steps if days >= s]
    return reached[-1] if reached else None


def _district_staff(county_ids) -> dict[int, list[int]]:
    staff: dict[int, list[int]] = {}
    for pk, county in User.objects.filter(
        role=Role.DISTRICT_STAFF, is_active=True, district_id__in=set(county_ids)
    ).values_list("pk", "district_id"):
        staff.setdefault(county, []).append(pk)
    return staff


def _due(run_date: dt.date, *, status: str, since: str, steps, text):
    cutoff = timezone.make_aware(
        dt.datetime.combine(run_date - dt.timedelta(days=steps[0] - 1), dt.time.min)
    )
    claims = list(
        WishClaim.objects.filter(status=status, **{f"{since}__lt": cutoff})
        .select_related("wish")
        .only("pk", since, "wish__pk", "wish__item", "wish__child__county_id")
        .values_list("pk", since, "wish_id", "wish__item", "wish__child__county_id")
    )
    staff = _district_staff(c[4] for c in claims)
    for _pk, at, wish_id, item, county in claims:
        days = (run_date - timezone.localdate(at)).days
        step = _step(days, steps)
        if step is None:
            continue
        target = Wish(pk=wish_id)
        for recipient in staff.get(county, []):
            yield Due(
                recipient_id=recipient,
                target=target,
                period=f"d{step}",
                text=text(item, days, step),
                url=reverse("campaign:wish_detail", args=[wish_id]),
            )


def claim_pending(run_date: dt.date):
    return _due(
        run_date,
        status=WishClaim.Status.PENDING,
        since="claimed_at",
        steps=PENDING_STEPS,
        text=lambda item, days, step: (
            f"微心愿“{item}”有一份公众认领已等待确认 {days} 天，请尽快与认领人电话核实。"
        ),
    )


def not_fulfilled(run_date: dt.date):
    def text(item, days, step):
        if step >= Wish.RELEASE_AFTER_DAYS:
            return f"微心愿“{item}”认领已 {days} 天仍未圆梦，可联系认领人或将心愿释放回心愿墙。"
        return f"微心愿“{item}”认领已 {days} 天尚未登记圆梦，请与认领人联系。"

    return _due(
        run_date,
        status=WishClaim.Status.CONFIRMED,
        since="confirmed_at",
        steps=NOT_FULFILLED_STEPS,
        text=text,
    )


def register_rules() -> None:
    roles = frozenset({Role.DISTRICT_STAFF})
    register(
        Rule(
            code=CLAIM_PENDING_RULE,
            label="心愿认领待确认",
            collect=claim_pending,
            roles=roles,
            description="公众认领微心愿后 3 天、7 天仍未确认时提醒区县团委。",
        )
    )
    register(
        Rule(
            code=NOT_FULFILLED_RULE,
            label="心愿认领未圆梦",
            collect=not_fulfilled,
            roles=roles,
            description="心愿认领确认后 21 天、30 天仍未圆梦时提醒区县团委（30 天后可释放）。",
        )
    )
