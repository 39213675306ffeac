"""The programmes' measures for the evaluation (campaign.evaluation.measures): one grouped
query each, by (county, township, school), honouring the as-of date like the built-ins.
Registered from campaign/apps.py after the built-ins."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from campaign.evaluation.measures import Context, Measure, register


def activities_per_programme(ctx: Context) -> dict:
    """Activities held in the campaign year up to the end of the as-of date (and recorded by
    then), over the programmes they belong to, per organising place: the value is the number
    of activities per programme run. The place is the organising team's school (its township),
    else the venue's township, within the activity's county. A place's denominator counts each
    programme it ran once; a district sums its places', so its value is the mean number of
    activities per programme per place."""
    from .models import Activity

    year_start = timezone.make_aware(dt.datetime(ctx.year, 1, 1))
    key = ("county_id", "place_township", "team__school_id")
    rows = (
        Activity.objects.filter(
            starts_at__gte=year_start, starts_at__lt=ctx.bound, created_at__lt=ctx.bound
        )
        .annotate(place_township=Coalesce("team__school__township_id", "venue__township_id"))
        .order_by()
        .values(*key)
        .annotate(num=Count("pk"), den=Count("programme", distinct=True))
        .values_list(*key, "num", "den")
    )
    return {tuple(r[:3]): (r[3], r[4]) for r in rows}


def wish_fulfilment_rate(ctx: Context) -> dict:
    """Wishes published by the end of the as-of date (reviewed and approved then, in any
    later state: a released wish is back on the wall and still counts) and, of those, the
    ones fulfilled by the date: dated by then, recorded by then (the evidence photo is
    uploaded with the fulfilment). By the child's place."""
    from .models import Wish

    fulfilled = Q(
        status=Wish.Status.FULFILLED,
        fulfilled_on__lte=ctx.as_of,
        evidence__uploaded_at__lt=ctx.bound,
    )
    key = ("child__county_id", "child__township_id", "child__school_id")
    rows = (
        Wish.objects.filter(status__in=Wish.WALL_STATES, reviewed_at__lt=ctx.bound)
        .order_by()
        .values(*key)
        .annotate(num=Count("pk", filter=fulfilled), den=Count("pk"))
        .values_list(*key, "num", "den")
    )
    return {tuple(r[:3]): (r[3], r[4]) for r in rows}


MEASURES = (
    Measure(
        "campaign.activities_per_programme",
        "每个项目的活动数",
        activities_per_programme,
        scale=1,
        unit="次/项目",
        description="本年度截至当日开展的关爱活动次数，除以各组织单位所开展的项目数",
    ),
    Measure(
        "campaign.wish_fulfilment_rate",
        "微心愿实现率",
        wish_fulfilment_rate,
        description="截至当日已发布的微心愿中，截至当日已圆梦的比例",
    ),
)


def register_measures() -> None:
    for measure in MEASURES:
        register(measure)
