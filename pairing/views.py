"""Pairing pages. Each view: scoped read (404 outside the scope) or one service call; child
data a volunteer sees is the card (``selectors.CARD_FIELDS``), and every page that shows
child-level data writes the access log."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.views.decorators.http import require_GET, require_POST

from huzhou_care.accounts.decorators import role_required
from huzhou_care.accounts.masking import mask_phone
from huzhou_care.accounts.scoping import get_visible_or_404
from huzhou_care.audit.models import AccessLog
from huzhou_care.audit.services import access_log_record
from huzhou_care.orgs.models import OrgUnit

from . import selectors, services
from .forms import (
    ClassPairForm,
    EndPairingForm,
    FeedbackForm,
    OrgPairingForm,
    OrgVisitForm,
    PairFilterForm,
    PairForm,
    VisitForm,
)
from .models import ChildPairing, PairingKind, Visit, campaign_year
from .navigation import (
    CARD_ROLES,
    CLASS_ROLES,
    COVERAGE_ROLES,
    FEEDBACK_ROLES,
    MINE_ROLES,
    ORG_CREATE_ROLES,
    ORG_ROLES,
    ORG_VISIT_ROLES,
    OVERDUE_ROLES,
    PAIR_ROLES,
)

PAGE_SIZE = 50
CHILD = "children.child"
# The overdue list counts up to this many rows ("10,000+"): a worklist needs its oldest
# cases first, not an exact total over a million pairings.
OVERDUE_COUNT_CAP = 10_000


class CappedPaginator(Paginator):
    @cached_property
    def count(self) -> int:
        return self.object_list[:OVERDUE_COUNT_CAP].count()


def _log(request, action, ids, query=None):
    ids = list(ids)
    access_log_record(
        request=request,
        action=action,
        object_type=CHILD,
        object_ids=ids,
        query=query or {},
        row_count=len(ids),
    )


def _errors_onto(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc)


# --- the paired person ------------------------------------------------------------------------
@require_GET
@role_required(MINE_ROLES)
def mine(request):
    children = list(selectors.my_children(request.user))
    _log(request, AccessLog.Action.LIST, [c.pk for c in children], {"list": "my_children"})
    return render(request, "pairing/mine.html", {"children": children})


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


@role_required(MINE_ROLES)
def visit_new(request):
    """The visit form. Sent by the page's script (offline-safe queue) it answers JSON; as a
    plain form, a redirect. A repeated idempotency key answers the first visit again."""
    initial = {"child": request.GET.get("child")} if request.GET.get("child") else {}
    form = VisitForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                result = services.visit_record(
                    child=data["child"],
                    author=request.user,
                    data=data,
                    idempotency_key=data["idempotency_key"],
                )
            except ValidationError as exc:
                _errors_onto(form, exc)
            else:
                target = reverse("pairing:child", args=[result.visit.child_id])
                saved = (
                    "走访记录已保存。"
                    if result.created
                    else "这条走访记录此前已经保存，没有重复登记。"
                )
                if _wants_json(request):
                    # Sent from the open form (not the background queue): the next page says so.
                    if request.headers.get("X-Visit-Direct") == "1":
                        messages.success(request, saved)
                    return JsonResponse(
                        {
                            "ok": True,
                            "created": result.created,
                            "visit": result.visit.pk,
                            "next": target,
                        }
                    )
                messages.success(request, saved)
                return redirect(target)
        if _wants_json(request):
            errors = {name: [str(e) for e in errs] for name, errs in form.errors.items()}
            return JsonResponse({"ok": False, "errors": errors}, status=400)
    choices = list(form.fields["child"].queryset)
    _log(request, AccessLog.Action.LIST, [c.pk for c in choices], {"list": "visit_form"})
    return render(request, "pairing/visit_form.html", {"form": form, "has_children": bool(choices)})


@require_GET
@role_required(CARD_ROLES)
def child_card(request, pk):
    child = selectors.child_card(request.user, pk)
    _log(request, AccessLog.Action.VIEW, [child.pk], {"page": "pairing_card"})
    paired = selectors.is_paired_with(request.user, child)
    today = timezone.localdate()
    born = child.birth_date
    return render(
        request,
        "pairing/child.html",
        {
            "child": child,
            "age": today.year - born.year - ((today.month, today.day) < (born.month, born.day)),
            # The paired person calls the guardian; others see the phone masked here.
            "guardian_phone": child.guardian_phone if paired else mask_phone(child.guardian_phone),
            "health_flag": child.health != "healthy",
            "pairings": selectors.child_pairings(child),
            "visits": selectors.child_visits(child),
            "follow_ups": selectors.child_open_follow_ups(child),
            "may_log": paired and request.user.role in MINE_ROLES,
            "may_end": request.user.role in PAIR_ROLES,
        },
    )


@require_POST
@role_required(CARD_ROLES)
def follow_up_close(request, pk):
    visit = get_visible_or_404(Visit, request.user, pk=pk)
    try:
        services.follow_up_close(visit=visit, actor=request.user)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, "跟进事项已标记为完成。")
    return redirect("pairing:child", pk=visit.child_id)


# --- pairing people with children -------------------------------------------------------------
@role_required(PAIR_ROLES)
def pair(request):
    """Pick children of the scope (filters), a person and a kind: one step pairs them all
    (一对一 / 一对多). Children already paired of that kind are marked and skipped."""
    filters_form = PairFilterForm(request.GET or None, user=request.user)
    filters = filters_form.filters() if request.GET else {}
    form = PairForm(request.POST or None, user=request.user, person_q=filters.get("person_q") or "")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            outcome = services.pairings_create(
                children=list(data["children"]),
                person=data["person"],
                kind=data["kind"],
                started_on=data["started_on"],
                actor=request.user,
            )
        except ValidationError as exc:
            _errors_onto(form, exc)
        else:
            if outcome.created:
                names = "、".join(p.child.name for p in outcome.created)
                messages.success(
                    request,
                    f"已将 {len(outcome.created)} 名儿童与 {data['person']} 结对：{names}。",
                )
            for _child, reason in outcome.skipped:
                messages.warning(request, f"未结对：{reason}")
            return redirect(request.get_full_path())
    page = Paginator(selectors.pairable_children(request.user, filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    _log(request, AccessLog.Action.LIST, [c.pk for c in page], {"list": "pairable"})
    query = {k: v for k, v in request.GET.items() if v and k != "page"}
    return render(
        request,
        "pairing/pair.html",
        {"filters": filters_form, "form": form, "page": page, "query": query},
    )


@role_required(CLASS_ROLES)
def class_pair(request):
    """A teacher with a whole class in one step: the preview shows who is already paired;
    confirming pairs the others (the check is made again when confirming)."""
    form = ClassPairForm(request.POST or request.GET or None, user=request.user)
    preview = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        preview = selectors.class_preview(
            request.user, school=data["school"], grade=data["grade"], class_name=data["class_name"]
        )
        if request.method == "POST":
            todo = [child for child, current in preview if current is None]
            outcome = services.pairings_create(
                children=todo,
                person=data["teacher"],
                kind=PairingKind.STAFF,
                started_on=data["started_on"],
                actor=request.user,
            )
            messages.success(
                request,
                f"已将 {len(outcome.created)} 名儿童与 {data['teacher']} 结对（教职工结对）。",
            )
            for _child, reason in outcome.skipped:
                messages.warning(request, f"未结对：{reason}")
            return redirect(reverse("pairing:class_pair") + "?" + request.POST.urlencode())
        _log(request, AccessLog.Action.LIST, [c.pk for c, _ in preview], {"list": "class_pair"})
    return render(
        request,
        "pairing/class_pair.html",
        {
            "form": form,
            "preview": preview,
            "to_pair": sum(1 for _c, current in preview or () if current is None),
        },
    )


@role_required(PAIR_ROLES)
def pairing_end(request, pk):
    pairing = get_visible_or_404(
        ChildPairing.objects.select_related("child", "person"), request.user, pk=pk
    )
    form = EndPairingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.pairing_end(pairing=pairing, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _errors_onto(form, exc)
        else:
            messages.success(request, f"{pairing.person} 与 {pairing.child.name} 的结对已结束。")
            return redirect("pairing:child", pk=pairing.child_id)
    return render(request, "pairing/end.html", {"form": form, "pairing": pairing})


# --- organisations and schools ----------------------------------------------------------------
@require_GET
@role_required(ORG_ROLES)
def org_list(request):
    year = request.GET.get("year")
    year = int(year) if year and year.isdigit() else campaign_year()
    pairings = selectors.org_pairings(request.user, year)
    form = OrgPairingForm(user=request.user) if request.user.role in ORG_CREATE_ROLES else None
    return render(
        request, "pairing/org_list.html", {"pairings": pairings, "year": year, "form": form}
    )


@require_POST
@role_required(ORG_CREATE_ROLES)
def org_create(request):
    form = OrgPairingForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            pairing = services.org_pairing_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
        else:
            messages.success(request, f"已结对：{pairing}。")
            return redirect("pairing:org_detail", pk=pairing.pk)
    else:
        for errors in form.errors.values():
            messages.error(request, errors[0])
    return redirect("pairing:org_list")


@require_GET
@role_required(ORG_ROLES)
def org_detail(request, pk):
    pairing = selectors.org_pairing_detail(request.user, pk)
    form = OrgVisitForm() if request.user.role in ORG_VISIT_ROLES else None
    return render(
        request,
        "pairing/org_detail.html",
        {"pairing": pairing, "visits": selectors.org_visits(pairing), "form": form},
    )


@require_POST
@role_required(ORG_VISIT_ROLES)
def org_visit(request, pk):
    pairing = selectors.org_pairing_detail(request.user, pk)
    form = OrgVisitForm(request.POST)
    if form.is_valid():
        try:
            services.org_visit_record(pairing=pairing, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
        else:
            messages.success(request, "走访慰问已登记。")
    else:
        for errors in form.errors.values():
            messages.error(request, errors[0])
    return redirect("pairing:org_detail", pk=pairing.pk)


# --- coverage, overdue --------------------------------------------------------------------------
@require_GET
@role_required(COVERAGE_ROLES)
def coverage(request):
    """City-wide users see the counties; their township and school tables are one county's
    at a time (chosen above the table), like a district's own."""
    levels = selectors.coverage_levels(request.user)
    by = request.GET.get("by") if request.GET.get("by") in levels else levels[0]
    counties, county = None, None
    if request.user.sees_whole_city and by != "county":
        counties = list(OrgUnit.objects.filter(level=OrgUnit.Level.COUNTY).order_by("code"))
        wanted = request.GET.get("county")
        county = next((c for c in counties if str(c.pk) == wanted), counties[0])
    table = selectors.coverage(request.user, by=by, county=county)
    return render(
        request,
        "pairing/coverage.html",
        {
            "table": table,
            "levels": [(lv, selectors.COVERAGE_LEVELS[lv]) for lv in levels],
            "counties": counties,
        },
    )


