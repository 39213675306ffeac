"""Demo data of the programmes (a line in ``campaign.demo.BUILDERS``): care venues in every
district, a year of activities per programme (with volunteers' pending service hours and
children served), micro-wishes in every state, aid records, support plans with a review and
guardianship assessments. Written through the services (each with its audit entry), as the
city administrator. Deterministic per seed; a second run finds the venues and adds nothing."""

from __future__ import annotations

import datetime as dt
import io
import random
import zoneinfo
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from children.choices import Health
from children.models import Child
from huzhou_care.accounts.models import Role, User
from huzhou_care.demo.services import DemoContext, DemoPart
from huzhou_care.orgs.models import OrgUnit
from volunteers.models import Membership, Programme, Team

from . import services
from .models import ActivityKind, AidRecord, Venue, VenueKind, Wish, WishClaim

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
PREFIX = "示范"
KINDS_BY_PROGRAMME = {
    "holidays": ["holiday_care", "tutoring", "self_protection", "sports_arts", "safety"],
    "warm_hearts": ["culture", "red_study", "environment"],
    "hand_in_hand": ["parent_child", "breakfast", "social_skills", "law"],
    "growing": ["mental_health", "family_education", "crisis"],
}
ITEMS = ["一套彩笔", "一个新书包", "一双运动鞋", "一本《十万个为什么》", "一个篮球", "一台学习台灯"]
STORIES = ["喜欢画画，想把家乡画下来。", "想和同学一起打球。", "晚上写作业光线不好。", "爱看书。"]


def _png() -> SimpleUploadedFile:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (64, 48), (230, 180, 80)).save(out, "PNG")
    return SimpleUploadedFile("圆梦.png", out.getvalue())


def build(context: DemoContext) -> DemoPart:
    existing = Venue.objects.filter(name__startswith=PREFIX).count()
    if existing:
        return DemoPart("关爱阵地", 0, existing)
    admin = User.objects.filter(role=Role.CITY_ADMIN).order_by("pk").first()
    if admin is None:
        return DemoPart("关爱阵地", 0, 0)
    rng = random.Random(f"programmes:{context.seed}")
    anchor = context.anchor
    venues = _venues(context, rng, admin)
    activities = _activities(context, rng, admin, venues, anchor)
    wishes = _wishes(rng, admin, anchor)
    aid, plans, reviews = _care(rng, admin, anchor)
    context.say(
        f"关爱阵地 {len(venues)}，关爱活动 {activities}，微心愿 {wishes}，"
        f"资助记录 {aid}，一人一案 {plans}，监护评估 {reviews}。"
    )
    return DemoPart("关爱阵地", len(venues), 0)


def _venues(context, rng, admin) -> list[Venue]:
    venues = []
    kinds = list(VenueKind.values)
    for county in context.counties.values():
        towns = list(OrgUnit.objects.filter(parent=county, level="township").order_by("code")[:3])
        for i, town in enumerate(towns):
            kind = kinds[(len(venues) + i) % len(kinds)]
            venues.append(
                services.venue_create(
                    data={
                        "name": f"{PREFIX}{town.name}{VenueKind(kind).label}",
                        "kind": kind,
                        "township": town,
                        "address": f"{town.name}文化礼堂二楼",
                        "managed_by": f"{county.name}团委",
                        "opening_hours": "周六、周日 9:00-16:00；寒暑假每天开放",
                        "facilities": rng.sample(
                            [
                                "toys",
                                "books",
                                "computers",
                                "desks",
                                "dance",
                                "counselling",
                                "tutoring",
                            ],
                            4,
                        ),
                    },
                    user=admin,
                )
            )
    return venues


def _activities(context, rng, admin, venues, anchor) -> int:
    by_county: dict[int, list[Venue]] = {}
    for v in venues:
        by_county.setdefault(v.county_id, []).append(v)
    count = 0
    for county_id, county_venues in by_county.items():
        teams = list(Team.objects.filter(county_id=county_id, is_active=True).order_by("code")[:3])
        if not teams:
            continue
        for month_back in range(12):
            day = anchor - dt.timedelta(days=30 * month_back + rng.randint(1, 20))
            for programme in Programme.values:
                team = teams[(month_back + count) % len(teams)]
                members = list(
                    Membership.objects.filter(team=team, state="active")
                    .select_related("volunteer")
                    .order_by("pk")[:6]
                )
                vols = [m.volunteer for m in rng.sample(members, min(len(members), 3))]
                kids_qs = Child.objects.active().filter(county_id=county_id)
                if team.school_id:
                    kids_qs = kids_qs.filter(school_id=team.school_id)
                kids = list(kids_qs.order_by("pk")[rng.randint(0, 10) :][:5])
                online = programme == "growing" and month_back % 3 == 0
                kind = rng.choice(KINDS_BY_PROGRAMME[programme])
                services.activity_create(
                    data={
                        "programme": programme,
                        "kind": kind,
                        "title": ActivityKind(kind).label,
                        "team": team,
                        "venue": None if online else rng.choice(county_venues),
                        "online": "qinqingbang" if online else "",
                        "starts_at": dt.datetime(day.year, day.month, day.day, 9, tzinfo=TZ),
                        "hours": Decimal(rng.choice(["1.5", "2", "3"])),
                        "anonymous_count": rng.randint(0, 20),
                        "summary": "活动按计划开展，孩子们积极参与。",
                    },
                    volunteers=vols,
                    children=kids,
                    user=admin,
                    today=anchor,
                )
                count += 1
    return count


