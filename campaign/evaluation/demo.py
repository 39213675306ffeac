"""Demo data of the evaluation (the last line of ``campaign.demo.BUILDERS``: it counts what
the other builders wrote): the default indicator table of the campaign year (the anchor's
year), each district's 自评 of the qualitative indicators with its evidence (some revised, with
the reason), the city's 审定 beside it (with the reason), a bonus for one district, then the
roll-up as of the anchor day, so the dashboards show a ranking.

Written through the services (every entry kept with who and why). Deterministic per seed;
a second run finds the year's entries and the snapshot and adds nothing."""

from __future__ import annotations

import random

from huzhou_care.accounts.models import Role, User
from huzhou_care.demo.services import DemoContext, DemoPart

from . import services
from .models import Assessment, Indicator, Snapshot

LABEL = "考评快照"
GRADES = ["A", "B", "C"]
EVIDENCE = {
    "mechanism": "联席会议制度、工作例会纪要、年度工作方案（演示材料）",
    "publicity": "宣传报道清单及链接、特色项目简介（演示材料）",
}
CITY_REASONS = {
    0: "佐证材料齐全，同意自评等次",
    1: "部分佐证材料不全，审定下调一档",
}
LOWER = {"A": "B", "B": "C", "C": "C#", "C#": "C#"}


def build(context: DemoContext) -> DemoPart:
    year, as_of = context.anchor.year, context.anchor
    existing = Snapshot.objects.filter(year=year, as_of=as_of).first()
    if existing is not None:
        return DemoPart(LABEL, 0, 1)
    admin = User.objects.filter(role=Role.CITY_ADMIN, is_active=True).order_by("pk").first()
    if admin is None:
        return DemoPart(LABEL, 0, 0)
    table = services.load_default_table(year, actor=admin)
    entries = 0
    if not Assessment.objects.filter(year=year).exists():
        entries = _assessments(context, year, table, admin)
    snapshot, created = services.rollup(year, as_of)
    context.say(
        f"考评：{year} 年指标表第 {table.version} 版，自评与审定 {entries} 条，"
        f"快照截至 {snapshot.as_of:%Y-%m-%d}。"
    )
    return DemoPart(LABEL, int(created), int(not created))


def _assessments(context: DemoContext, year: int, table, admin) -> int:
    rng = random.Random(f"evaluation:{context.seed}")
    qualitative = list(
        Indicator.objects.filter(group__table=table, kind=Indicator.Kind.QUALITATIVE).order_by(
            "group__order", "order", "pk"
        )
    )
    bonus = Indicator.objects.filter(group__table=table, kind=Indicator.Kind.BONUS).first()
    counties = sorted(context.counties.values(), key=lambda c: c.code)
    awarded = rng.choice(counties) if counties else None
    count = 0
    for county in counties:
        staff = (
            User.objects.filter(role=Role.DISTRICT_STAFF, district=county, is_active=True)
            .order_by("pk")
            .first()
        )
        for indicator in qualitative:
            grade = rng.choice(GRADES)
            if staff is not None:
                services.assess(
                    actor=staff,
                    year=year,
                    district=county,
                    indicator=indicator,
                    side=Assessment.Side.SELF,
                    grade=grade,
                    evidence=EVIDENCE.get(indicator.code, "佐证材料（演示）"),
                    reason="首次自评",
                )
                count += 1
                if grade != "A" and rng.random() < 0.5:
                    grade = "A" if grade == "B" else "B"
                    services.assess(
                        actor=staff,
                        year=year,
                        district=county,
                        indicator=indicator,
                        side=Assessment.Side.SELF,
                        grade=grade,
                        evidence=EVIDENCE.get(indicator.code, "佐证材料（演示）") + "；补充材料",
                        reason="补充佐证材料后调整自评等次",
                    )
                    count += 1
            lowered = rng.random() < 0.4
            services.assess(
                actor=admin,
                year=year,
                district=county,
                indicator=indicator,
                side=Assessment.Side.CITY,
                grade=LOWER[grade] if lowered else grade,
                reason=CITY_REASONS[int(lowered)],
            )
            count += 1
        if bonus is not None and county == awarded:
            services.assess(
                actor=admin,
                year=year,
                district=county,
                indicator=bonus,
                side=Assessment.Side.CITY,
                points=min(bonus.cap, 3),
                reason="留守儿童关爱经验获省级简报刊发",
            )
            count += 1
    return count
