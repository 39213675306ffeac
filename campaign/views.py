"""Timeline, stage reports, pilot applications and showcase pages. Each view: role check
(404 for other roles), scoped fetch (404 outside scope), one service call, message, redirect."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.dateparse import parse_date
from django.views.decorators.http import require_GET, require_POST

from huzhou_care.accounts.decorators import role_required
from huzhou_care.accounts.scoping import get_visible_or_404
from huzhou_care.files.checks import UploadRefused
from huzhou_care.files.serving import stored_file_response

from . import dossier, selectors, services
from .forms import (
    AttachForm,
    NominationForm,
    PhotoForm,
    PilotDesignatedForm,
    PilotForm,
    ReportForm,
    ReviewForm,
    StoryForm,
)
from .models import (
    PILOT_SECTIONS,
    Attachment,
    Nomination,
    PilotApplication,
    PilotCriterion,
    ReportingUnit,
    ReportTemplate,
    StageReport,
    Story,
    StoryPhoto,
    own_unit_filter,
    review_filter,
)
from .navigation import (
    CITY_ROLES,
    READ_ROLES,
    REVIEW_ROLES,
    TABLE_ROLES,
    TIMELINE_ROLES,
    UNIT_ROLES,
)

PAGE_SIZE = 50


def _errors(request, exc: Exception) -> None:
    if isinstance(exc, UploadRefused):
        messages.error(request, exc.message)
    else:
        messages.error(request, "；".join(exc.messages))


def _year_or_404():
    year = selectors.current_year()
    if year is None:
        raise Http404
    return year


def _today(request) -> dt.date:
    return services.local_today()


def _page(request, qs):
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


# --- Timeline and tables -----------------------------------------------------------------


@require_GET
@role_required(TIMELINE_ROLES)
def timeline(request):
    year = selectors.current_year()
    context = selectors.timeline(request.user, year, _today(request))
    return render(
        request, "campaign/timeline.html", {"year": year, "today": _today(request), **context}
    )


@require_GET
@role_required(TABLE_ROLES)
def completeness(request):
    year = _year_or_404()
    try:
        on = parse_date(request.GET.get("on") or "")
    except ValueError:
        on = None
    today = on or _today(request)
    table = selectors.completeness_table(request.user, year, today)
    return render(
        request, "campaign/completeness.html", {"year": year, "table": table, "today": today}
    )


@require_GET
@role_required(REVIEW_ROLES)
def overdue(request):
    year = _year_or_404()
    rows = selectors.overdue_list(request.user, year, _today(request))
    return render(request, "campaign/overdue.html", {"year": year, "page": _page(request, rows)})


@require_POST
@role_required(REVIEW_ROLES)
def remind(request):
    template = _template_or_404(request.POST.get("template"))
    unit = get_visible_or_404(ReportingUnit, request.user, pk=_int(request.POST.get("unit")))
    try:
        reminder = services.reminder_send(
            template=template, unit=unit, user=request.user, url=reverse("campaign:timeline")
        )
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, f"已向{unit.name}发送催报提醒（{reminder.recipients} 人）。")
    return redirect("campaign:overdue")


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404 from None


def _template_or_404(pk) -> ReportTemplate:
    template = ReportTemplate.objects.select_related("deadline").filter(pk=_int(pk)).first()
    if template is None:
        raise Http404
    return template


# --- Stage reports ------------------------------------------------------------------------


@require_GET
@role_required(READ_ROLES)
def reports(request):
    year = _year_or_404()
    context = {
        "year": year,
        "page": _page(request, selectors.report_list(request.user, year)),
        "to_review": selectors.reports_to_review(request.user, year)[:20],
        "timeline": selectors.timeline(request.user, year, _today(request)),
    }
    return render(request, "campaign/reports.html", context)


@require_POST
@role_required(UNIT_ROLES)
def report_start(request):
    template = _template_or_404(request.POST.get("template"))
    try:
        report = services.report_start(template=template, user=request.user)
    except ValidationError as exc:
        _errors(request, exc)
        return redirect("campaign:reports")
    return redirect("campaign:report_edit", pk=report.pk)


@require_GET
@role_required(READ_ROLES)
def report_detail(request, pk):
    report = selectors.report_detail(request.user, pk)
    user = request.user
    context = {
        "report": report,
        "parts": [
            {
                "part": p,
                "text": report.texts.get(p.key),
                "figure": report.figures.get(p.key),
                "files": [a for a in report.attachments.all() if a.part == p.key],
            }
            for p in report.template.parts.all()
        ],
        "history": services.history(report),
        "missing": services.missing_parts(report),
        "is_owner": ReportingUnit.objects.filter(own_unit_filter(user), pk=report.unit_id).exists(),
        "is_reviewer": ReportingUnit.objects.filter(
            review_filter(user), pk=report.unit_id
        ).exists(),
        "review_form": ReviewForm(),
    }
    return render(request, "campaign/report_detail.html", context)


@role_required(UNIT_ROLES)
def report_edit(request, pk):
    report = get_visible_or_404(
        StageReport.objects.filter(own_unit_filter(request.user, "unit__")).select_related(
            "template__deadline", "unit"
        ),
        request.user,
        pk=pk,
    )
    form = ReportForm(request.POST or None, request.FILES or None, report=report)
    if request.method == "POST" and form.is_valid():
        try:
            services.report_save(
                report=report, texts=form.texts(), figures=form.figures(), user=request.user
            )
            upload = form.cleaned_data.get("attachment")
            if upload:
                services.report_attach(
                    report=report,
                    part_key=form.cleaned_data.get("attach_part") or "",
                    uploaded=upload,
                    user=request.user,
                )
        except (ValidationError, UploadRefused) as exc:
            _errors(request, exc)
        else:
            messages.success(request, "已保存。")
            return redirect("campaign:report_detail", pk=report.pk)
    return render(request, "campaign/report_edit.html", {"report": report, "form": form})


@require_POST
@role_required(READ_ROLES)
def report_move(request, pk):
    report = selectors.report_detail(request.user, pk)
    action = request.POST.get("action")
    try:
        if action == "submit":
            services.report_submit(report=report, user=request.user)
            messages.success(
                request, "已提交。" + ("（逾期提交，已如实记录）" if report.late else "")
            )
        elif action in ("approve", "return"):
            services.report_review(
                report=report,
                approve=action == "approve",
                comment=request.POST.get("comment", ""),
                user=request.user,
            )
            messages.success(request, "已审核通过。" if action == "approve" else "已退回。")
        else:
            messages.error(request, "请选择操作。")
    except ValidationError as exc:
        _errors(request, exc)
    return redirect("campaign:report_detail", pk=report.pk)


@require_POST
@role_required(CITY_ROLES)
def report_reopen(request):
    template = _template_or_404(request.POST.get("template"))
    unit = get_visible_or_404(ReportingUnit, request.user, pk=_int(request.POST.get("unit")))
    try:
        services.report_reopen(template=template, unit=unit, user=request.user)
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, f"已为{unit.name}开放“{template.deadline.title}”补报。")
    return redirect("campaign:overdue")


@require_GET
@role_required(READ_ROLES)
def attachment(request, pk):
    att = get_visible_or_404(Attachment.objects.select_related("file"), request.user, pk=pk)
    return stored_file_response(att.file)


# --- Pilot applications ---------------------------------------------------------------------


@require_GET
@role_required(READ_ROLES)
def pilots(request):
    year = _year_or_404()
    return render(
        request,
        "campaign/pilots.html",
        {"year": year, "page": _page(request, selectors.pilot_list(request.user, year))},
    )


@role_required(UNIT_ROLES | CITY_ROLES)
def pilot_create(request):
    year = _year_or_404()
    designated = request.user.is_city_admin
    if designated:
        units = ReportingUnit.objects.order_by("kind", "name")
        form = PilotDesignatedForm(request.POST or None, units=units)
    else:
        form = PilotForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            app = services.pilot_create(
                year=year,
                data=form.cleaned_data,
                user=request.user,
                unit=form.cleaned_data.get("unit"),
            )
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, "已保存为草稿，补齐三项申报材料后即可提交。")
            return redirect("campaign:pilot_detail", pk=app.pk)
    return render(request, "campaign/pilot_form.html", {"form": form, "designated": designated})


def _pilot(request, pk) -> PilotApplication:
    return get_visible_or_404(
        PilotApplication.objects.select_related("unit", "year"), request.user, pk=pk
    )


@require_GET
@role_required(READ_ROLES)
def pilot_detail(request, pk):
    app = _pilot(request, pk)
    user = request.user
    context = {
        "app": app,
        "sections": [
            {
                "key": k,
                "label": label,
                "text": getattr(app, k),
                "files": [a for a in app.attachments.select_related("file") if a.part == k],
            }
            for k, label in PILOT_SECTIONS
        ],
        "history": services.history(app),
        "scores": selectors.pilot_score_summary(app),
        "criteria": PilotCriterion.objects.filter(year_id=app.year_id),
        "is_editor": ReportingUnit.objects.filter(own_unit_filter(user), pk=app.unit_id).exists()
        or (user.is_city_admin and app.origin == PilotApplication.Origin.DESIGNATED),
        "attach_form": AttachForm(),
    }
    return render(request, "campaign/pilot_detail.html", context)


@role_required(UNIT_ROLES | CITY_ROLES)
def pilot_edit(request, pk):
    app = _pilot(request, pk)
    form = PilotForm(
        request.POST or None,
        initial={k: getattr(app, k) for k in ("title", "analysis", "basics", "plan")},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.pilot_update(app=app, data=form.cleaned_data, user=request.user)
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, "已保存。")
            return redirect("campaign:pilot_detail", pk=app.pk)
    return render(request, "campaign/pilot_form.html", {"form": form, "app": app})


@require_POST
@role_required(UNIT_ROLES | CITY_ROLES)
def pilot_attach(request, pk):
    app = _pilot(request, pk)
    form = AttachForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.pilot_attach(
                app=app,
                section=form.cleaned_data["section"],
                uploaded=form.cleaned_data["attachment"],
                user=request.user,
            )
        except (ValidationError, UploadRefused) as exc:
            _errors(request, exc)
        else:
            messages.success(request, "附件已上传。")
    else:
        messages.error(request, "请选择对应的申报材料和要上传的文件。")
    return redirect("campaign:pilot_detail", pk=app.pk)


@require_POST
@role_required(READ_ROLES)
def pilot_move(request, pk):
    app = _pilot(request, pk)
    action = request.POST.get("action")
    note = request.POST.get("note", "")
    user = request.user
    try:
        if action == "submit":
            services.pilot_submit(app=app, user=user)
        elif action == "score":
            scores = {
                k[6:]: v
                for k, v in request.POST.items()
                if k.startswith("score_") and k[6:].isdigit()
            }
            services.pilot_score(app=app, scores=scores, comment=note, user=user)
        elif action == "consult":
            services.pilot_consult(
                app=app, consultation=request.POST.get("consultation", ""), user=user
            )
        elif action in ("recommend", "not_recommend"):
            services.pilot_decide(app=app, recommend=action == "recommend", note=note, user=user)
        elif action in ("designate", "not_designate"):
            services.pilot_designate(
                app=app, designated=action == "designate", note=note, user=user
            )
        else:
            raise ValidationError("请选择操作。")
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, "已记录。")
    return redirect("campaign:pilot_detail", pk=app.pk)


@require_GET
@role_required(CITY_ROLES)
def pilot_dossier(request):
    year = _year_or_404()
    apps = list(selectors.recommended_pilots(year))
    if not apps:
        messages.error(request, "还没有拟推荐上报的试点申报。")
        return redirect("campaign:pilots")
    data = dossier.build_dossier(year, apps)
    response = HttpResponse(
        data,
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{year.year}-pilot-dossier.docx"
    return response


# --- Showcase -----------------------------------------------------------------------------------


@require_GET
@role_required(READ_ROLES)
def stories(request):
    year = _year_or_404()
    return render(
        request,
        "campaign/stories.html",
        {"year": year, "page": _page(request, selectors.story_list(request.user, year))},
    )


@role_required(UNIT_ROLES)
def story_create(request):
    year = _year_or_404()
    form = StoryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            story = services.story_create(year=year, data=form.cleaned_data, user=request.user)
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, "已保存为草稿，可继续添加照片后提交审核。")
            return redirect("campaign:story_detail", pk=story.pk)
    return render(request, "campaign/story_form.html", {"form": form})


def _story(request, pk) -> Story:
    return get_visible_or_404(Story.objects.select_related("unit"), request.user, pk=pk)


@require_GET
@role_required(READ_ROLES)
def story_detail(request, pk):
    story = _story(request, pk)
    return render(
        request,
        "campaign/story_detail.html",
        {
            "story": story,
            "photos": StoryPhoto.objects.visible_to(request.user)
            .filter(story=story)
            .select_related("file"),
            "history": services.history(story),
            "is_owner": ReportingUnit.objects.filter(
                own_unit_filter(request.user), pk=story.unit_id
            ).exists(),
            "photo_form": PhotoForm(),
        },
    )


@require_POST
@role_required(UNIT_ROLES)
def story_photo_add(request, pk):
    story = _story(request, pk)
    form = PhotoForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.story_add_photo(
                story=story,
                uploaded=form.cleaned_data["photo"],
                caption=form.cleaned_data["caption"],
                shows_child=form.cleaned_data["shows_child"],
                consent=form.cleaned_data["consent"],
                user=request.user,
            )
        except (ValidationError, UploadRefused) as exc:
            _errors(request, exc)
        else:
            messages.success(request, "照片已上传（已去除拍摄位置等元数据）。")
    else:
        messages.error(request, "请选择要上传的照片。")
    return redirect("campaign:story_detail", pk=story.pk)


@require_POST
@role_required(READ_ROLES)
def story_move(request, pk):
    story = _story(request, pk)
    try:
        services.story_move(
            story=story,
            action=request.POST.get("action", ""),
            comment=request.POST.get("comment", ""),
            user=request.user,
        )
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, "已记录。")
    return redirect("campaign:story_detail", pk=story.pk)


@require_GET
@role_required(READ_ROLES)
def photo(request, pk):
    item = get_visible_or_404(
        StoryPhoto.objects.select_related("file", "story"),
        request.user,
        pk=pk,
    )
    return stored_file_response(
        item.file, thumbnail=request.GET.get("size") == "thumb", inline=True
    )


@require_GET
@role_required(READ_ROLES)
def nominations(request):
    year = _year_or_404()
    return render(
        request,
        "campaign/nominations.html",
        {
            "year": year,
            "page": _page(request, selectors.nomination_list(request.user, year)),
            "form": NominationForm(),
            "may_create": request.user.role in UNIT_ROLES,
        },
    )


@require_POST
@role_required(UNIT_ROLES)
def nomination_create(request):
    year = _year_or_404()
    form = NominationForm(request.POST)
    if form.is_valid():
        try:
            services.nomination_create(year=year, data=form.cleaned_data, user=request.user)
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, "已保存为草稿，确认后请提交评审。")
    else:
        messages.error(request, "请完整填写类别、推荐对象和主要事迹。")
    return redirect("campaign:nominations")


@require_POST
@role_required(READ_ROLES)
def nomination_move(request, pk):
    nomination = get_visible_or_404(Nomination, request.user, pk=pk)
    try:
        services.nomination_move(
            nomination=nomination,
            action=request.POST.get("action", ""),
            comment=request.POST.get("comment", ""),
            user=request.user,
        )
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, "已记录。")
    return redirect("campaign:nominations")


# --- Public ---------------------------------------------------------------------------------------


@login_not_required
@require_GET
def showcase(request):
    """The public showcase (allow-listed): approved material with consent for any child shown."""
    year = selectors.current_year()
    content = selectors.public_showcase(year) if year else {"stories": [], "nominations": []}
    response = render(request, "campaign/showcase.html", {"year": year, **content})
    return response


@login_not_required
@require_GET
def showcase_photo(request, pk):
    item = selectors.public_photo(pk)
    if item is None:
        raise Http404
    return stored_file_response(
        item.file, thumbnail=request.GET.get("size") == "thumb", inline=True
    )


# --- Home ----------------------------------------------------------------------------------------


def home(request):
    """Every signed-in role has a home page: what it may see, counted."""
    summary = selectors.home_summary(request.user)
    chart = None
    if "by_county" in summary:
        # Suppressed cells (fewer than 5 children) are drawn as empty bars, as in the table.
        chart = {
            "labels": [row["county"].name for row in summary["by_county"]],
            "series": [
                {"label": "在册留守儿童", "data": [row["children"] for row in summary["by_county"]]}
            ],
        }
    context = {
        "summary": summary,
        "county_chart": chart,
        "child_cards": selectors.child_cards(summary),
    }
    return render(request, "campaign/home.html", context)
