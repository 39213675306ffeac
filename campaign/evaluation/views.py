"""Evaluation pages: the dashboards (city, district) with their .xlsx exports, the ranking
with drill-down, the on-demand roll-up with progress, each district's evaluation sheet with
自评 and 审定 side by side (and its printable .xlsx). Thin: selectors and services do the work."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.views.decorators.http import require_GET, require_POST

from huzhou_care.accounts.decorators import role_required
from huzhou_care.accounts.models import Role
from huzhou_care.audit.models import AccessLog
from huzhou_care.audit.services import access_log_record
from huzhou_care.orgs.models import OrgUnit
from huzhou_care.spreadsheets import XLSX_CONTENT_TYPE, StreamingSheet

from . import dashboards, services
from .models import Assessment, Indicator, RollupJob, Snapshot

CITY_ROLES = frozenset({Role.CITY_ADMIN, Role.CITY_OFFICER})
DISTRICT_ROLES = CITY_ROLES | {Role.DISTRICT_STAFF}
ADMIN_ROLES = frozenset({Role.CITY_ADMIN})


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _district_for(request, pk=None) -> OrgUnit:
    """A district user: their own county (another one is 404); the city: the one asked for."""
    user = request.user
    if user.role == Role.DISTRICT_STAFF:
        if pk is not None and pk != user.district_id:
            raise Http404
        return user.district
    if pk is None:
        first = OrgUnit.objects.filter(level=OrgUnit.Level.COUNTY).order_by("code").first()
        if first is None:
            raise Http404
        return first
    return get_object_or_404(OrgUnit, pk=pk, level=OrgUnit.Level.COUNTY)


def _xlsx(chart, filename):
    sheet = StreamingSheet(chart.title[:31].replace("/", "-"))
    sheet.title_row(chart.title)
    sheet.header(chart.headers, [16] + [12] * (len(chart.headers) - 1))
    for row in chart.rows:
        sheet.append(["<5" if v is None else v for v in row])
    if chart.note:
        sheet.append([chart.note])
    return FileResponse(
        sheet.to_file(), as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE
    )


@require_GET
@role_required(CITY_ROLES)
def city_dashboard(request):
    board = dashboards.cached(request.user)
    return render(request, "campaign/evaluation/dashboard.html", {"board": board})


@require_GET
@role_required(DISTRICT_ROLES)
def district_dashboard(request):
    district = _district_for(request, _int(request.GET.get("district")))
    board = dashboards.cached(request.user, district=district)
    return render(
        request,
        "campaign/evaluation/dashboard.html",
        {
            "board": board,
            "district": district,
            "districts": OrgUnit.objects.filter(level="county")
            if request.user.sees_whole_city
            else [],
        },
    )


@require_POST
@role_required(ADMIN_ROLES)
def dashboard_refresh(request):
    """city_admin's "立即刷新": the dashboards' pre-aggregated figures taken again (a task;
    counts.py)."""
    from .counts import queue_refresh

    queue_refresh(force=True)
    messages.success(request, "已开始刷新看板数据，完成后重新打开看板即可看到最新数字。")
    pk = _int(request.POST.get("district"))
    if pk is not None:
        district = _district_for(request, pk)
        return redirect(reverse("campaign:dashboard_district") + f"?district={district.pk}")
    return redirect("campaign:dashboard")


@require_GET
@role_required(DISTRICT_ROLES)
def dashboard_export(request, key):
    pk = _int(request.GET.get("district"))
    if request.user.role == Role.DISTRICT_STAFF or pk is not None:
        district = _district_for(request, pk)
    else:
        district = None
    board = dashboards.cached(request.user, district=district)
    chart = board.chart(key)
    if chart is None:
        raise Http404
    access_log_record(
        request=request,
        action=AccessLog.Action.EXPORT,
        object_type=f"campaign.dashboard.{key}",
        row_count=len(chart.rows),
    )
    name = district.name if district else "全市"
    return _xlsx(chart, f"{name}-{chart.title}.xlsx")


def _ranking(request):
    """The snapshot, place and ranking a request asks for (``?snapshot=&county=&township=``):
    a district user always gets their own county, and a township outside the county is 404."""
    user = request.user
    snap_id = _int(request.GET.get("snapshot"))
    snap = get_object_or_404(Snapshot, pk=snap_id) if snap_id else dashboards.latest_snapshot()
    county_id = _int(request.GET.get("county"))
    township_id = _int(request.GET.get("township"))
    if user.role == Role.DISTRICT_STAFF:
        county_id = user.district_id
        if county_id is None:
            raise Http404
    district = OrgUnit.objects.filter(pk=county_id, level="county").first() if county_id else None
    township = None
    if township_id is not None and district is not None:
        township = OrgUnit.objects.filter(
            pk=township_id, parent=district, level=OrgUnit.Level.TOWNSHIP
        ).first()
        if township is None:
            raise Http404
    rk = None
    if snap is not None:
        rk = dashboards.ranking(
            snap, district=district, township_id=township.pk if township else None
        )
        if township is not None:
            rk["title"] = f"{township.name}{rk['title']}"
    return snap, district, township, rk


@require_GET
@role_required(DISTRICT_ROLES)
def evaluation(request):
    """Snapshots, the ranking with drill-down (city: districts -> townships -> schools;
    a district: its townships -> schools) and its .xlsx, and city_admin's on-demand run."""
    user = request.user
    snapshots = Snapshot.objects.defer("inputs", "results").order_by("-year", "-as_of")[:20]
    snap, district, township, rk = _ranking(request)
    jobs = RollupJob.objects.order_by("-requested_at")[:5] if user.is_city_admin else []
    return render(
        request,
        "campaign/evaluation/evaluation.html",
        {
            "snapshots": snapshots,
            "snap": snap,
            "ranking": rk,
            "district": district,
            "township": township,
            "township_id": township.pk if township else None,
            "jobs": jobs,
            "today": timezone.localdate(),
            "yesterday": timezone.localdate() - dt.timedelta(days=1),
        },
    )


