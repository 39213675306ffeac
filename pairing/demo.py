"""Demo data of the pairing app (composed by ``campaign/demo.py`` for ``seed_demo``):
org–school pairings for the anchor's year, a few teachers per school paired with most of
its children (by class), volunteers paired with some children (一对一 / 一对多), a year of
visits (some with follow-ups, a few urgent), feedback threads, and the overdue cases that
follow from it. Deterministic per seed; a second run pairs only children not paired yet.

Rows go through ``huzhou_care.bulk.RowInserter`` (COPY on PostgreSQL) in batches, each batch
one transaction; ``bench/coverage_bench.py`` uses the same writer for its millions of rows."""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections import defaultdict

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from children.models import Child
from huzhou_care.accounts.models import Role, User
from huzhou_care.bulk import RowInserter
from huzhou_care.demo import catalog
from huzhou_care.demo.services import DemoContext, DemoPart, batched, sql_log_off

from .models import (
    ChildPairing,
    FeedbackMessage,
    OrgSchoolPairing,
    PairingKind,
    PairingTally,
    Visit,
)

BATCH_SIZE = 5_000
TEACHERS_PER_SCHOOL = 3
STAFF_SHARE = 0.9
VOLUNTEER_SHARE = 0.25
CONCERNS = ["study", "life", "emotion", "development", "safety"]
NOTES = [
    "孩子学习认真，作业按时完成。",
    "祖母身体尚可，家中卫生整洁。",
    "孩子想念父母，约定每周视频一次。",
    "近期数学成绩下降，已与班主任沟通。",
    "叮嘱暑期防溺水，孩子能复述安全要点。",
    "家中电线老化，已提醒监护人请电工检查。",
]
FEEDBACK = [
    "孩子本周在校表现良好，课堂上积极发言。",
    "期中考试语文进步明显，请转告家长。",
    "最近午休不太好，麻烦走访时和奶奶聊聊作息。",
    "好的，周末走访时会和监护人沟通。",
]


def build(context: DemoContext) -> DemoPart:
    rng = random.Random(f"pairing:{context.seed}")
    admin = User.objects.filter(role=Role.CITY_ADMIN).order_by("pk").first()
    with sql_log_off():
        _org_pairings(context, rng, admin)
        teachers = _teachers(context)
        volunteers = _volunteers(context, rng)
        children = list(
            Child.objects.active()
            .exclude(pk__in=ChildPairing.objects.values("child_id"))
            .filter(school__isnull=False)
            .order_by("pk")
            .values_list("pk", "county_id", "township_id", "school_id", "grade", "class_name")
        )
        writer = PairingWriter(
            anchor=context.anchor, seed=f"pairing:{context.seed}", created_by_id=admin.pk
        )
        demo_volunteers = _demo_volunteer_accounts(context)
        existing = ChildPairing.objects.count()
        for batch in batched(children, BATCH_SIZE):
            writer.write(batch, teachers=teachers, volunteers=volunteers, first=demo_volunteers)
            demo_volunteers = []
        tallies_rebuild()
    return DemoPart("结对", writer.pairings, existing)


def _org_pairings(context: DemoContext, rng: random.Random, admin) -> None:
    year = context.anchor.year
    schools = sorted(context.schools.values(), key=lambda s: s.code)
    taken = set(
        OrgSchoolPairing.objects.filter(year__in=(year - 1, year)).values_list(
            "organization_id", "year"
        )
    )
    rows = []
    for org in sorted(context.organizations.values(), key=lambda o: o.name):
        local = [s for s in schools if org.county_id is None or s.county_id == org.county_id]
        for y in (year - 1, year):
            if (org.pk, y) not in taken and local:
                rows.append(
                    OrgSchoolPairing(
                        organization=org, school=rng.choice(local), year=y, created_by=admin
                    )
                )
    OrgSchoolPairing.objects.bulk_create(rows, ignore_conflicts=True)


def _users_ensure(rows: list[dict]) -> dict[str, int]:
    """Create the users of ``rows`` (by username) that do not exist; {username: id}."""
    names = [r["username"] for r in rows]
    have = dict(User.objects.filter(username__in=names).values_list("username", "pk"))
    new = [r for r in rows if r["username"] not in have]
    if new:
        unusable = make_password(None)
        now = timezone.now()
        for start in range(0, len(new), BATCH_SIZE):
            RowInserter(User).insert(
                [
                    {"password": unusable, "date_joined": now, "is_active": True, **r}
                    for r in new[start : start + BATCH_SIZE]
                ]
            )
        have = dict(User.objects.filter(username__in=names).values_list("username", "pk"))
    return have


def _teachers(context: DemoContext) -> dict[int, list[int]]:
    """A few teachers (volunteer role, of the school) per demo school: {school id: [ids]}."""
    rows, by_school = [], defaultdict(list)
    for school in sorted(context.schools.values(), key=lambda s: s.code):
        for i in range(TEACHERS_PER_SCHOOL):
            surname = catalog.SURNAMES[(school.pk * 7 + i) % len(catalog.SURNAMES)]
            rows.append(
                {
                    "username": f"t{school.code}_{i + 1}",
                    "full_name": f"{surname}老师",
                    "role": Role.VOLUNTEER,
                    "school_id": school.pk,
                }
            )
    ids = _users_ensure(rows)
    for row in rows:
        by_school[row["school_id"]].append(ids[row["username"]])
    return by_school


