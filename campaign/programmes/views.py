"""Pages of the programmes. Each view: role check (404 for other roles), scoped fetch (404
outside scope), one service call, a Chinese message, redirect. The wish wall and its claim
form are the only public pages here (allow-listed in tests/test_url_scope.py)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from children.models import Child
from huzhou_care.accounts.decorators import role_required
from huzhou_care.accounts.scoping import get_visible_or_404
from huzhou_care.audit.services import client_ip
from huzhou_care.files.checks import UploadRefused
from huzhou_care.files.serving import stored_file_response
from volunteers.models import Programme

from . import forms as f
from . import selectors, services
from .models import (
    Activity,
    ActivityKind,
    ActivityPhoto,
    AidRecord,
    FollowUp,
    GuardianshipReview,
    SupportPlan,
    Venue,
    VenueKind,
    VenuePhoto,
    Wish,
)
from .navigation import (
    ACTIVITY_ROLES,
    ACTIVITY_WRITE_ROLES,
    CHILD_CARE_ROLES,
    VENUE_ROLES,
    VENUE_WRITE_ROLES,
)

PAGE_SIZE = 50


def _page(request, qs):
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


def _error(request, exc) -> None:
    if isinstance(exc, UploadRefused):
        messages.error(request, exc.message)
    elif hasattr(exc, "message_dict"):
        messages.error(request, "；".join(m for ms in exc.message_dict.values() for m in ms))
    else:
        messages.error(request, "；".join(exc.messages))


def _form_error(request, form) -> None:
    problems = [
        f"{form.fields[k].label if k in form.fields else ''}：{v[0]}"
        for k, v in form.errors.items()
    ]
    messages.error(request, "请检查填写内容。" + "；".join(problems))


# --- Venues ------------------------------------------------------------------------------


@require_GET
@role_required(VENUE_ROLES)
def venues(request):
    counts, kinds = selectors.venue_counts_by_district(request.user)
    qs = selectors.venue_list(
        request.user,
        kind=request.GET.get("kind") or None,
        q=(request.GET.get("q") or "").strip()[:50],
    )
    return render(
        request,
        "campaign/programmes/venues.html",
        {
            "counts": counts,
            "kind_labels": kinds,
            "page": _page(request, qs),
            "kinds": VenueKind.choices,
            "may_create": request.user.role in VENUE_WRITE_ROLES,
        },
    )


@require_http_methods(["GET", "POST"])
@role_required(VENUE_WRITE_ROLES)
def venue_create(request):
    form = f.VenueForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            venue = services.venue_create(data=form.cleaned_data, user=request.user)
        except ValidationError as exc:
            _error(request, exc)
        else:
            messages.success(request, "关爱阵地已登记。")
            return redirect("campaign:venue_detail", pk=venue.pk)
    return render(request, "campaign/programmes/form.html", {"form": form, "title": "登记关爱阵地"})


@require_GET
@role_required(VENUE_ROLES)
def venue_detail(request, pk):
    venue = get_visible_or_404(
        Venue.objects.select_related("county", "township"), request.user, pk=pk
    )
    photos = VenuePhoto.objects.visible_to(request.user).filter(venue=venue)
    return render(
        request,
        "campaign/programmes/venue_detail.html",
        {
            "venue": venue,
            "photos": photos,
            "activities": Activity.objects.visible_to(request.user).filter(venue=venue)[:20],
            "photo_form": f.PhotoForm() if request.user.role in VENUE_WRITE_ROLES else None,
        },
    )


def _add_photo(request, add) -> None:
    """The photo form of a venue or an activity: ``add(uploaded=, caption=, shows_child=,
    consent=, user=)`` stores it; the outcome is a message."""
    form = f.PhotoForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "请选择要上传的照片。")
        return
    data = form.cleaned_data
    try:
        add(
            uploaded=data["photo"],
            caption=data["caption"],
            shows_child=data["shows_child"],
            consent=data["consent"],
            user=request.user,
        )
    except (ValidationError, UploadRefused) as exc:
        _error(request, exc)
    else:
        messages.success(request, "照片已上传（已去除拍摄位置等元数据）。")


@require_POST
@role_required(VENUE_WRITE_ROLES)
def venue_photo_add(request, pk):
    venue = get_visible_or_404(Venue, request.user, pk=pk)
    _add_photo(request, lambda **kw: services.venue_add_photo(venue=venue, **kw))
    return redirect("campaign:venue_detail", pk=venue.pk)


@require_GET
@role_required(VENUE_ROLES)
def venue_photo(request, pk):
    item = get_visible_or_404(VenuePhoto.objects.select_related("file"), request.user, pk=pk)
    return stored_file_response(
        item.file, thumbnail=request.GET.get("size") == "thumb", inline=True
    )


# --- Activities --------------------------------------------------------------------------


@require_GET
@role_required(ACTIVITY_ROLES)
def activities(request):
    programme = request.GET.get("programme") or None
    kind = request.GET.get("kind") or None
    qs = selectors.activity_list(request.user, programme=programme, kind=kind)
    year = request.GET.get("year")
    return render(
        request,
        "campaign/programmes/activities.html",
        {
            "page": _page(request, qs),
            "rollups": selectors.activity_rollups(
                request.user, year=int(year) if year and year.isdigit() else None
            ),
            "programmes": Programme.choices,
            "programme_labels": dict(Programme.choices),
            "kind_labels": dict(ActivityKind.choices),
            "kinds": ActivityKind.choices,
            "may_create": request.user.role in ACTIVITY_WRITE_ROLES,
        },
    )


@require_http_methods(["GET", "POST"])
@role_required(ACTIVITY_WRITE_ROLES)
def activity_create(request):
    form = f.ActivityForm(request.POST or None, user=request.user)
    if request.method == "POST":
        if form.is_valid():
            ids = form.id_number_list()
            found = list(Child.objects.visible_to(request.user).filter(id_number__in=ids))
            data = {**form.cleaned_data, "organization": request.user.organization}
            try:
                if len(found) != len(set(ids)):
                    raise ValidationError(
                        "有身份证号不在本单位在册儿童中，请核对；未登记的儿童可计入“其他参与儿童”人数。"
                    )
                activity = services.activity_create(
                    data=data,
                    volunteers=form.cleaned_data["volunteers"],
                    children=found,
                    user=request.user,
                )
            except ValidationError as exc:
                _error(request, exc)
            else:
                messages.success(request, "活动已登记；志愿者的服务时长已生成，待队伍审核。")
                return redirect("campaign:activity_detail", pk=activity.pk)
        else:
            _form_error(request, form)
    return render(request, "campaign/programmes/form.html", {"form": form, "title": "登记关爱活动"})


@require_GET
@role_required(ACTIVITY_ROLES)
def activity_detail(request, pk):
    activity = get_visible_or_404(
        Activity.objects.select_related("team", "organization", "venue", "county"),
        request.user,
        pk=pk,
    )
    sees_children = request.user.sees_child_records
    return render(
        request,
        "campaign/programmes/activity_detail.html",
        {
            "activity": activity,
            "served": activity.served.select_related("volunteer", "record"),
            "children": (
                Child.objects.visible_to(request.user).filter(
                    pk__in=activity.reached.values("child")
                )
                if sees_children
                else None
            ),
            "children_count": activity.reached.count(),
            "photos": ActivityPhoto.objects.visible_to(request.user).filter(activity=activity),
            "photo_form": f.PhotoForm() if request.user.role in ACTIVITY_WRITE_ROLES else None,
        },
    )


@require_POST
@role_required(ACTIVITY_WRITE_ROLES)
def activity_photo_add(request, pk):
    activity = get_visible_or_404(Activity, request.user, pk=pk)
    _add_photo(request, lambda **kw: services.activity_add_photo(activity=activity, **kw))
    return redirect("campaign:activity_detail", pk=activity.pk)


@require_GET
@role_required(ACTIVITY_ROLES)
def activity_photo(request, pk):
    item = get_visible_or_404(ActivityPhoto.objects.select_related("file"), request.user, pk=pk)
    return stored_file_response(
        item.file, thumbnail=request.GET.get("size") == "thumb", inline=True
    )


# --- Wishes (staff) ----------------------------------------------------------------------


@require_GET
@role_required(CHILD_CARE_ROLES)
def wishes(request):
    status = request.GET.get("status") or None
    qs = Wish.objects.visible_to(request.user).select_related("child", "child__school")
    if status in Wish.Status.values:
        qs = qs.filter(status=status)
    counts = dict(
        Wish.objects.visible_to(request.user)
        .order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
    )
    return render(
        request,
        "campaign/programmes/wishes.html",
        {
            "page": _page(request, qs),
            "statuses": [(v, label, counts.get(v, 0)) for v, label in Wish.Status.choices],
            "status": status,
            "lookup": f.ChildLookupForm(),
        },
    )


@require_GET
@role_required(CHILD_CARE_ROLES)
def care_find(request):
    """Find a child of the user's scope by ID number, for the programme records."""
    form = f.ChildLookupForm(request.GET)
    if form.is_valid():
        child = (
            Child.objects.visible_to(request.user)
            .filter(id_number=form.cleaned_data["id_number"].strip().upper())
            .first()
        )
        if child:
            return redirect("campaign:child_care", pk=child.pk)
    messages.error(request, "本单位在册儿童中没有这个身份证号，请核对。")
    return redirect(request.GET.get("back") == "plans" and "campaign:plans" or "campaign:wishes")


