"""Registry pages. Each view: scoped read or one service call; no role checks by hand."""

import json
import re
import secrets

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.views.decorators.http import require_GET, require_POST

from huzhou_care.accounts.decorators import role_required
from huzhou_care.accounts.masking import may_unmask
from huzhou_care.accounts.scoping import get_visible_or_404
from huzhou_care.audit.models import AccessLog
from huzhou_care.audit.services import ChangeSource, access_log_record
from huzhou_care.logmask import mask
from huzhou_care.orgs.models import School
from huzhou_care.spreadsheets import XLSX_CONTENT_TYPE, workbook_file

from . import exports, selectors, services
from .forms import (
    ChildFilterForm,
    ChildForm,
    ExportForm,
    LeaveForm,
    RestoreForm,
    RosterUploadForm,
    TransferDecisionForm,
    TransferForm,
    TransferRequestForm,
)
from .models import Child, RosterRow, RosterUpload, TransferRequest
from .navigation import CHILD_ROLES, ROSTER_ROLES, TRANSFER_ROLES
from .roster import sheets
from .roster.reader import RosterFileError

PAGE_SIZE = 50


def _date_param(request, name):
    """A YYYY-MM-DD query parameter, or None when absent or not a real date."""
    try:
        return parse_date(request.GET.get(name) or "")
    except ValueError:
        return None


def _loggable(params: dict) -> dict:
    """The access log keeps a searched ID number or phone masked, never in clear."""
    term = str(params.get("q") or "")
    if sum(ch.isdigit() for ch in term) < 7:
        return params
    kind = "id_number" if len(term.strip()) >= 15 else "guardian_phone"
    return {**params, "q": Child._meta.get_field(kind).mask(term)}


def _log_page(request, action, page, params):
    access_log_record(
        request=request,
        action=action,
        object_type="children.child",
        object_ids=[child.pk for child in page],
        query=_loggable(params),
        row_count=len(page),
    )


# Searches that hold an ID number (or any run of 6+ digits) never travel in a URL: the form
# posts them, the term waits in the session under a random search id, and the list's URL
# (browser history, the web server's request log, the Referer) carries only that id.
SEARCH_SESSION_KEY = "child_searches"
SEARCHES_KEPT = 20
_DIGITS = re.compile(r"\d{6}")


def _sensitive(term: str) -> bool:
    return bool(_DIGITS.search("".join(term.split())))


def _stash_search(request, term: str) -> str:
    searches = dict(request.session.get(SEARCH_SESSION_KEY) or {})
    token = secrets.token_urlsafe(9)
    searches[token] = term
    request.session[SEARCH_SESSION_KEY] = dict(list(searches.items())[-SEARCHES_KEPT:])
    return token


def _filter_params(request):
    """The list filters of this request, with a search id replaced by its term."""
    params = request.GET.copy()
    token = params.pop("search", [""])[-1]
    if token:
        term = (request.session.get(SEARCH_SESSION_KEY) or {}).get(token)
        if term:
            params["q"] = term
    return params


def _list_url(params) -> str:
    params = params.copy()
    params.pop("csrfmiddlewaretoken", None)
    query = _clean_query(params)
    return reverse("children:list") + (f"?{query}" if query else "")


@role_required(CHILD_ROLES)
@require_POST
def child_search(request):
    """The filter form posts here; the list opens at a URL without any ID number."""
    params = request.POST.copy()
    term = (params.get("q") or "").strip()
    if term and _sensitive(term):
        params.pop("q")
        params["search"] = _stash_search(request, term)
    url = _list_url(params)
    if request.htmx:  # swap the table in place, and put the clean URL in the address bar
        response = HttpResponse()
        response["HX-Location"] = json.dumps({"path": url, "target": "#registry-table"})
        return response
    return redirect(url)


