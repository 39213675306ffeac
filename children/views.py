"""Registry pages. Each view: scoped read or one service call; no role checks by hand."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from huzhou_care.accounts.decorators import role_required
from huzhou_care.accounts.masking import may_unmask
from huzhou_care.audit.models import AccessLog
from huzhou_care.audit.services import access_log_record

from . import selectors
from .forms import ChildFilterForm
from .navigation import CHILD_ROLES

PAGE_SIZE = 50


def _log_page(request, action, page, params):
    access_log_record(
        request=request, action=action, object_type="children.child",
        object_ids=[child.pk for child in page], query=params, row_count=len(page),
    )


@require_GET
@role_required(CHILD_ROLES)
def child_list(request):
    form = ChildFilterForm(request.GET or None, user=request.user)
    filters = form.filters() if request.GET else {}
    page = Paginator(selectors.child_list(request.user, filters), PAGE_SIZE).get_page(request.GET.get("page"))
    query = {k: v for k, v in request.GET.items() if v and k != "page"}
    _log_page(request, AccessLog.Action.SEARCH if filters.get("q") else AccessLog.Action.LIST, page, query)
    context = {"form": form, "page": page, "query": query}
    template = "children/_list_table.html" if request.htmx else "children/list.html"
    return render(request, template, context)


@require_GET
@role_required(CHILD_ROLES)
def risk_list(request):
    page = Paginator(selectors.risk_list(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    _log_page(request, AccessLog.Action.LIST, page, {"list": "risk"})
    return render(request, "children/risk.html", {"page": page})


@require_GET
@role_required(CHILD_ROLES)
def child_detail(request, pk):
    child = selectors.child_detail(request.user, pk)
    access_log_record(request=request, action=AccessLog.Action.VIEW, object_type="children.child", object_ids=[child.pk])
    return render(request, "children/detail.html", {
        "child": child,
        "flags": selectors.child_flags(child),
        "timeline": selectors.child_timeline(child)[:50],
        "may_unmask": may_unmask(request.user),
    })


@require_GET
@role_required(CHILD_ROLES)
def child_identifiers(request, pk):
    """The full ID number and phones, on request, logged. htmx swaps them into the page."""
    child = selectors.child_detail(request.user, pk)
    if not may_unmask(request.user):
        messages.error(request, "您的角色不能查看完整证件号码。")
        return redirect("children:detail", pk=pk)
    access_log_record(
        request=request, action=AccessLog.Action.VIEW, object_type="children.child",
        object_ids=[child.pk], query={"fields": "identifiers"},
    )
    return render(request, "children/_identifiers.html", {"child": child, "full": True})