def _child(request, pk) -> Child:
    return get_visible_or_404(
        Child.objects.select_related("school", "township"), request.user, pk=pk
    )


@require_GET
@role_required(CHILD_CARE_ROLES)
def child_care(request, pk):
    child = _child(request, pk)
    plan = SupportPlan.objects.filter(child=child).order_by("-pk").first()
    return render(
        request,
        "campaign/programmes/child_care.html",
        {
            "child": child,
            "wishes": Wish.objects.filter(child=child),
            "aid": AidRecord.objects.filter(child=child),
            "plans": SupportPlan.objects.filter(child=child).prefetch_related("reviews"),
            "plan": plan,
            "reviews": GuardianshipReview.objects.filter(child=child),
            "follow_ups": FollowUp.objects.filter(child=child),
            "wish_form": f.WishForm(prefix="wish"),
            "aid_form": f.AidForm(prefix="aid"),
            "plan_form": f.PlanForm(prefix="plan"),
            "plan_review_form": f.PlanReviewForm(prefix="review"),
            "guardianship_form": f.GuardianshipForm(prefix="g"),
            "follow_up_form": f.FollowUpForm(prefix="fu"),
        },
    )


def _child_post(request, pk, form_class, prefix, call, success):
    child = _child(request, pk)
    form = form_class(request.POST, request.FILES, prefix=prefix)
    if form.is_valid():
        try:
            call(child, form.cleaned_data)
        except (ValidationError, UploadRefused) as exc:
            _error(request, exc)
        else:
            messages.success(request, success)
    else:
        _form_error(request, form)
    return redirect("campaign:child_care", pk=child.pk)


