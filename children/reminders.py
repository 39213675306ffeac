"""Reminder rules over the registry's data, registered with the core's rule registry from
``ChildrenConfig.ready``. Each rule is a set-based query (plus one for the recipients);
the period is the step of waiting reached, so each step is reminded once.

- 名册待确认: a roster checked and waiting for the school to confirm the import, after 2,
  7 and 14 days -> the person who uploaded it.
- 转学申请待本区县处理 (on demand): a transfer request reaching the district that decides it
  (the holding one, then the receiving one for a move into another county).
- 转学申请待处理: a transfer request waiting for the district whose turn it is, after 3, 7
  and 14 days -> that district's staff.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from huzhou_care.accounts.models import Role, User
from huzhou_care.notify.registry import Due, Rule, register

from .models import RosterUpload, TransferRequest

ROSTER_WAITING_STEPS = (2, 7, 14)
TRANSFER_WAITING_STEPS = (3, 7, 14)


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _step(days: int, steps) -> int | None:
    reached = [s for s in steps if days >= s]
    return reached[-1] if reached else None


def _waited(since: dt.datetime, run_date: dt.date) -> int:
    return (run_date - timezone.localdate(since)).days


def roster_waiting(run_date: dt.date):
    # Uploaded on or before run_date - first step (and before run_date ends: the date is honoured).
    cutoff = _start_of(run_date - dt.timedelta(days=ROSTER_WAITING_STEPS[0] - 1))
    uploads = RosterUpload.objects.filter(
        status=RosterUpload.Status.PREVIEW,
        uploaded_at__lt=cutoff,
        uploaded_by__is_active=True,
    ).only("pk", "uploaded_at", "uploaded_by_id", "original_name", "rows")
    for upload in uploads:
        days = _waited(upload.uploaded_at, run_date)
        step = _step(days, ROSTER_WAITING_STEPS)
        yield Due(
            recipient_id=upload.uploaded_by_id,
            target=upload,
            period=f"d{step}",
            text=(
                f"名册《{upload.original_name}》（{upload.rows} 行）已检查完毕，"
                f"上传于 {timezone.localdate(upload.uploaded_at):%Y-%m-%d}，已等待确认 {days} 天。"
                "确认导入后数据才会写入信息库；如不再需要，请取消。"
            ),
            url=reverse("children:roster_detail", args=[upload.pk]),
        )


def transfer_waiting(run_date: dt.date):
    cutoff = _start_of(run_date - dt.timedelta(days=TRANSFER_WAITING_STEPS[0] - 1))
    receiving = TransferRequest.Stage.RECEIVING
    requests = list(
        TransferRequest.objects.filter(status=TransferRequest.Status.PENDING)
        .filter(
            Q(stage=TransferRequest.Stage.HOLDING, requested_at__lt=cutoff)
            | Q(stage=receiving, released_at__lt=cutoff)
        )
        .select_related("child", "to_school")
        .only(
            "pk", "stage", "requested_at", "released_at", "child__county_id",
            "to_school__name", "to_school__county_id",
        )
    )  # fmt: skip
    counties = {r.deciding_county_id for r in requests}
    staff: dict[int, list[int]] = {}
    for user_id, county_id in User.objects.filter(
        Q(role=Role.DISTRICT_STAFF), district_id__in=counties, is_active=True
    ).values_list("pk", "district_id"):
        staff.setdefault(county_id, []).append(user_id)
    for request in requests:
        since = request.released_at if request.stage == receiving else request.requested_at
        days = _waited(since, run_date)
        step = _step(days, TRANSFER_WAITING_STEPS)
        for user_id in staff.get(request.deciding_county_id, []):
            yield Due(
                recipient_id=user_id,
                target=request,
                # The receiving district's wait is reminded on its own steps.
                period=f"r{step}" if request.stage == receiving else f"d{step}",
                text=(
                    f"{request.to_school.name}提出的转学申请（编号 {request.pk}）"
                    f"已等待贵区县处理 {days} 天，请及时同意或说明理由不同意。"
                ),
                url=reverse("children:transfer_requests"),
            )


RULES = (
    Rule(
        code="children.transfer_to_decide",
        label="转学申请待本区县处理",
        roles=frozenset({Role.DISTRICT_STAFF}),
        description="有转学申请需要本区县同意时立即通知（跨区县转学需转出、转入两个区县同意）",
    ),
    Rule(
        code="children.roster_waiting",
        label="名册待确认导入",
        collect=roster_waiting,
        roles=frozenset({Role.CITY_ADMIN, Role.DISTRICT_STAFF, Role.SCHOOL_STAFF}),
        description="上传的名册检查完毕但未确认导入（第 2、7、14 天）",
    ),
    Rule(
        code="children.transfer_waiting",
        label="转学申请待处理",
        collect=transfer_waiting,
        roles=frozenset({Role.DISTRICT_STAFF}),
        description="转学申请等待本区县处理（第 3、7、14 天）",
    ),
)


def register_rules() -> None:
    for rule in RULES:
        register(rule)