def _wishes(rng, admin, anchor) -> int:
    children = list(Child.objects.active().filter(school__isnull=False).order_by("pk")[:36])
    states = [
        "collected",
        "rejected",
        "published",
        "claim_pending",
        "claimed",
        "overdue",
        "fulfilled",
    ]
    count = 0
    for i, child in enumerate(children):
        state = states[i % len(states)]
        wish = services.wish_collect(
            child=child,
            data={
                "item": ITEMS[i % len(ITEMS)],
                "estimated_value": Decimal(rng.choice([30, 50, 80, 120, 150])),
                "story": STORIES[i % len(STORIES)],
            },
            user=admin,
        )
        count += 1
        if state == "collected":
            continue
        services.wish_review(
            wish=wish, approve=state != "rejected", note="物品超出微心愿标准", user=admin
        )
        if state in ("rejected", "published"):
            continue
        services.wish_claim(
            wish_id=wish.pk,
            kind=rng.choice(WishClaim.Kind.values),
            name=rng.choice(["湖州银行团委", "爱心人士张女士", "志愿者李同学"]),
            phone=f"139{rng.randint(10_000_000, 99_999_999)}",
        )
        if state == "claim_pending":
            continue
        services.claim_decide(wish=wish, confirm=True, user=admin)
        if state == "overdue":
            WishClaim.objects.filter(wish=wish, status="confirmed").update(
                confirmed_at=timezone.now() - dt.timedelta(days=Wish.RELEASE_AFTER_DAYS + 5)
            )
        if state == "fulfilled":
            services.wish_fulfil(
                wish=wish, evidence=_png(), fulfilled_on=anchor, user=admin, today=anchor
            )
    return count


def _care(rng, admin, anchor):
    aid = plans = reviews = 0
    for i, child in enumerate(Child.objects.active().order_by("pk")[:24]):
        services.aid_create(
            child=child,
            data={
                "kind": AidRecord.Kind.values[i % len(AidRecord.Kind.values)],
                "amount": Decimal(rng.choice([300, 500, 1000])) if i % 3 else None,
                "items": "冬衣、书包" if i % 3 == 0 else "",
                "given_on": anchor - dt.timedelta(days=rng.randint(5, 300)),
                "source": AidRecord.Source.values[i % len(AidRecord.Source.values)],
            },
            user=admin,
        )
        aid += 1
    for child in Child.objects.active().filter(health=Health.DISABLED).order_by("pk")[:10]:
        start = anchor - dt.timedelta(days=rng.randint(60, 200))
        plan = services.plan_create(
            child=child,
            data={
                "education": "随班就读，资源教师每周个别辅导两次。",
                "home_teaching": "每两周送教上门一次。",
                "rehabilitation": "县残联康复中心每月康复训练。",
                "starts_on": start,
                "next_review_on": start + dt.timedelta(days=90),
            },
            user=admin,
        )
        services.plan_review(
            plan=plan,
            data={
                "reviewed_on": start + dt.timedelta(days=45),
                "progress": "康复训练坚持较好，学习上继续个别辅导。",
                "next_review_on": start + dt.timedelta(days=135),
            },
            user=admin,
        )
        plans += 1
    for i, child in enumerate(Child.objects.active().order_by("-pk")[:12]):
        services.guardianship_review_create(
            child=child,
            data={
                "assessed_on": min(anchor, timezone.localdate()) - dt.timedelta(days=i * 7),
                "social_worker": rng.choice(["社工周敏", "社工沈佳"]),
                "situation": "祖辈监护，父母在外务工，每周视频联系。",
                "capacity": "祖辈年迈，辅导学习有困难。",
                "result": "poor" if i % 6 == 0 else ("fair" if i % 2 else "good"),
            },
            user=admin,
        )
        reviews += 1
        if i % 4 == 0:
            services.follow_up_create(
                child=child,
                data={
                    "kind": "family_education" if i % 8 else "crisis",
                    "on": min(anchor, timezone.localdate()) - dt.timedelta(days=i),
                    "summary": "与监护人沟通家庭教育方法，约定每周与父母视频。",
                },
                user=admin,
            )
    return aid, plans, reviews
