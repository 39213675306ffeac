"""Evaluation services: the default indicator table, new versions, the roll-up into one
immutable snapshot per (year, as-of date), and the 自评 / 审定 entries."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from huzhou_care.accounts.models import Role
from huzhou_care.orgs.models import OrgUnit, School
from huzhou_care.text import clean_text

from . import measures
from .models import Assessment, Indicator, IndicatorGroup, IndicatorTable, RollupJob, Snapshot

log = logging.getLogger(__name__)

DEFAULT_TABLE = Path(__file__).resolve().parent.parent / "data" / "indicators_default.json"
GRADE_FACTORS = {
    "A": Decimal("1.00"),
    "B": Decimal("0.66"),
    "C": Decimal("0.33"),
    "C#": Decimal("0"),
}
CENT = Decimal("0.01")


class EvaluationError(Exception):
    """A clear Chinese message for the user."""


def q2(value) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


# --- the indicator table ----------------------------------------------------------------------


@transaction.atomic
def load_default_table(year: int, *, actor=None, publish: bool = True) -> IndicatorTable:
    """The default table for a year (version 1), unless the year has one already. Indicators
    listed under ``later`` join once their measure is registered (how issue 10's activities
    and wishes waited; both are in the groups now)."""
    existing = IndicatorTable.objects.filter(year=year).order_by("-version").first()
    if existing:
        return existing
    spec = json.loads(DEFAULT_TABLE.read_text(encoding="utf-8"))
    th = spec["thresholds"]
    table = IndicatorTable.objects.create(
        year=year,
        version=1,
        title=spec["title"],
        excellent_from=th["excellent"],
        good_from=th["good"],
        pass_from=th["pass"],
        created_by=actor,
        note="默认指标表",
    )
    groups = {}
    for g_order, g in enumerate(spec["groups"]):
        group = IndicatorGroup.objects.create(
            table=table, code=g["code"], name=g["name"], weight=g["weight"], order=g_order
        )
        groups[g["code"]] = group
        for i_order, ind in enumerate(g["indicators"]):
            _create_indicator(group, ind, i_order)
    for i_order, ind in enumerate(spec.get("later", [])):
        if measures.is_registered(ind["measure"]):
            _create_indicator(groups[ind["group"]], ind, 100 + i_order)
    if publish:
        table = publish_table(table)
    return table


def _create_indicator(group, ind: dict, order: int) -> Indicator:
    return Indicator.objects.create(
        group=group,
        code=ind["code"],
        name=ind["name"],
        kind=ind["kind"],
        weight=ind.get("weight", 0),
        measure=ind.get("measure", ""),
        target=ind.get("target"),
        floor=ind.get("floor"),
        cap=ind.get("cap"),
        description=ind.get("description", ""),
        order=order,
    )


def validate_table(table: IndicatorTable) -> list[str]:
    problems = []
    codes = set()
    for group in table.groups.prefetch_related("indicators"):
        inds = list(group.indicators.all())
        scored = sum(
            (
                i.weight
                for i in inds
                if i.kind in (Indicator.Kind.QUANTITATIVE, Indicator.Kind.QUALITATIVE)
            ),
            Decimal(0),
        )
        if scored != group.weight:
            problems.append(
                f"一级指标“{group.name}”分值 {group.weight}，其二级指标分值合计 {scored}，请调整一致。"
            )
        for i in inds:
            if i.code in codes:
                problems.append(f"指标代码“{i.code}”重复。")
            codes.add(i.code)
            if i.kind == Indicator.Kind.QUANTITATIVE and not measures.is_registered(i.measure):
                problems.append(f"指标“{i.name}”的计算口径“{i.measure}”不存在。")
    return problems


@transaction.atomic
def publish_table(table: IndicatorTable) -> IndicatorTable:
    table = IndicatorTable.objects.select_for_update().get(pk=table.pk)
    if table.published:
        return table
    problems = validate_table(table)
    if problems:
        raise EvaluationError("；".join(problems))
    table.published = True
    table.published_at = timezone.now()
    table.save(update_fields=["published", "published_at"])
    return table


@transaction.atomic
def new_version(table: IndicatorTable, *, actor, note: str) -> IndicatorTable:
    """A draft copy of a table as the next version of its year (published versions stay as
    they were: snapshots name them)."""
    top = IndicatorTable.objects.filter(year=table.year).aggregate(v=Max("version"))["v"] or 0
    copy = IndicatorTable.objects.create(
        year=table.year,
        version=top + 1,
        title=table.title,
        excellent_from=table.excellent_from,
        good_from=table.good_from,
        pass_from=table.pass_from,
        created_by=actor,
        note=clean_text(note)[:300],
    )
    for group in table.groups.prefetch_related("indicators"):
        inds = list(group.indicators.all())
        group.pk = None
        group.table = copy
        group.save()
        for ind in inds:
            ind.pk = None
            ind.group = group
            ind.save()
    return copy


def table_for(year: int) -> IndicatorTable:
    table = IndicatorTable.objects.filter(year=year, published=True).order_by("-version").first()
    return table or load_default_table(year)


def table_spec(table: IndicatorTable) -> dict:
    """The table as stored in a snapshot (so the snapshot explains itself)."""
    groups = []
    for group in table.groups.prefetch_related("indicators").order_by("order", "pk"):
        groups.append(
            {
                "code": group.code,
                "name": group.name,
                "weight": str(group.weight),
                "indicators": [
                    {
                        "code": i.code,
                        "name": i.name,
                        "kind": i.kind,
                        "weight": str(i.weight),
                        "measure": i.measure,
                        "target": None if i.target is None else str(i.target),
                        "floor": None if i.floor is None else str(i.floor),
                        "cap": None if i.cap is None else str(i.cap),
                    }
                    for i in group.indicators.all()
                ],
            }
        )
    return {
        "id": table.pk,
        "year": table.year,
        "version": table.version,
        "title": table.title,
        "thresholds": {
            "excellent": str(table.excellent_from),
            "good": str(table.good_from),
            "pass": str(table.pass_from),
        },
        "groups": groups,
    }


# --- scoring ----------------------------------------------------------------------------------


def quantitative_score(weight, value, floor, target) -> Decimal:
    """weight x clamp((value - floor) / (target - floor), 0, 1); no value scores 0."""
    if value is None:
        return Decimal(0)
    ratio = (Decimal(value) - Decimal(floor)) / (Decimal(target) - Decimal(floor))
    return q2(Decimal(weight) * min(max(ratio, Decimal(0)), Decimal(1)))


def measured_value(num, den, scale) -> Decimal | None:
    if not den:
        return None
    return q2(Decimal(num) * scale / Decimal(den))


def grade_for(score: Decimal, thresholds: dict) -> str:
    if score >= Decimal(thresholds["excellent"]):
        return "优秀"
    if score >= Decimal(thresholds["good"]):
        return "良好"
    if score >= Decimal(thresholds["pass"]):
        return "合格"
    return "不合格"


def city_entries_as_of(year: int, bound: dt.datetime) -> dict:
    """The city's latest 审定 per (district, indicator) recorded before ``bound`` (one
    query, latest wins)."""
    latest: dict = {}
    for e in (
        Assessment.objects.filter(year=year, side=Assessment.Side.CITY, at__lt=bound)
        .order_by("at", "pk")
        .values("pk", "district_id", "indicator_code", "grade", "points")
    ):
        latest[(e["district_id"], e["indicator_code"])] = e
    return latest


def _f(value):
    return None if value is None else float(value)


def compute(year: int, as_of: dt.date, table: IndicatorTable, progress=None) -> tuple[dict, dict]:
    """Inputs and results of a roll-up. One grouped query per measure (whatever the number
    of units), then sums in memory."""
    ctx = measures.Context(year=year, as_of=as_of)
    spec = table_spec(table)
    indicators = [i for g in spec["groups"] for i in g["indicators"]]
    quantitative = [i for i in indicators if i["kind"] == Indicator.Kind.QUANTITATIVE]
    grouped: dict[str, dict] = {}
    codes = sorted({i["measure"] for i in quantitative})
    for n, code in enumerate(codes, start=1):
        grouped[code] = measures.get(code).compute(ctx)
        if progress:
            progress(int(80 * n / max(len(codes), 1)), f"已计算“{measures.get(code).label}”")
    city = city_entries_as_of(year, ctx.bound)

    # Sums to the three levels.
    levels = {"county": 0, "township": 1, "school": 2}
    sums: dict = {
        lvl: defaultdict(lambda: defaultdict(lambda: [Decimal(0), Decimal(0)])) for lvl in levels
    }
    for code, rows in grouped.items():
        for key, (num, den) in rows.items():
            for lvl, pos in levels.items():
                unit = key[pos]
                if unit is None:
                    continue
                cell = sums[lvl][unit][code]
                cell[0] += Decimal(num)
                cell[1] += Decimal(den)

    counties = dict(OrgUnit.objects.filter(level=OrgUnit.Level.COUNTY).values_list("pk", "name"))
    town_ids = set(sums["township"])
    towns = {
        pk: (name, parent)
        for pk, name, parent in OrgUnit.objects.filter(pk__in=town_ids).values_list(
            "pk", "name", "parent_id"
        )
    }
    schools = {
        pk: (name, county, town)
        for pk, name, county, town in School.objects.filter(pk__in=set(sums["school"])).values_list(
            "pk", "name", "county_id", "township_id"
        )
    }

    def quantitative_cells(unit_sums) -> tuple[dict, Decimal, Decimal]:
        cells, total, weight = {}, Decimal(0), Decimal(0)
        for i in quantitative:
            m = measures.get(i["measure"])
            num, den = unit_sums.get(i["measure"], (Decimal(0), Decimal(0)))
            value = measured_value(num, den, m.scale)
            score = quantitative_score(i["weight"], value, i["floor"], i["target"])
            cells[i["code"]] = {
                "value": _f(value),
                "score": _f(score),
                "num": _f(num),
                "den": _f(den),
            }
            total += score
            weight += Decimal(i["weight"])
        return cells, total, weight

    districts = []
    for county_id, name in sorted(counties.items(), key=lambda kv: kv[1]):
        cells, total, _w = quantitative_cells(sums["county"].get(county_id, {}))
        for i in indicators:
            if i["kind"] == Indicator.Kind.QUANTITATIVE:
                continue
            entry = city.get((county_id, i["code"]))
            if i["kind"] == Indicator.Kind.QUALITATIVE:
                grade = entry["grade"] if entry and entry["grade"] else None
                score = q2(Decimal(i["weight"]) * GRADE_FACTORS[grade]) if grade else Decimal(0)
                cells[i["code"]] = {"value": grade, "score": _f(score)}
                total += score
            else:
                points = (
                    Decimal(entry["points"])
                    if entry and entry["points"] is not None
                    else Decimal(0)
                )
                points = q2(min(max(points, Decimal(0)), Decimal(i["cap"])))
                score = points if i["kind"] == Indicator.Kind.BONUS else -points
                cells[i["code"]] = {"value": _f(points), "score": _f(score)}
                total += score
        total = q2(total)
        districts.append(
            {
                "id": county_id,
                "name": name,
                "score": _f(total),
                "grade": grade_for(total, spec["thresholds"]),
                "indicators": cells,
            }
        )
    districts.sort(key=lambda d: (-d["score"], d["name"]))
    for rank, d in enumerate(districts, start=1):
        d["rank"] = rank

    def sub_rows(level, names):
        rows = []
        for unit_id, unit_sums in sums[level].items():
            if unit_id not in names:
                continue
            cells, total, weight = quantitative_cells(unit_sums)
            info = names[unit_id]
            rows.append(
                {
                    "id": unit_id,
                    "name": info[0],
                    "county_id": info[1] if level == "township" else info[1],
                    "township_id": info[2] if level == "school" else None,
                    "score": _f(q2(total)),
                    "rate": _f(q2(100 * total / weight)) if weight else None,
                    "indicators": cells,
                }
            )
        rows.sort(key=lambda r: (-(r["score"] or 0), r["name"]))
        return rows

    results = {
        "districts": districts,
        "townships": sub_rows("township", towns),
        "schools": sub_rows("school", schools),
    }
    inputs = {
        "year": year,
        "as_of": as_of.isoformat(),
        "table": spec,
        "measures": {
            code: sorted([[*key, _f(num), _f(den)] for key, (num, den) in rows.items()], key=str)
            for code, rows in grouped.items()
        },
        "city": sorted(
            [[k[0], k[1], e["pk"], e["grade"], _f(e["points"])] for k, e in city.items()], key=str
        ),
    }
    return inputs, results


def checksum(inputs: dict) -> str:
    return hashlib.sha256(
        json.dumps(inputs, sort_keys=True, ensure_ascii=False).encode()
    ).hexdigest()


def rollup(year: int, as_of: dt.date, *, progress=None) -> tuple[Snapshot, bool]:
    """The one snapshot of (year, as_of): computed and stored if it is not there yet.
    Reads only until the final insert, so a process killed midway leaves nothing behind;
    two concurrent runs both compute, the unique constraint keeps the first."""
    if as_of > timezone.localdate():
        raise EvaluationError("截至日期不能晚于今天：未来的数据尚未录入，快照将无法复现。")
    existing = Snapshot.objects.filter(year=year, as_of=as_of).first()
    if existing:
        return existing, False
    table = table_for(year)
    inputs, results = compute(year, as_of, table, progress=progress)
    try:
        with transaction.atomic():
            snapshot = Snapshot.objects.create(
                year=year,
                as_of=as_of,
                table=table,
                inputs=inputs,
                results=results,
                checksum=checksum(inputs),
            )
    except IntegrityError:
        return Snapshot.objects.get(year=year, as_of=as_of), False
    log.info("evaluation snapshot %s: year %s as of %s", snapshot.pk, year, as_of)
    return snapshot, True


def rollup_json(snapshot: Snapshot, created: bool) -> dict:
    """The command's --json shape (issue 12)."""
    return {
        "snapshot": snapshot.pk,
        "created": created,
        "districts": [
            {
                "district": d["name"],
                "score": d["score"],
                "grade": d["grade"],
                "indicators": {
                    code: {"value": cell["value"], "score": cell["score"]}
                    for code, cell in d["indicators"].items()
                },
            }
            for d in snapshot.results["districts"]
        ],
    }