@require_POST
@role_required(CHILD_CARE_ROLES)
def wish_add(request, pk):
    return _child_post(
        request,
        pk,
        f.WishForm,
        "wish",
        lambda child, data: services.wish_collect(child=child, data=data, user=request.user),
        "心愿已征集，待区县团委审核后发布。",
    )


@require_POST
@role_required(CHILD_CARE_ROLES)
def aid_add(request, pk):
    return _child_post(
        request,
        pk,
        f.AidForm,
        "aid",
        lambda child, data: services.aid_create(child=child, data=data, user=request.user),
        "资助记录已保存。",
    )


@require_POST
@role_required(CHILD_CARE_ROLES)
def plan_add(request, pk):
    return _child_post(
        request,
        pk,
        f.PlanForm,
        "plan",
        lambda child, data: services.plan_create(child=child, data=data, user=request.user),
        "一人一案已建立。",
    )


@require_POST
@role_required(CHILD_CARE_ROLES)
def guardianship_add(request, pk):
    def call(child, data):
        document = data.pop("document", None)
        services.guardianship_review_create(
            child=child, data=data, document=document, user=request.user
        )

    return _child_post(
        request,
        pk,
        f.GuardianshipForm,
        "g",
        call,
        "监护评估已保存，儿童档案中的监护情况评估已同步更新。",
    )


@require_POST
@role_required(CHILD_CARE_ROLES)
def follow_up_add(request, pk):
    return _child_post(
        request,
        pk,
        f.FollowUpForm,
        "fu",
        lambda child, data: services.follow_up_create(child=child, data=data, user=request.user),
        "跟进记录已保存。",
    )


@require_POST
@role_required(CHILD_CARE_ROLES)
def plan_review(request, pk):
    plan = get_visible_or_404(SupportPlan.objects.select_related("child"), request.user, pk=pk)
    form = f.PlanReviewForm(request.POST, prefix="review")
    if form.is_valid():
        try:
            services.plan_review(plan=plan, data=form.cleaned_data, user=request.user)
        except ValidationError as exc:
            _error(request, exc)
        else:
            messages.success(request, "评估已记录。")
    else:
        _form_error(request, form)
    return redirect("campaign:child_care", pk=plan.child_id)


