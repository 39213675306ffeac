"""Volunteer pages. Each view: scoped read or one service call; no role checks by hand."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from children.roster.reader import RosterFileError
from children.roster.sheets import error_sheet
from huzhou_care.accounts.decorators import role_required
from huzhou_care.accounts.scoping import get_visible_or_404
from huzhou_care.audit.models import AccessLog
from huzhou_care.audit.services import access_log_record
from huzhou_care.spreadsheets import XLSX_CONTENT_TYPE

from . import selectors, services
from .forms import BulkDecideForm, DecideForm, RecordEntryForm, RecordFilterForm, UploadForm
from .models import Membership, ServiceRecord, Team, VolunteerUpload, VolunteerUploadRow
from .navigation import (
    APPROVE_ROLES,
    LEAD_ROLES,
    MANAGE_ROLES,
    PROFILE_ROLES,
    TEAM_ROLES,
    VOLUNTEER_ROLES,
)

PAGE_SIZE = 50


def _teams():
    return Team.objects.select_related("organization", "school", "county")


def _page(request, queryset, size=PAGE_SIZE):
    return Paginator(queryset, size).get_page(request.GET.get("page"))


# --- Teams ------------------------------------------------------------------------------------


@require_GET
@role_required(TEAM_ROLES)
def team_list(request):
    q = request.GET.get("q", "").strip()[:50]
    teams = selectors.teams_for(request.user, q=q)
    return render(request, "volunteers/team_list.html", {"page": _page(request, teams), "q": q})


@require_GET
@role_required(LEAD_ROLES)
def team_detail(request, pk):
    team = get_object_or_404(selectors.teams_for(request.user), pk=pk)
    q = request.GET.get("q", "").strip()[:50]
    records = ServiceRecord.objects.filter(team=team)
    today = timezone.localdate()
    manages = request.user.role in MANAGE_ROLES
    approves = request.user.role in APPROVE_ROLES  # a leader's team is in scope only if led
    return render(
        request,
        "volunteers/team_detail.html",
        {
            "team": team,
            "q": q,
            "page": _page(request, selectors.team_members(team, q=q)),
            "chart": selectors.hours_by_month(records, today=today),
            "programmes": selectors.hours_by_programme(records),
            "totals": selectors.record_totals(records),
            "applications": (
                selectors.team_members(team, state=Membership.State.APPLIED) if approves else []
            ),
            "manages": manages,
            "approves": approves,
        },
    )


def _record_filters(data):
    form = RecordFilterForm(data)
    if not form.is_valid():
        return form, {}
    cleaned = form.cleaned_data
    return form, {"state": cleaned["state"], "month": cleaned["month"], "q": cleaned["q"]}


@require_GET
@role_required(APPROVE_ROLES)
def team_hours(request, pk):
    """The team's records, filtered; tick some or all and approve or decline in one POST."""
    team = get_visible_or_404(_teams(), request.user, pk=pk)
    data = request.GET.copy()
    data.setdefault("state", ServiceRecord.State.PENDING)
    form, filters = _record_filters(data)
    records = selectors.team_records(team, **filters)
    page = _page(request, records, 100)
    return render(
        request,
        "volunteers/team_hours.html",
        {
            "team": team,
            "form": form,
            "page": page,
            "filters": filters,
            "manages": request.user.role in MANAGE_ROLES,
            "query": urlencode({k: v for k, v in data.items() if k != "page"}),
        },
    )


@require_POST
@role_required(APPROVE_ROLES)
def team_hours_decide(request, pk):
    team = get_visible_or_404(_teams(), request.user, pk=pk)
    form = BulkDecideForm(request.POST)
    back = request.POST.get("query", "")
    target = f"{_team_hours_url(team)}?{back}" if back else _team_hours_url(team)
    if not form.is_valid():
        messages.error(request, "请选择“通过”或“不通过”。")
        return redirect(target)
    cleaned = form.cleaned_data
    if cleaned["all_matching"]:
        _form, filters = _record_filters(request.POST)
        filters["state"] = ServiceRecord.State.PENDING
        ids = list(selectors.team_records(team, **filters).values_list("pk", flat=True))
    else:
        ids = cleaned["ids"]
    approve = cleaned["decision"] == "approve"
    try:
        result = services.records_decide(
            actor=request.user,
            team=team,
            record_ids=ids,
            approve=approve,
            reason=cleaned["reason"],
        )
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        verb = "通过" if approve else "不通过"
        text = f"已审核 {result.changed} 条记录：{verb}。"
        if result.skipped:
            text += f"另有 {result.skipped} 条已被他人审核过，未改动。"
        messages.success(request, text)
    return redirect(target)