@require_GET
@role_required(OVERDUE_ROLES)
def overdue(request):
    qs, days = selectors.overdue(request.user)
    page = CappedPaginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    _log(request, AccessLog.Action.LIST, [p.child_id for p in page], {"list": "overdue"})
    capped = page.paginator.count >= OVERDUE_COUNT_CAP
    return render(
        request,
        "pairing/overdue.html",
        {"page": page, "days": days, "query": {}, "capped": capped},
    )


# --- feedback -----------------------------------------------------------------------------------
@require_GET
@role_required(FEEDBACK_ROLES)
def feedback(request):
    page = Paginator(selectors.feedback_threads(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    _log(request, AccessLog.Action.LIST, [t["child_id"] for t in page], {"list": "feedback"})
    return render(request, "pairing/feedback.html", {"page": page, "query": {}})


@role_required(FEEDBACK_ROLES)
def thread(request, pk):
    child = selectors.child_card(request.user, pk)
    form = FeedbackForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.feedback_post(child=child, author=request.user, body=form.cleaned_data["body"])
        except ValidationError as exc:
            _errors_onto(form, exc)
        else:
            messages.success(request, "反馈已发送。")
            return redirect("pairing:thread", pk=child.pk)
    _log(request, AccessLog.Action.VIEW, [child.pk], {"page": "feedback"})
    thread_messages = list(selectors.feedback_messages(child))
    response = render(
        request,
        "pairing/thread.html",
        {"child": child, "thread": thread_messages, "form": form},
    )
    if request.method == "GET":
        services.feedback_mark_read(child=child, user=request.user)
    return response