def request_rollup(*, year: int, as_of: dt.date, actor) -> RollupJob:
    """city_admin's on-demand run: a job row (progress) and the task, queued after commit."""
    from .tasks import evaluation_rollup

    if not actor.is_city_admin:
        raise PermissionError
    if as_of > timezone.localdate():
        raise EvaluationError("截至日期不能晚于今天。")
    job = RollupJob.objects.create(year=year, as_of=as_of, requested_by=actor)
    transaction.on_commit(lambda: evaluation_rollup.delay(job.pk))
    return job


def nightly_job(as_of: dt.date) -> RollupJob:
    return RollupJob.objects.create(year=as_of.year, as_of=as_of)


def run_job(job_id: int) -> tuple[Snapshot, bool]:
    job = RollupJob.objects.get(pk=job_id)
    year, as_of = job.year, job.as_of

    def progress(pct, message):
        RollupJob.objects.filter(pk=job_id).update(
            status=RollupJob.Status.RUNNING, progress=pct, message=message[:300]
        )

    progress(1, "开始计算")
    try:
        snapshot, created = rollup(year, as_of, progress=progress)
    except EvaluationError as exc:
        RollupJob.objects.filter(pk=job_id).update(
            status=RollupJob.Status.FAILED, message=str(exc)[:300]
        )
        raise
    RollupJob.objects.filter(pk=job_id).update(
        status=RollupJob.Status.DONE,
        progress=100,
        snapshot=snapshot,
        message="已生成新快照" if created else "该日期的快照已存在，未重复生成",
    )
    return snapshot, created