@require_GET
@role_required(CHILD_CARE_ROLES)
def guardianship_document(request, pk):
    review = get_visible_or_404(
        GuardianshipReview.objects.select_related("document"), request.user, pk=pk
    )
    if review.document is None:
        raise Http404
    return stored_file_response(review.document, inline=True)


@require_GET
@role_required(CHILD_CARE_ROLES)
def plans(request):
    qs = SupportPlan.objects.visible_to(request.user).select_related("child")
    if request.GET.get("status") != "all":
        qs = qs.filter(status=SupportPlan.Status.ACTIVE)
    aid = AidRecord.objects.visible_to(request.user).select_related("child")
    return render(
        request,
        "campaign/programmes/plans.html",
        {"page": _page(request, qs), "aid": aid[:20], "lookup": f.ChildLookupForm()},
    )


def _wish(request, pk) -> Wish:
    return get_visible_or_404(Wish.objects.select_related("child"), request.user, pk=pk)


@require_GET
@role_required(CHILD_CARE_ROLES)
def wish_detail(request, pk):
    wish = _wish(request, pk)
    from huzhou_care.audit.services import change_history

    return render(
        request,
        "campaign/programmes/wish_detail.html",
        {
            "wish": wish,
            "claims": wish.claims.all(),
            "history": change_history(wish),
            "release_after": services.claim_overdue_since(wish),
            "fulfil_form": f.FulfilForm(),
        },
    )


WISH_ACTIONS = {
    "approve": lambda wish, user: services.wish_review(wish=wish, approve=True, user=user),
    "confirm": lambda wish, user: services.claim_decide(wish=wish, confirm=True, user=user),
    "decline": lambda wish, user: services.claim_decide(wish=wish, confirm=False, user=user),
    "release": lambda wish, user: services.wish_release(wish=wish, user=user),
}


@require_POST
@role_required(CHILD_CARE_ROLES)
def wish_move(request, pk):
    wish = _wish(request, pk)
    action = request.POST.get("action", "")
    try:
        if action == "reject":
            services.wish_review(
                wish=wish, approve=False, note=request.POST.get("note", ""), user=request.user
            )
        elif action == "fulfil":
            form = f.FulfilForm(request.POST, request.FILES)
            form.is_valid()
            services.wish_fulfil(
                wish=wish,
                evidence=form.cleaned_data.get("evidence"),
                fulfilled_on=form.cleaned_data.get("fulfilled_on"),
                consent=form.cleaned_data.get("consent", False),
                user=request.user,
            )
        elif action in WISH_ACTIONS:
            WISH_ACTIONS[action](wish, request.user)
        else:
            raise ValidationError("未知的操作。")
    except (ValidationError, UploadRefused) as exc:
        _error(request, exc)
    else:
        messages.success(request, "已记录。")
    return redirect("campaign:wish_detail", pk=wish.pk)


@require_GET
@role_required(CHILD_CARE_ROLES)
def wish_evidence(request, pk):
    wish = get_visible_or_404(Wish.objects.select_related("evidence"), request.user, pk=pk)
    if wish.evidence is None:
        raise Http404
    return stored_file_response(
        wish.evidence, thumbnail=request.GET.get("size") == "thumb", inline=True
    )


# --- The public wish wall ------------------------------------------------------------------


@login_not_required
@require_GET
def wish_wall(request):
    """Public (allow-listed): published wishes with no personal data."""
    status = request.GET.get("status")
    rows = selectors.wall_entries(status=status)
    page = Paginator(rows, 30).get_page(request.GET.get("page"))
    page.object_list = [selectors.wall_row(dict(r)) for r in page.object_list]
    return render(
        request,
        "campaign/programmes/wall.html",
        {
            "page": page,
            "status": status,
            "statuses": [(s, Wish.Status(s).label) for s in Wish.WALL_STATES],
        },
    )


@login_not_required
@require_http_methods(["GET", "POST"])
def wish_claim(request, pk):
    """Public (allow-listed): claim one wish with a name and a phone; rate-limited per IP."""
    entry = selectors.wall_entries().filter(pk=pk).first()
    if entry is None:
        raise Http404
    wish = selectors.wall_row(dict(entry))
    form = f.ClaimForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.claim_rate_check(client_ip(request))
                services.wish_claim(wish_id=pk, **form.cleaned_data)
            except ValidationError as exc:
                _error(request, exc)
            else:
                messages.success(
                    request, "感谢您的爱心！认领已提交，区县团委确认后会与您电话联系。"
                )
                return redirect("campaign:wish_wall")
        else:
            _form_error(request, form)
    return render(request, "campaign/programmes/claim.html", {"wish": wish, "form": form})
