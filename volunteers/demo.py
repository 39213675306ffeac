"""Demo volunteers for ``seed_demo`` (composed by ``campaign/demo.py``): a team for every
organisation and for several schools, a few hundred volunteers per 2,000 children, memberships
(leaders, members, some applications), a year of service records in every state, and a
volunteer profile for each demo ``volunteer`` login.

Deterministic per seed: the n-th volunteer, their teams and their records depend only on the
seed and n, so a run creates only what is missing (a larger demo adds the difference).
"""

from __future__ import annotations

import datetime as dt
import random
import zoneinfo
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from huzhou_care.accounts.models import Role, User
from huzhou_care.audit.models import ChangeRecord
from huzhou_care.audit.services import ChangeSource, changes_record
from huzhou_care.bulk import RowInserter
from huzhou_care.demo import catalog
from huzhou_care.demo.services import DemoContext, DemoPart, sql_log_off
from huzhou_care.orgs.models import Organization

from .importing.plan import programme_of
from .models import Membership, PoliticalStatus, ServiceRecord, Team, TeamKind, Volunteer

#: Volunteers per 2,000 children.
PER_2000_CHILDREN = 300
MIN_VOLUNTEERS = 40
SCHOOL_TEAMS = 8
ORG_KIND_TO_TEAM = {
    Organization.Kind.UNIVERSITY: TeamKind.UNIVERSITY,
    Organization.Kind.ENTERPRISE: TeamKind.ENTERPRISE,
    Organization.Kind.AGENCY: TeamKind.AGENCY,
    Organization.Kind.LEAGUE: TeamKind.LEAGUE,
    Organization.Kind.YOUTH_PALACE: TeamKind.YOUTH_PALACE,
    Organization.Kind.SOCIAL: TeamKind.SOCIAL,
}
ACTIVITIES = [
    "七彩假期·暑期陪护",
    "七彩假期·寒假家访",
    "情暖童心·微心愿认领",
    "情暖童心·心理关爱讲座",
    "心手相连·亲情家书代写",
    "心手相连·一对一结对辅导",
    "相伴成长·亲子共护活动",
    "周末学业辅导",
    "爱心早餐看护",
    "安全自护讲座",
]
SKILLS = [
    "学业辅导",
    "心理疏导",
    "阅读陪伴",
    "音乐",
    "文体活动",
    "手工美术",
    "安全教育",
    "法治宣传",
]
DECLINE_REASONS = ["当天未签到", "与另一条记录重复", "时长超过活动安排", "活动不属于本队"]
TZ = zoneinfo.ZoneInfo(settings.TIME_ZONE)


def _teams_ensure(context: DemoContext) -> list[Team]:
    teams = []
    for index, spec in enumerate(catalog.ORGANIZATIONS, start=1):
        org = context.organizations[spec.name]
        team, _ = Team.objects.get_or_create(
            code=f"ORG-{index:02d}",
            defaults={
                "name": org.name.removesuffix("团委") + "“我们在一起”志愿服务队",
                "kind": ORG_KIND_TO_TEAM.get(org.kind, TeamKind.SOCIAL),
                "organization": org,
                "county": org.county,
                "imports_approved": index % 4 != 0,
            },
        )
        teams.append(team)
    account_schools = [a.school for a in catalog.ACCOUNTS if a.school]
    codes = list(dict.fromkeys([*account_schools, *sorted(context.schools)]))[:SCHOOL_TEAMS]
    for code in codes:
        school = context.schools[code]
        team, _ = Team.objects.get_or_create(
            code=f"SCH-{code}",
            defaults={
                "name": f"{school.name}教职工志愿服务队",
                "kind": TeamKind.SCHOOL_STAFF,
                "school": school,
                "county": school.county,
            },
        )
        teams.append(team)
    return teams


def _person(rng: random.Random) -> tuple[str, str]:
    if rng.random() < 0.55:
        return rng.choice(catalog.SURNAMES) + rng.choice(catalog.WOMEN_NAMES), "F"
    return rng.choice(catalog.SURNAMES) + rng.choice(catalog.MEN_NAMES), "M"


def _volunteer_spec(seed: int, n: int, teams: list[Team]) -> dict:
    rng = random.Random(f"volunteer:{seed}:{n}")
    name, gender = _person(rng)
    team = teams[n % len(teams)]
    status = rng.choices(
        [PoliticalStatus.PARTY, PoliticalStatus.LEAGUE, PoliticalStatus.MASSES], [3, 5, 2]
    )[0]
    return {
        "account": f"{6 + seed % 3}{seed % 100:02d}{n:06d}",
        "name": name,
        "gender": gender,
        "mobile": rng.choice(catalog.MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}",
        "unit": team.owner.name if team.owner else "",
        "skills": "、".join(rng.sample(SKILLS, rng.randint(1, 3))),
        "political_status": status,
        "teams": [team] + ([teams[(n * 7 + 3) % len(teams)]] if rng.random() < 0.1 else []),
        "applied": rng.random() < 0.04,
        "records": rng.randint(0, 14),
        "rng": rng,
    }