def _team_hours_url(team):
    return reverse("volunteers:team_hours", args=[team.pk])


@role_required(MANAGE_ROLES)
def record_new(request, pk):
    team = get_visible_or_404(_teams(), request.user, pk=pk)
    form = RecordEntryForm(request.POST or None, team=team)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            record = services.record_enter(
                actor=request.user,
                team=team,
                volunteer=data["volunteer"],
                service_date=data["service_date"],
                hours=data["hours"],
                activity_name=data["activity_name"],
                signed_in=data["signed_in"],
                signed_out=data["signed_out"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request, f"已登记 {record.volunteer} {record.service_date} 的服务时长，待审核。"
            )
            return redirect(_team_hours_url(team))
    return render(request, "volunteers/record_form.html", {"team": team, "form": form})


@require_POST
@role_required(APPROVE_ROLES)
def record_decide(request, pk):
    # Decided by those who manage or lead its team (a volunteer's own record is not theirs to decide).
    record = get_object_or_404(
        ServiceRecord.objects.select_related("team", "volunteer").filter(
            team__in=Team.objects.visible_to(request.user)
        ),
        pk=pk,
    )
    form = DecideForm(request.POST)
    if form.is_valid():
        try:
            services.record_decide(
                actor=request.user,
                record=record,
                approve=form.cleaned_data["decision"] == "approve",
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, f"已审核：{record.volunteer} {record.service_date}。")
    else:
        messages.error(request, "请选择“通过”或“不通过”。")
    return redirect(_team_hours_url(record.team))


# --- Memberships --------------------------------------------------------------------------------


@require_POST
@role_required(VOLUNTEER_ROLES)
def team_join(request, pk):
    team = get_object_or_404(selectors.teams_joinable(request.user), pk=pk)
    try:
        services.membership_request(user=request.user, team=team)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, f"已申请加入「{team.name}」，请等待队长或联络员审核。")
    return redirect("volunteers:me")


@require_POST
@role_required(APPROVE_ROLES)
def membership_decide(request, pk):
    membership = get_object_or_404(
        Membership.objects.select_related("team", "volunteer").filter(
            team__in=Team.objects.visible_to(request.user)
        ),
        pk=pk,
    )
    approve = request.POST.get("decision") == "approve"
    try:
        services.membership_decide(actor=request.user, membership=membership, approve=approve)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(
            request,
            f"已{'同意' if approve else '拒绝'} {membership.volunteer} 加入「{membership.team}」。",
        )
    return redirect("volunteers:team_detail", pk=membership.team_id)


# --- Volunteers ---------------------------------------------------------------------------------


@require_GET
@role_required(MANAGE_ROLES)
def volunteer_list(request):
    q = request.GET.get("q", "").strip()[:50]
    volunteers = selectors.volunteers_for(request.user, q=q)
    return render(
        request, "volunteers/volunteer_list.html", {"page": _page(request, volunteers), "q": q}
    )


@require_GET
@role_required(PROFILE_ROLES)
def volunteer_detail(request, pk):
    volunteer = get_visible_or_404(
        selectors.volunteers_for(request.user).select_related("user"), request.user, pk=pk
    )
    records = ServiceRecord.objects.filter(volunteer=volunteer)
    visible_records = (
        ServiceRecord.objects.visible_to(request.user)
        .filter(volunteer=volunteer)
        .select_related("team")
        .order_by("-service_date", "-pk")
    )
    access_log_record(
        request=request,
        action=AccessLog.Action.VIEW,
        object_type="volunteers.volunteer",
        object_ids=[volunteer.pk],
    )
    return render(
        request,
        "volunteers/volunteer_detail.html",
        {
            "volunteer": volunteer,
            "own": volunteer.user_id == request.user.pk,
            "memberships": Membership.objects.visible_to(request.user)
            .filter(volunteer=volunteer)
            .select_related("team"),
            "next_star": selectors.next_star(volunteer.total_hours),
            "chart": selectors.hours_by_month(records, today=timezone.localdate()),
            "programmes": selectors.hours_by_programme(records),
            "totals": selectors.record_totals(visible_records),
            "page": _page(request, visible_records),
        },
    )