# --- self-assessment and 审定 -----------------------------------------------------------------


def assess(
    *,
    actor,
    year: int,
    district: OrgUnit,
    indicator: Indicator,
    side: str,
    grade: str = "",
    points=None,
    evidence: str = "",
    reason: str = "",
) -> Assessment:
    """One 自评 (the district's staff) or 审定 (city_admin) entry. Entries are never changed:
    a change is a new entry, which must say why."""
    if side == Assessment.Side.SELF:
        if actor.role != Role.DISTRICT_STAFF or actor.district_id != district.pk:
            raise PermissionError
    elif side == Assessment.Side.CITY:
        if not actor.is_city_admin:
            raise PermissionError
    else:
        raise EvaluationError("未知的类别。")
    grade = (grade or "").strip()
    if indicator.kind == Indicator.Kind.QUALITATIVE:
        if grade not in GRADE_FACTORS:
            raise EvaluationError("定性指标请选择等次 A、B、C 或 C#。")
        points = None
    elif indicator.kind in (Indicator.Kind.BONUS, Indicator.Kind.DEDUCTION):
        if points is None or Decimal(points) < 0 or Decimal(points) > indicator.cap:
            raise EvaluationError(f"分数应在 0 至 {indicator.cap} 之间。")
        grade = ""
    else:
        grade = ""
        if side == Assessment.Side.CITY:
            raise EvaluationError("定量指标以系统计算为准，无需审定。")
        if points is not None and (Decimal(points) < 0 or Decimal(points) > indicator.weight):
            raise EvaluationError(f"分数应在 0 至 {indicator.weight} 之间。")
    reason = clean_text(reason or "")[:300]
    with transaction.atomic():
        previous = Assessment.objects.filter(
            year=year, district=district, indicator_code=indicator.code, side=side
        ).exists()
        if previous and not reason:
            raise EvaluationError("修改已填写的内容时请填写修改理由。")
        return Assessment.objects.create(
            year=year,
            district=district,
            indicator_code=indicator.code,
            side=side,
            grade=grade,
            points=points,
            evidence=clean_text(evidence or "", multiline=True)[:5000],
            reason=reason,
            by=actor,
        )