def _records(spec: dict, volunteer_id: int, anchor: dt.date, actor_id) -> list[dict]:
    rng: random.Random = spec["rng"]
    team = spec["teams"][0]
    days = sorted(rng.sample(range(1, 366), spec["records"]))
    rows = []
    for back in days:
        day = anchor - dt.timedelta(days=back)
        start = dt.datetime(
            day.year,
            day.month,
            day.day,
            rng.choice((8, 9, 13, 14, 18)),
            rng.choice((0, 30)),
            tzinfo=TZ,
        )
        hours = Decimal(rng.choice(("1", "1.5", "2", "2.5", "3", "3.5", "4")))
        activity = rng.choice(ACTIVITIES)
        imported = rng.random() < 0.7
        if back <= 14:  # the last two weeks: still waiting for approval
            state = ServiceRecord.State.PENDING
        else:
            state = rng.choices(
                [
                    ServiceRecord.State.APPROVED,
                    ServiceRecord.State.PENDING,
                    ServiceRecord.State.DECLINED,
                ],
                [85, 7, 8],
            )[0]
        rows.append(
            {
                "volunteer_id": volunteer_id,
                "team_id": team.pk,
                "service_date": day,
                "signed_in_at": start,
                "signed_out_at": start + dt.timedelta(hours=float(hours)),
                "hours": hours,
                "activity_name": activity,
                "programme": programme_of(activity),
                "source": ServiceRecord.Source.IMPORT if imported else ServiceRecord.Source.ENTERED,
                "upload_id": None,
                "state": state,
                "decline_reason": rng.choice(DECLINE_REASONS)
                if state == ServiceRecord.State.DECLINED
                else "",
                "decided_by_id": actor_id if state != ServiceRecord.State.PENDING else None,
                "decided_at": timezone.now() if state != ServiceRecord.State.PENDING else None,
            }
        )
    return rows


def build(context: DemoContext) -> DemoPart:
    seed = context.seed
    total = (
        max(MIN_VOLUNTEERS, context.children * PER_2000_CHILDREN // 2000) if context.children else 0
    )
    source = ChangeSource(None, ChangeRecord.Source.SEED, context.source_ref)
    with sql_log_off(), transaction.atomic():
        teams = _teams_ensure(context)
        actor = User.objects.filter(role=Role.CITY_ADMIN).order_by("pk").first()
        specs = [_volunteer_spec(seed, n, teams) for n in range(total)]
        have = set(
            Volunteer.objects.filter(zyh_account__in=[s["account"] for s in specs]).values_list(
                "zyh_account", flat=True
            )
        )
        new = [s for s in specs if s["account"] not in have]
        Volunteer.objects.bulk_create(
            [
                Volunteer(
                    zyh_account=s["account"],
                    name=s["name"],
                    gender=s["gender"],
                    mobile=s["mobile"],
                    unit=s["unit"],
                    skills=s["skills"],
                    political_status=s["political_status"],
                )
                for s in new
            ],
            batch_size=1000,
        )
        ids = dict(
            Volunteer.objects.filter(zyh_account__in=[s["account"] for s in new]).values_list(
                "zyh_account", "pk"
            )
        )
        memberships, records = [], []
        for s in new:
            vid = ids[s["account"]]
            for position, team in enumerate(s["teams"]):
                applied = s["applied"] and position == len(s["teams"]) - 1
                memberships.append(
                    Membership(
                        volunteer_id=vid,
                        team=team,
                        state=Membership.State.APPLIED if applied else Membership.State.ACTIVE,
                        joined_on=None if applied else context.anchor - dt.timedelta(days=400),
                        requested_at=timezone.now() if applied else None,
                    )
                )
            if not (s["applied"] and len(s["teams"]) == 1):
                records.extend(_records(s, vid, context.anchor, getattr(actor, "pk", None)))
        Membership.objects.bulk_create(memberships, batch_size=1000)
        inserter = RowInserter(ServiceRecord)
        for start in range(0, len(records), 5000):
            inserter.insert(records[start : start + 5000])
        changes_record(
            model=Volunteer,
            entries=[(pk, ChangeRecord.Action.CREATE, {}) for pk in ids.values()],
            source=source,
        )
        _leaders_ensure(teams)
        _logins_link(context, teams)
    return DemoPart("志愿者", len(new), len(have))


def _leaders_ensure(teams: list[Team]) -> None:
    """The first active member of each team without a leader leads it."""
    for team in teams:
        if team.leader_id:
            continue
        first = (
            Membership.objects.filter(team=team, state=Membership.State.ACTIVE)
            .order_by("volunteer_id")
            .first()
        )
        if first is not None:
            Membership.objects.filter(pk=first.pk).update(role=Membership.TeamRole.LEADER)
            Team.objects.filter(pk=team.pk).update(leader_id=first.volunteer_id)


def _logins_link(context: DemoContext, teams: list[Team]) -> None:
    """Each demo ``volunteer`` login gets a profile in a team of its organisation or school
    (its own records show on 我的关爱时间)."""
    for account in context.accounts:
        if account.role != Role.VOLUNTEER:
            continue
        user = User.objects.get(username=account.username)
        if Volunteer.objects.filter(user=user).exists():
            continue
        team = next(
            (
                t
                for t in teams
                if (user.organization_id and t.organization_id == user.organization_id)
                or (user.school_id and t.school_id == user.school_id)
            ),
            None,
        )
        if team is None:
            continue
        profile = (
            Volunteer.objects.filter(memberships__team=team, user__isnull=True)
            .order_by("pk")
            .last()
        )
        if profile is not None:
            Volunteer.objects.filter(pk=profile.pk).update(user=user, name=account.full_name)