@require_GET
@role_required(CHILD_ROLES)
def child_list(request):
    if _sensitive(request.GET.get("q") or ""):  # an old bookmark or a typed URL
        params = request.GET.copy()
        params["search"] = _stash_search(request, params.pop("q")[-1].strip())
        return redirect(_list_url(params))
    params = _filter_params(request)
    form = ChildFilterForm(params or None, user=request.user)
    filters = form.filters() if params else {}
    page = Paginator(selectors.child_list(request.user, filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = {k: v for k, v in request.GET.items() if v and k != "page"}
    logged = {k: v for k, v in query.items() if k != "search"}
    if filters.get("q"):
        logged["q"] = mask(filters["q"]) if _sensitive(filters["q"]) else filters["q"]
    _log_page(
        request,
        AccessLog.Action.SEARCH if filters.get("q") else AccessLog.Action.LIST,
        page,
        logged,
    )
    context = {"form": form, "page": page, "query": query, "filter_query": _filter_query(request)}
    # The export link is part of what htmx swaps, so it always carries the filters shown.
    template = "children/_list_results.html" if request.htmx else "children/list.html"
    return render(request, template, context)


def _filter_query(request) -> str:
    """The list's filters as a query string (every value of a multi-valued one, no page)."""
    return _clean_query(request.GET)


def _clean_query(params) -> str:
    """``params`` as a query string without the page and without empty values."""
    params = params.copy()
    params.pop("page", None)
    for key in list(params):
        values = [v for v in params.getlist(key) if v]
        if values:
            params.setlist(key, values)
        else:
            del params[key]
    return params.urlencode()


@require_GET
@role_required(CHILD_ROLES)
def risk_list(request):
    page = Paginator(selectors.risk_list(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    for child in page:
        child.extra_flags = selectors.contributed_labels(child)
    _log_page(request, AccessLog.Action.LIST, page, {"list": "risk"})
    return render(request, "children/risk.html", {"page": page})


@require_GET
@role_required(CHILD_ROLES)
def child_detail(request, pk):
    child = selectors.child_detail(request.user, pk)
    access_log_record(
        request=request,
        action=AccessLog.Action.VIEW,
        object_type="children.child",
        object_ids=[child.pk],
    )
    as_of = _date_param(request, "as_of")
    then = selectors.child_as_of(child, as_of) if as_of else None
    return render(
        request,
        "children/detail.html",
        {
            "child": child if then is None or then.state == "not_yet" else then.child,
            "as_of": as_of,
            "as_of_state": then.state if then else "",
            "current": child,
            "flags": selectors.child_flags(child),
            "timeline": selectors.child_timeline(child)[:50],
            "may_unmask": may_unmask(request.user),
            "may_transfer": request.user.role in TRANSFER_ROLES,
        },
    )


@require_GET
@role_required(CHILD_ROLES)
def child_identifiers(request, pk):
    """The full ID number and phones, on request, logged. htmx swaps them into the page."""
    child = selectors.child_detail(request.user, pk)
    if not may_unmask(request.user):
        messages.error(request, "您的角色不能查看完整证件号码。")
        return redirect("children:detail", pk=pk)
    access_log_record(
        request=request,
        action=AccessLog.Action.VIEW,
        object_type="children.child",
        object_ids=[child.pk],
        query={"fields": "identifiers"},
    )
    return render(request, "children/_identifiers.html", {"child": child, "full": True})


def _form_errors_from(exc: ValidationError, form) -> None:
    """Put a service's ValidationError on the form, by field where it names one."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


@role_required(CHILD_ROLES)
def child_register(request):
    form = ChildForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            child = services.child_register(
                data=form.cleaned_data, source=ChangeSource(request.user)
            )
        except ValidationError as exc:
            _form_errors_from(exc, form)
        else:
            messages.success(request, f"已登记：{child.name}。")
            return redirect("children:detail", pk=child.pk)
    return render(request, "children/form.html", {"form": form, "title": "登记留守儿童"})


@role_required(CHILD_ROLES)
def child_edit(request, pk):
    child = selectors.child_detail(request.user, pk)
    form = ChildForm(request.POST or None, instance=child, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.changed_data}
        try:
            changes = services.child_update(
                child=child, data=data, source=ChangeSource(request.user)
            )
        except ValidationError as exc:
            _form_errors_from(exc, form)
        else:
            messages.success(
                request, f"已保存 {len(changes)} 项修改。" if changes else "没有修改任何内容。"
            )
            return redirect("children:detail", pk=child.pk)
    return render(
        request,
        "children/form.html",
        {"form": form, "child": child, "title": f"修改信息：{child.name}"},
    )


def _child_action(request, child, form, perform, *, title, confirm, explain):
    """The shape of the one-child actions (leave, restore, transfer): a confirmation form; on
    a valid POST one service call, whose Chinese success message is shown; a ValidationError
    goes back onto the form."""
    if request.method == "POST" and form.is_valid():
        try:
            message, target = perform(form.cleaned_data)
        except ValidationError as exc:
            _form_errors_from(exc, form)
        else:
            messages.success(request, message)
            return target
    context = {"form": form, "child": child, "title": title, "confirm": confirm, "explain": explain}
    return render(request, "children/action.html", context)


@role_required(CHILD_ROLES)
def child_leave(request, pk):
    child = selectors.child_detail(request.user, pk)

    def perform(data):
        services.child_leave(child=child, source=ChangeSource(request.user), **data)
        return f"{child.name} 已退出信息库，记录保留在历史中。", redirect("children:detail", pk=pk)

    return _child_action(
        request,
        child,
        LeaveForm(request.POST or None, initial={"on": timezone.localdate()}),
        perform,
        title=f"退出信息库：{child.name}",
        confirm="确定让该儿童退出信息库吗？记录不会删除，可在历史中查看。",
        explain="儿童年满十六周岁、父母返乡或迁出本市时退出信息库。退出不是删除：全部记录保留。",
    )


@role_required(CHILD_ROLES)
def child_restore(request, pk):
    child = selectors.child_detail(request.user, pk)

    def perform(data):
        services.child_restore(child=child, note=data["note"], source=ChangeSource(request.user))
        return f"{child.name} 已恢复在册。", redirect("children:detail", pk=pk)

    return _child_action(
        request,
        child,
        RestoreForm(request.POST or None),
        perform,
        title=f"恢复在册：{child.name}",
        confirm="确定恢复该儿童为在册状态吗？",
        explain="用于纠正误操作的退出。退出记录仍保留在历史中。",
    )


@role_required(TRANSFER_ROLES)
def child_transfer(request, pk):
    child = selectors.child_detail(request.user, pk)

    def perform(data):
        to_school = data["to_school"]
        if services.needs_receiving_district(child=child, to_school=to_school, actor=request.user):
            services.transfer_out_request(child=child, actor=request.user, **data)
            return (
                f"已提交转学申请：{child.name} 转入 {to_school.county.name}{to_school}，"
                f"需{to_school.county.name}团委同意后办理，可在“转学申请”中查看进度。",
                redirect("children:detail", pk=pk),
            )
        services.child_transfer(child=child, actor=request.user, **data)
        still_visible = selectors.child_queryset(request.user, status=None).filter(pk=pk).exists()
        target = redirect("children:detail", pk=pk) if still_visible else redirect("children:list")
        return f"{child.name} 已转入 {data['to_school']}。", target

    initial = {"grade": child.grade, "class_name": child.class_name}
    return _child_action(
        request,
        child,
        TransferForm(request.POST or None, initial=initial),
        perform,
        title=f"办理转学：{child.name}",
        confirm="确定办理转学吗？转出后原学校将不再看到该儿童。",
        explain=(
            f"当前学校：{child.school or '—'}。转学后原学校的信息保留在动态记录中。"
            "转入其他区县的学校需转入区县团委同意后办理。"
        ),
    )


@role_required(CHILD_ROLES)
def child_export(request):
    """GET: the export options for the current filters. POST: the file, logged."""
    params = _filter_params(request)
    filter_form = ChildFilterForm(params or None, user=request.user)
    if params and not filter_form.is_valid():
        # A filter that does not apply (e.g. a school outside the scope) must not silently
        # widen the export to the whole scope.
        messages.error(request, "筛选条件无效，请在儿童信息库重新筛选后再导出。")
        return redirect("children:list")
    filters = filter_form.filters() if params else {}
    form = ExportForm(
        request.POST or None, may_unmask=may_unmask(request.user), initial={"layout": "list"}
    )
    qs = selectors.child_list(request.user, filters)
    if request.method == "POST" and form.is_valid():
        full = form.cleaned_data.get("full", False)
        layout = form.cleaned_data["layout"]
        if layout == "national":
            sheet = exports.national_form_export(qs, full=full, unit=request.user.scope_label)
        else:
            sheet = exports.registry_export(qs, full=full)
        query = {k: v for k, v in request.GET.items() if v and k != "search"}
        if filters.get("q"):
            query["q"] = mask(filters["q"]) if _sensitive(filters["q"]) else filters["q"]
        query.update(
            {"layout": layout, "full": full, "reason": form.cleaned_data.get("reason", "")}
        )
        access_log_record(
            request=request,
            action=AccessLog.Action.EXPORT,
            object_type="children.child",
            query=_loggable(query),
            row_count=sheet.rows,
        )
        name = "农村留守儿童基本情况登记表" if layout == "national" else "留守儿童名单"
        return FileResponse(
            sheet.to_file(),
            as_attachment=True,
            filename=f"{name}-{timezone.localdate():%Y%m%d}.xlsx",
            content_type=XLSX_CONTENT_TYPE,
        )
    return render(
        request,
        "children/export.html",
        {
            "form": form,
            "count": qs.count(),
            "filter_form": filter_form,
            "filters": filter_form.description(),
            "query": _filter_query(request),
        },
    )


# --- Roster uploads ---------------------------------------------------------------------------


@role_required(ROSTER_ROLES)
def roster_upload(request):
    form = RosterUploadForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            upload = services.roster_upload_create(
                school=form.cleaned_data["school"],
                actor=request.user,
                uploaded=form.cleaned_data["file"],
            )
        except RosterFileError as exc:
            form.add_error("file", exc.message)
        else:
            return redirect("children:roster_detail", pk=upload.pk)
    uploads = RosterUpload.objects.visible_to(request.user).select_related("school", "uploaded_by")[
        :20
    ]
    return render(request, "children/roster_upload.html", {"form": form, "uploads": uploads})


@require_GET
@role_required(ROSTER_ROLES)
def roster_template(request):
    """The template's example row uses the chosen school's county and township."""
    schools = School.objects.visible_to(request.user).select_related("county", "township")
    wanted = request.GET.get("school", "")
    school = (schools.filter(pk=wanted).first() if wanted.isdigit() else None) or schools.first()
    if school is None:
        raise Http404
    return FileResponse(
        workbook_file(sheets.roster_template(school)),
        as_attachment=True,
        filename="农村留守儿童名册模板.xlsx",
        content_type=XLSX_CONTENT_TYPE,
    )


def _upload_or_404(request, pk):
    return get_visible_or_404(
        RosterUpload.objects.select_related("school", "uploaded_by", "confirmed_by"),
        request.user,
        pk=pk,
    )


@require_GET
@role_required(ROSTER_ROLES)
def roster_detail(request, pk):
    upload = _upload_or_404(request, pk)
    outcome = request.GET.get("outcome") or ("rejected" if upload.rejected else "")
    rows = upload.preview_rows.all()
    if outcome in RosterRow.Outcome.values:
        rows = rows.filter(outcome=outcome)
    page = Paginator(rows, 100).get_page(request.GET.get("page"))
    return render(
        request,
        "children/roster_detail.html",
        {
            "upload": upload,
            "page": page,
            "outcome": outcome,
            "progress": services.roster_progress_get(upload),
            "outcomes": RosterRow.Outcome.choices,
        },
    )


@require_GET
@role_required(ROSTER_ROLES)
def roster_progress(request, pk):
    """Polled by htmx while the file is checked or imported; reloads the page when done."""
    upload = _upload_or_404(request, pk)
    response = render(
        request,
        "children/_roster_progress.html",
        {"upload": upload, "progress": services.roster_progress_get(upload)},
    )
    if not upload.in_progress:
        response["HX-Refresh"] = "true"
    return response


@require_POST
@role_required(ROSTER_ROLES)
def roster_confirm(request, pk):
    upload = _upload_or_404(request, pk)
    if services.roster_confirm(upload=upload, actor=request.user):
        upload.refresh_from_db()
        if upload.status == RosterUpload.Status.DONE:
            messages.success(
                request,
                f"导入完成：新增 {upload.new} 人，更新 {upload.updated} 人，无变化 {upload.unchanged} 人。",
            )
        elif upload.status in (RosterUpload.Status.FAILED, RosterUpload.Status.PREVIEW):
            messages.error(request, upload.message)
        else:
            messages.info(request, "正在导入，请稍候。")
    else:
        messages.warning(request, "该名册已确认过或已取消，不能再次导入。")
    return redirect("children:roster_detail", pk=upload.pk)


@require_POST
@role_required(ROSTER_ROLES)
def roster_cancel(request, pk):
    upload = _upload_or_404(request, pk)
    if services.roster_cancel(upload=upload):
        messages.info(request, "已取消本次上传，信息库未作任何修改，上传的文件已删除。")
    else:
        upload.refresh_from_db()
        messages.warning(request, f"该名册当前状态为“{upload.get_status_display()}”，不能再取消。")
    return redirect("children:roster_upload")


@require_GET
@role_required(ROSTER_ROLES)
def roster_errors(request, pk):
    upload = _upload_or_404(request, pk)
    rows = list(upload.preview_rows.filter(outcome=RosterRow.Outcome.REJECTED))
    sheet = sheets.error_sheet(upload, rows)
    access_log_record(
        request=request,
        action=AccessLog.Action.DOWNLOAD,
        object_type="children.rosterupload",
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


# --- Transfer requests ------------------------------------------------------------------------


@require_POST
@role_required(ROSTER_ROLES)
def roster_transfer_request(request, pk, row):
    upload = _upload_or_404(request, pk)
    form = TransferRequestForm(request.POST)
    if form.is_valid():
        try:
            services.transfer_request_create(
                upload=upload, row_number=row, actor=request.user, note=form.cleaned_data["note"]
            )
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(
                request, f"第 {row} 行的儿童已提交转学申请，等待原学校所在区县团委处理。"
            )
    else:
        messages.error(request, "请填写申请说明。")
    return redirect("children:roster_detail", pk=upload.pk)


@require_GET
@role_required(CHILD_ROLES)
def transfer_requests(request):
    page = Paginator(selectors.transfer_requests(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    # The side holding the child, and the district deciding a move into its county, see who
    # it is; the asking school sees what it typed.
    ids = [r.pk for r in page]
    decidable = (
        set(
            selectors.transfer_requests_decidable(request.user)
            .filter(pk__in=ids, status=TransferRequest.Status.PENDING)
            .values_list("pk", flat=True)
        )
        if request.user.role in TRANSFER_ROLES
        else set()
    )
    holding = decidable | set(
        selectors.transfer_requests(request.user)
        .filter(pk__in=ids, child__in=selectors.child_queryset(request.user, status=None))
        .values_list("pk", flat=True)
    )
    return render(
        request,
        "children/transfers.html",
        {"page": page, "holding": holding, "decidable": decidable, "form": TransferDecisionForm()},
    )


@require_POST
@role_required(TRANSFER_ROLES)
def transfer_decide(request, pk):
    transfer, mine = selectors.transfer_request_to_decide(request.user, pk)
    form = TransferDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请选择同意或不同意。")
        return redirect("children:transfer_requests")
    stale = form.cleaned_data["stage"] not in ("", transfer.stage)
    if not mine or stale:
        # Decided meanwhile (another tab, a colleague), or waiting for the other district.
        messages.error(request, "该申请已处理过，或现在需由另一区县团委处理，请查看最新状态。")
        return redirect("children:transfer_requests")
    approve = form.cleaned_data["decision"] == "approve"
    try:
        outcome = services.transfer_request_decide(
            request=transfer, actor=request.user, approve=approve, note=form.cleaned_data["note"]
        )
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        if outcome == "released":
            county = transfer.to_school.county.name
            messages.success(
                request,
                f"已同意{transfer.child.name}转出；转入{county}的学校还需{county}团委同意后办理。",
            )
        else:
            messages.success(
                request,
                f"已{'同意' if approve else '不同意'}{transfer.child.name}转入{transfer.to_school}。",
            )
    return redirect("children:transfer_requests")