@require_GET
@role_required(VOLUNTEER_ROLES)
def me(request):
    """A volunteer's own page: their profile and care time, and the teams they may join."""
    volunteer = (
        selectors.volunteers_for(request.user).filter(user=request.user).first()
        if request.user.pk
        else None
    )
    states = {}
    if volunteer is not None:
        states = dict(
            Membership.objects.filter(volunteer=volunteer).values_list("team_id", "state")
        )
    teams = [(team, states.get(team.pk)) for team in selectors.teams_joinable(request.user)[:50]]
    led = list(selectors.teams_for(request.user))  # the teams this volunteer leads, if any
    return render(
        request,
        "volunteers/me.html",
        {
            "volunteer": volunteer,
            "teams": teams,
            "led": led,
            "next_star": selectors.next_star(volunteer.total_hours) if volunteer else None,
        },
    )


# --- Uploads ----------------------------------------------------------------------------------


@role_required(MANAGE_ROLES)
def upload(request):
    form = UploadForm(
        request.POST or None,
        request.FILES or None,
        user=request.user,
        initial={"team": request.GET.get("team", "")[:12]},
    )
    if request.method == "POST" and form.is_valid():
        try:
            created = services.upload_create(
                team=form.cleaned_data["team"],
                kind=form.cleaned_data["kind"],
                actor=request.user,
                uploaded=form.cleaned_data["file"],
            )
        except RosterFileError as exc:
            form.add_error("file", exc.message)
        else:
            return redirect("volunteers:upload_detail", pk=created.pk)
    uploads = VolunteerUpload.objects.visible_to(request.user).select_related(
        "team", "uploaded_by"
    )[:20]
    return render(request, "volunteers/upload.html", {"form": form, "uploads": uploads})


def _upload_or_404(request, pk):
    return get_visible_or_404(
        VolunteerUpload.objects.select_related("team", "uploaded_by", "confirmed_by"),
        request.user,
        pk=pk,
    )


@require_GET
@role_required(MANAGE_ROLES)
def upload_detail(request, pk):
    upload = _upload_or_404(request, pk)
    outcome = request.GET.get("outcome") or ("rejected" if upload.rejected else "")
    rows = upload.preview_rows.all()
    if outcome in VolunteerUploadRow.Outcome.values:
        rows = rows.filter(outcome=outcome)
    return render(
        request,
        "volunteers/upload_detail.html",
        {
            "upload": upload,
            "page": _page(request, rows, 100),
            "outcome": outcome,
            "progress": services.upload_progress_get(upload),
            "outcomes": VolunteerUploadRow.Outcome.choices,
        },
    )


@require_GET
@role_required(MANAGE_ROLES)
def upload_progress(request, pk):
    upload = _upload_or_404(request, pk)
    response = render(
        request,
        "volunteers/_upload_progress.html",
        {"upload": upload, "progress": services.upload_progress_get(upload)},
    )
    if not upload.in_progress:
        response["HX-Refresh"] = "true"
    return response


@require_POST
@role_required(MANAGE_ROLES)
def upload_confirm(request, pk):
    upload = _upload_or_404(request, pk)
    if services.upload_confirm(upload=upload, actor=request.user):
        upload.refresh_from_db()
        if upload.status == VolunteerUpload.Status.DONE:
            messages.success(
                request,
                f"导入完成：新增 {upload.new} 条，更新 {upload.updated} 条，无变化 {upload.unchanged} 条。",
            )
        elif upload.status == VolunteerUpload.Status.PREVIEW:
            messages.error(request, upload.message)
        else:
            messages.info(request, "正在导入，请稍候。")
    else:
        messages.warning(request, "该文件已确认过或已取消，不能再次导入。")
    return redirect("volunteers:upload_detail", pk=upload.pk)


@require_POST
@role_required(MANAGE_ROLES)
def upload_cancel(request, pk):
    upload = _upload_or_404(request, pk)
    if services.upload_cancel(upload=upload):
        messages.info(request, "已取消本次上传，未作任何修改。")
    return redirect("volunteers:upload")


@require_GET
@role_required(MANAGE_ROLES)
def upload_errors(request, pk):
    """The rejected rows with the file's own headers and a reason column (the roster's)."""
    upload = _upload_or_404(request, pk)
    rows = list(upload.preview_rows.filter(outcome=VolunteerUploadRow.Outcome.REJECTED))
    sheet = error_sheet(upload, rows)
    access_log_record(
        request=request,
        action=AccessLog.Action.DOWNLOAD,
        object_type="volunteers.volunteerupload",
        object_ids=[upload.pk],
        row_count=len(rows),
    )
    stem = upload.original_name.rsplit(".", 1)[0]
    return FileResponse(
        sheet.to_file(),
        as_attachment=True,
        filename=f"{stem}-未导入的行.xlsx",
        content_type=XLSX_CONTENT_TYPE,
    )