@require_GET
@role_required(DISTRICT_ROLES)
def evaluation_export(request):
    """The ranking shown on the evaluation page, as .xlsx: the same level and scope (the
    districts, a district's townships, a township's schools), with each indicator's score."""
    snap, district, township, rk = _ranking(request)
    place = township.name if township else district.name if district else "全市"
    if snap is None:
        sheet = StreamingSheet("考评排名")
        sheet.title_row(f"{place}考评排名")
        sheet.append(["尚无考评快照：12 月 1 日至 20 日每晚自动计算，团市委也可随时计算。"])
        rows = []
        filename = f"{place}-考评排名.xlsx"
    else:
        table = snap.inputs["table"]
        inds = [
            i
            for g in table["groups"]
            for i in g["indicators"]
            if rk["child_level"] == "county" or i["kind"] == "quantitative"
        ]
        sheet = StreamingSheet(rk["title"][:31].replace("/", "-"))
        sheet.title_row(
            f"{rk['title']}（快照截至 {snap.as_of:%Y-%m-%d}，指标表第 {table['version']} 版）"
        )
        last = ["等次"] if rk["child_level"] == "county" else ["定量得分率(%)"]
        sheet.header(
            [
                "名次",
                rk["level"],
                rk["score_label"],
                *last,
                *[f"{i['name']}（得分）" for i in inds],
            ],
            [8, 24, 10, 12] + [14] * len(inds),
        )
        rows = rk["rows"]
        for n, r in enumerate(rows, start=1):
            cells = r.get("indicators", {})
            sheet.append(
                [
                    n,
                    r["name"],
                    r["score"],
                    r.get("grade", "") if rk["child_level"] == "county" else r.get("rate"),
                    *[(cells.get(i["code"]) or {}).get("score") for i in inds],
                ]
            )
        if not rows:
            sheet.append(["该层级暂无数据。"])
        filename = f"{place}-{rk['title']}-{snap.as_of:%Y%m%d}.xlsx"
    access_log_record(
        request=request,
        action=AccessLog.Action.EXPORT,
        object_type="campaign.evaluation_ranking",
        object_ids=[township.pk if township else district.pk] if district else [],
        row_count=len(rows),
    )
    return FileResponse(
        sheet.to_file(), as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE
    )


@require_POST
@role_required(ADMIN_ROLES)
def evaluation_run(request):
    as_of = parse_date(request.POST.get("as_of") or "") if request.POST.get("as_of") else None
    if as_of is None:
        messages.error(request, "请填写截至日期（YYYY-MM-DD）。")
        return redirect("campaign:evaluation")
    try:
        job = services.request_rollup(year=as_of.year, as_of=as_of, actor=request.user)
    except services.EvaluationError as exc:
        messages.error(request, str(exc))
        return redirect("campaign:evaluation")
    messages.success(request, f"已开始计算截至 {as_of:%Y-%m-%d} 的考评快照。")
    return redirect(reverse("campaign:evaluation") + f"?job={job.pk}")


@require_GET
@role_required(ADMIN_ROLES)
def evaluation_job(request, pk):
    job = get_object_or_404(RollupJob, pk=pk)
    return render(request, "campaign/evaluation/_job.html", {"job": job})


def _sheet_rows(district, year, snap):
    table = snap.table if snap else services.table_for(year)
    cells = {}
    if snap:
        d = next((d for d in snap.results["districts"] if d["id"] == district.pk), None)
        cells = d["indicators"] if d else {}
    entries = list(
        Assessment.objects.filter(year=year, district=district)
        .select_related("by")
        .order_by("at", "pk")
    )
    current = {}
    for e in entries:
        current[(e.indicator_code, e.side)] = e
    rows = []
    for group in table.groups.prefetch_related("indicators").order_by("order"):
        for ind in group.indicators.all():
            rows.append(
                {
                    "group": group,
                    "ind": ind,
                    "cell": cells.get(ind.code),
                    "self": current.get((ind.code, "self")),
                    "city": current.get((ind.code, "city")),
                }
            )
    return table, rows, entries