def _volunteers(context: DemoContext, rng: random.Random) -> list[int]:
    """Volunteers of the city-level organisations: one for every five children."""
    orgs = sorted(
        (o for o in context.organizations.values() if o.county_id is None), key=lambda o: o.name
    )
    count = max(8, context.children // 5)
    rows = [
        {
            "username": f"v{context.seed}_{i:06d}",
            "full_name": catalog.SURNAMES[i % len(catalog.SURNAMES)] + "志愿者",
            "role": Role.VOLUNTEER,
            "organization_id": orgs[i % len(orgs)].pk if orgs else None,
        }
        for i in range(count)
    ]
    ids = _users_ensure(rows)
    return [ids[r["username"]] for r in rows]


def _demo_volunteer_accounts(context: DemoContext) -> list[int]:
    names = [a.username for a in context.accounts if a.role == Role.VOLUNTEER]
    ids = list(
        User.objects.filter(username__in=names).order_by("username").values_list("pk", flat=True)
    )
    paired = set(ChildPairing.objects.filter(person_id__in=ids).values_list("person_id", flat=True))
    return [pk for pk in ids if pk not in paired]


@transaction.atomic
def tallies_rebuild() -> int:
    """Recompute the per-school tallies from the active pairings (after bulk writes that
    bypass the services): one grouped read, one insert."""
    PairingTally.objects.all().delete()
    rows = [
        PairingTally(county_id=c, township_id=t, school_id=s, kind=k, active=n)
        for c, t, s, k, n in ChildPairing.objects.active()
        .order_by()
        .values_list("county_id", "township_id", "school_id", "kind")
        .annotate(n=Count("pk"))
        .values_list("county_id", "township_id", "school_id", "kind", "n")
    ]
    PairingTally.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


class PairingWriter:
    """Pairs a batch of children (tuples: id, county, township, school, grade, class) and
    writes a year of their visits, in one transaction per batch."""

    def __init__(self, *, anchor: dt.date, seed: str, created_by_id: int):
        self.anchor, self.seed, self.created_by_id = anchor, seed, created_by_id
        self.pairings_out = RowInserter(ChildPairing)
        self.visits_out = RowInserter(Visit)
        self.feedback_out = RowInserter(FeedbackMessage)
        self.pairings = self.visits = self.messages = 0

    def _visit_days(self, rng, n: int) -> list[dt.date]:
        return sorted(self.anchor - dt.timedelta(days=rng.randint(0, 364)) for _ in range(n))

    @transaction.atomic
    def write(self, batch, *, teachers: dict, volunteers: list[int], first=()) -> None:
        pairings, visits, feedback = [], [], []
        first = list(first)
        started = self.anchor - dt.timedelta(days=365)
        for child_id, county_id, township_id, school_id, grade, class_name in batch:
            # Each child's own stream: a second run decides the same for a child left unpaired.
            rng = random.Random(f"{self.seed}:{child_id}")
            place = {"county_id": county_id, "township_id": township_id, "school_id": school_id}
            pairs = []
            staff = teachers.get(school_id)
            if staff and rng.random() < STAFF_SHARE:
                teacher = staff[((grade or 0) * 31 + sum(map(ord, class_name))) % len(staff)]
                pairs.append((PairingKind.STAFF, teacher, rng.randint(0, 2)))
            if first or (volunteers and rng.random() < VOLUNTEER_SHARE):
                # 一对多 happens as volunteers are drawn again for other children.
                person = first.pop(0) if first else volunteers[rng.randrange(len(volunteers))]
                pairs.append((PairingKind.VOLUNTEER, person, rng.randint(2, 6)))
            days = {kind: self._visit_days(rng, n) for kind, _p, n in pairs}
            last = max((d[-1] for d in days.values() if d), default=None)
            for kind, person, _n in pairs:
                start = started + dt.timedelta(days=rng.randint(0, 60))
                pairings.append(
                    {
                        "child_id": child_id,
                        "kind": kind,
                        "person_id": person,
                        "started_on": start,
                        "ended_on": None,
                        "last_visit_on": last,
                        "last_contact_on": max(last, start) if last else start,
                        "created_by_id": self.created_by_id,
                        **place,
                    }
                )
                for day in days[kind]:
                    follow = rng.random() < 0.06
                    visits.append(
                        {
                            "idempotency_key": uuid.UUID(int=rng.getrandbits(128), version=4),
                            "child_id": child_id,
                            "author_id": person,
                            "kind": rng.choice(
                                ["home", "home", "call", "school_talk", "holiday", "letter"]
                            ),
                            "visited_on": day,
                            "duration_minutes": rng.choice([20, 30, 45, 60, 90]),
                            "concerns": rng.sample(CONCERNS, rng.randint(1, 3)),
                            "notes": rng.choice(NOTES),
                            "follow_up_needed": follow,
                            "follow_up_due": day + dt.timedelta(days=14) if follow else None,
                            "follow_up_urgent": follow and rng.random() < 0.1,
                            "follow_up_note": "再次走访确认监护情况" if follow else "",
                            "_kind": kind,
                            **place,
                        }
                    )
            if len(pairs) == 2 and rng.random() < 0.2:
                at = timezone.make_aware(dt.datetime.combine(self.anchor, dt.time(9)))
                for i, text in enumerate(rng.sample(FEEDBACK, 2)):
                    feedback.append(
                        {
                            "child_id": child_id,
                            "author_id": pairs[i][1],
                            "body": text,
                            "sent_at": at - dt.timedelta(days=10 - i),
                            **place,
                        }
                    )
        self.pairings_out.insert(pairings)
        ids = {
            (c, k): pk
            for pk, c, k in ChildPairing.objects.active()
            .filter(child_id__in=[b[0] for b in batch])
            .values_list("pk", "child_id", "kind")
        }
        for v in visits:
            v["pairing_id"] = ids[(v["child_id"], v.pop("_kind"))]
        self.visits_out.insert(visits)
        self.feedback_out.insert(feedback)
        self.pairings += len(pairings)
        self.visits += len(visits)
        self.messages += len(feedback)