@require_GET
@role_required(DISTRICT_ROLES)
def evaluation_district(request, pk):
    district = _district_for(request, pk)
    snap = dashboards.latest_snapshot()
    year = snap.year if snap else timezone.localdate().year
    table, rows, entries = _sheet_rows(district, year, snap)
    d = (
        next((d for d in snap.results["districts"] if d["id"] == district.pk), None)
        if snap
        else None
    )
    return render(
        request,
        "campaign/evaluation/district.html",
        {
            "district": district,
            "snap": snap,
            "table": table,
            "rows": rows,
            "entries": entries[::-1],
            "total": d,
            "year": year,
            "grades": Assessment.Grade.choices,
            "can_self": request.user.role == Role.DISTRICT_STAFF,
            "can_city": request.user.is_city_admin,
        },
    )


@require_POST
@role_required(frozenset({Role.CITY_ADMIN, Role.DISTRICT_STAFF}))
def evaluation_assess(request, pk):
    district = _district_for(request, pk)
    year = _int(request.POST.get("year")) or timezone.localdate().year
    table = services.table_for(year)
    indicator = Indicator.objects.filter(
        group__table=table, code=request.POST.get("indicator", "")
    ).first()
    if indicator is None:
        messages.error(request, "请选择要填写的指标。")
        return redirect("campaign:evaluation_district", pk=district.pk)
    side = "city" if request.user.is_city_admin else "self"
    points = None
    if request.POST.get("points"):
        try:
            points = Decimal(request.POST["points"])
        except InvalidOperation:
            messages.error(request, "分数须为数字。")
            return redirect("campaign:evaluation_district", pk=district.pk)
    try:
        services.assess(
            actor=request.user,
            year=year,
            district=district,
            indicator=indicator,
            side=side,
            grade=request.POST.get("grade", ""),
            points=points,
            evidence=request.POST.get("evidence", ""),
            reason=request.POST.get("reason", ""),
        )
    except services.EvaluationError as exc:
        messages.error(request, f"“{indicator.name}”：{exc}")
    else:
        messages.success(
            request, f"已保存“{indicator.name}”的{'审定' if side == 'city' else '自评'}。"
        )
    return redirect("campaign:evaluation_district", pk=district.pk)


@require_GET
@role_required(DISTRICT_ROLES)
def evaluation_sheet(request, pk):
    district = _district_for(request, pk)
    snap = dashboards.latest_snapshot()
    year = snap.year if snap else timezone.localdate().year
    table, rows, _entries = _sheet_rows(district, year, snap)
    sheet = StreamingSheet("考评表")
    as_of = f"截至 {snap.as_of:%Y-%m-%d}" if snap else "尚无考评快照"
    sheet.title_row(f"{year} 年“我们在一起”关爱行动考评表 · {district.name}（{as_of}）")
    sheet.header(
        [
            "一级指标",
            "二级指标",
            "类型",
            "分值",
            "目标值",
            "起评值",
            "计算值",
            "系统得分",
            "自评",
            "自评说明",
            "审定",
            "审定理由",
        ],
        [14, 28, 8, 8, 8, 8, 10, 10, 10, 30, 10, 24],
    )
    for r in rows:
        ind, cell, s, c = r["ind"], r["cell"] or {}, r["self"], r["city"]
        sheet.append(
            [
                r["group"].name,
                ind.name,
                ind.get_kind_display(),
                float(ind.weight) or ind.cap,
                ind.target,
                ind.floor,
                cell.get("value"),
                cell.get("score"),
                (s.grade or s.points) if s else "",
                s.evidence if s else "",
                (c.grade or c.points) if c else "",
                c.reason if c else "",
            ]
        )
    if snap:
        d = next((d for d in snap.results["districts"] if d["id"] == district.pk), None)
        if d:
            sheet.append([])
            sheet.append(["总分", d["score"], "等次", d["grade"], "名次", d["rank"]])
    sheet.append([])
    sheet.append(["区县团委（盖章）：", "", "", "", "团市委审定（盖章）：", "", "", "", "日期："])
    access_log_record(
        request=request,
        action=AccessLog.Action.EXPORT,
        object_type="campaign.evaluation_sheet",
        object_ids=[district.pk],
        row_count=len(rows),
    )
    return FileResponse(
        sheet.to_file(),
        as_attachment=True,
        filename=f"{year}年考评表-{district.name}.xlsx",
        content_type=XLSX_CONTENT_TYPE,
    )
