"""Writes for the programmes. Each service is atomic, refuses with a Chinese ValidationError,
and records the change in the audit trail (audit.ChangeRecord) in the same transaction. State
changes are conditional updates: when two people act at once, the database decides and the
loser gets a message, never a 500."""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from children.choices import Health
from children.models import Child
from children.services import child_update
from huzhou_care.accounts.models import Role
from huzhou_care.audit.models import ChangeRecord
from huzhou_care.audit.services import ChangeSource, changes_record
from huzhou_care.files.checks import DOCUMENT_KINDS, IMAGE_KINDS
from huzhou_care.files.services import stored_file_create
from huzhou_care.text import clean_name, clean_text
from volunteers.models import ServiceRecord, Volunteer

from .models import (
    Activity,
    ActivityChild,
    ActivityPhoto,
    ActivityVolunteer,
    AidRecord,
    Facility,
    FollowUp,
    GuardianshipReview,
    SupportPlan,
    SupportReview,
    Venue,
    VenuePhoto,
    Wish,
    WishClaim,
)

PHOTO_FOLDER = "campaign/programmes"
#: Public claims allowed per IP address per window (the wall's claim form).
CLAIM_LIMIT = 5
CLAIM_WINDOW_SECONDS = 3600

WS = Wish.Status
CS = WishClaim.Status


def _audit(obj, action: str, changes: dict, user, reason: str = "") -> None:
    changes_record(
        model=type(obj),
        entries=[(obj.pk, action, changes)],
        source=ChangeSource(user if getattr(user, "pk", None) else None),
        reason=reason,
    )


def _text(value, limit: int, *, multiline: bool = False) -> str:
    return clean_text(str(value or ""), multiline=multiline).strip()[:limit]


def _district_of(user):
    if user.role == Role.DISTRICT_STAFF:
        return user.district
    if user.role == Role.SCHOOL_STAFF and user.school_id:
        return user.school.county
    if user.role == Role.ORG_COORDINATOR and user.organization_id:
        return user.organization.county
    return None


def _photo(*, model, owner_field: str, owner, uploaded, caption, shows_child, consent, user):
    stored = stored_file_create(
        uploaded=uploaded, allowed=IMAGE_KINDS, folder=PHOTO_FOLDER, user=user
    )
    photo = model.objects.create(
        **{owner_field: owner},
        file=stored,
        caption=_text(caption, 200),
        shows_child=bool(shows_child),
        consent_recorded=bool(shows_child and consent),
    )
    _audit(owner, ChangeRecord.Action.UPDATE, {"photo": [None, photo.pk]}, user)
    return photo


# --- Venues ----------------------------------------------------------------------------------


@transaction.atomic
def venue_create(*, data: dict, user) -> Venue:
    if user.role not in (Role.CITY_ADMIN, Role.DISTRICT_STAFF):
        raise ValidationError("只有团市委和区县团委可以登记关爱阵地。")
    township = data["township"]
    county = township.parent
    if user.role == Role.DISTRICT_STAFF and county.pk != user.district_id:
        raise ValidationError("只能登记本区县的关爱阵地。")
    facilities = [f for f in data.get("facilities") or [] if f in Facility.values]
    venue = Venue(
        name=clean_name(str(data["name"]))[:100],
        kind=data["kind"],
        county=county,
        township=township,
        address=_text(data["address"], 200),
        managed_by=_text(data["managed_by"], 100),
        opening_hours=_text(data.get("opening_hours"), 100),
        facilities=facilities,
        created_by=user,
    )
    venue.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            venue.save()
    except IntegrityError:
        raise ValidationError("本区县已有同名的关爱阵地。") from None
    _audit(venue, ChangeRecord.Action.CREATE, {"name": [None, venue.name]}, user)
    return venue


def venue_add_photo(*, venue: Venue, uploaded, caption="", shows_child=False, consent=False, user):
    if user.role not in (Role.CITY_ADMIN, Role.DISTRICT_STAFF):
        raise ValidationError("只有团市委和区县团委可以上传阵地照片。")
    with transaction.atomic():
        return _photo(
            model=VenuePhoto,
            owner_field="venue",
            owner=venue,
            uploaded=uploaded,
            caption=caption,
            shows_child=shows_child,
            consent=consent,
            user=user,
        )


# --- Activities ------------------------------------------------------------------------------


def _organiser_allowed(user, team, organization) -> bool:
    if user.is_city_admin:
        return True
    if user.role == Role.DISTRICT_STAFF:
        county = team.county_id if team else organization.county_id
        return county == user.district_id
    if user.role == Role.SCHOOL_STAFF:
        return bool(team) and team.school_id == user.school_id
    if user.role == Role.ORG_COORDINATOR:
        own = team.organization_id if team else organization.pk
        return own == user.organization_id
    return False


@transaction.atomic
def activity_create(
    *, data: dict, volunteers=(), children=(), user, today: dt.date | None = None
) -> Activity:
    """Record an activity. Each volunteer who served gets a 待审核 service-hour record for the
    organising team; each child named must be in the recorder's own scope (the organiser's);
    other children are counted anonymously."""
    team, organization = data.get("team"), data.get("organization")
    if not team and not organization:
        raise ValidationError("请选择组织队伍或组织单位。")
    if team and organization:
        organization = None
    if not _organiser_allowed(user, team, organization):
        raise ValidationError("只能登记本单位（本队伍）组织的活动。")
    venue, online = data.get("venue"), data.get("online") or ""
    if bool(venue) == bool(online):
        raise ValidationError("请选择活动阵地，或选择线上平台（二选一）。")
    if venue and not Venue.objects.visible_to(user).filter(pk=venue.pk).exists():
        raise ValidationError("所选活动阵地不在本单位范围内。")
    starts_at = data["starts_at"]
    today = today or timezone.localdate()
    if timezone.localtime(starts_at).date() > today:
        raise ValidationError("活动尚未开展，不能登记。")
    county = (
        venue.county
        if venue
        else (team.county if team and team.county_id else None)
        or (organization.county if organization else None)
        or _district_of(user)
    )
    if county is None:
        raise ValidationError("请选择活动阵地（以确定活动所属区县）。")
    volunteers = list(volunteers)
    if volunteers and not team:
        raise ValidationError("登记志愿者服务时长须选择组织队伍。")
    if volunteers:
        visible = set(
            Volunteer.objects.visible_to(user)
            .filter(pk__in=[v.pk for v in volunteers])
            .values_list("pk", flat=True)
        )
        outside = [v.name for v in volunteers if v.pk not in visible]
        if outside:
            raise ValidationError(f"以下志愿者不在本队伍（本单位）范围内：{'、'.join(outside)}")
    children = list(children)
    if children:
        visible = set(
            Child.objects.visible_to(user)
            .active()
            .filter(pk__in=[c.pk for c in children])
            .values_list("pk", flat=True)
        )
        if len(visible) != len({c.pk for c in children}):
            raise ValidationError(
                "所选儿童中有不在本单位范围内的儿童，不能登记为服务对象；可计入“其他参与儿童”人数。"
            )
    activity = Activity(
        programme=data["programme"],
        kind=data["kind"],
        title=clean_name(str(data["title"]))[:80],
        team=team,
        organization=None if team else organization,
        county=county,
        venue=venue,
        online="" if venue else online,
        starts_at=starts_at,
        hours=data["hours"],
        anonymous_count=data.get("anonymous_count") or 0,
        summary=_text(data.get("summary"), 4000, multiline=True),
        created_by=user,
    )
    activity.full_clean()
    activity.save()
    day = timezone.localtime(starts_at).date()
    name = f"{activity.title[:80]}（活动{activity.pk}）"
    for volunteer in volunteers:
        record = ServiceRecord.objects.create(
            volunteer=volunteer,
            team=team,
            service_date=day,
            hours=decimal.Decimal(activity.hours),
            activity_name=name,
            programme=activity.programme,
            source=ServiceRecord.Source.ENTERED,
            state=ServiceRecord.State.PENDING,
        )
        ActivityVolunteer.objects.create(activity=activity, volunteer=volunteer, record=record)
    ActivityChild.objects.bulk_create(
        [ActivityChild(activity=activity, child=c) for c in {c.pk: c for c in children}.values()]
    )
    _audit(
        activity,
        ChangeRecord.Action.CREATE,
        {
            "title": [None, activity.title],
            "volunteers": [None, len(volunteers)],
            "children": [None, len(children)],
            "anonymous_count": [None, activity.anonymous_count],
        },
        user,
    )
    return activity


def activity_add_photo(
    *, activity: Activity, uploaded, caption="", shows_child=False, consent=False, user
):
    if user.role == Role.CITY_OFFICER:
        raise ValidationError("市级部门人员不能上传活动照片。")
    with transaction.atomic():
        return _photo(
            model=ActivityPhoto,
            owner_field="activity",
            owner=activity,
            uploaded=uploaded,
            caption=caption,
            shows_child=shows_child,
            consent=consent,
            user=user,
        )


# --- Micro-wishes ----------------------------------------------------------------------------


def _mentions_identity(text: str, child: Child) -> bool:
    """The wish's public text must not carry the child's name, ID number or phones."""
    values = [child.name, child.id_number, child.guardian_phone, child.father_phone]
    values += [child.mother_phone, child.guardian_name, child.father_name, child.mother_name]
    return any(v and len(v) >= 2 and v in text for v in values)


@transaction.atomic
def wish_collect(*, child: Child, data: dict, user) -> Wish:
    """A school or a district collects a child's wish; it waits for the district's review.
    Wishes of 低保 children are flagged priority."""
    if user.role not in (Role.CITY_ADMIN, Role.DISTRICT_STAFF, Role.SCHOOL_STAFF):
        raise ValidationError("只有学校和区县团委可以征集微心愿。")
    if not Child.objects.visible_to(user).active().filter(pk=child.pk).exists():
        raise ValidationError("只能为本单位在册的儿童征集心愿。")
    item = _text(data["item"], 60)
    story = _text(data.get("story"), 300)
    if not item:
        raise ValidationError({"item": "请填写心愿物品。"})
    if _mentions_identity(f"{item} {story}", child):
        raise ValidationError(
            {"story": "心愿会公开展示，请不要写入儿童或家长的姓名、身份证号、电话。"}
        )
    value = decimal.Decimal(data["estimated_value"])
    if value < 0:
        raise ValidationError({"estimated_value": "估价不能为负数。"})
    wish = Wish.objects.create(
        child=child,
        item=item,
        estimated_value=value,
        story=story,
        priority=bool(child.low_income),
        collected_by=user,
    )
    _audit(wish, ChangeRecord.Action.CREATE, {"status": [None, wish.status]}, user)
    return wish


def _require_district(user, wish: Wish) -> None:
    if user.is_city_admin:
        return
    if user.role == Role.DISTRICT_STAFF and wish.child.county_id == user.district_id:
        return
    raise ValidationError("该操作须由儿童所在区县团委办理。")


def _move(wish: Wish, frm, to: str, user, reason: str = "", **fields) -> Wish:
    """Conditional update: only from the expected state(s); otherwise a Chinese refusal."""
    frm = (frm,) if isinstance(frm, str) else tuple(frm)
    done = Wish.objects.filter(pk=wish.pk, status__in=frm).update(status=to, **fields)
    if not done:
        current = Wish.objects.get(pk=wish.pk)
        raise ValidationError(
            f"该心愿当前状态为“{current.get_status_display()}”，不能执行此操作（可能已被他人处理，请刷新）。"
        )
    before = wish.status
    wish.refresh_from_db()
    _audit(wish, ChangeRecord.Action.UPDATE, {"status": [before, to]}, user, reason)
    return wish


@transaction.atomic
def wish_review(*, wish: Wish, approve: bool, note: str = "", user) -> Wish:
    _require_district(user, wish)
    note = _text(note, 200)
    if not approve and not note:
        raise ValidationError("不通过时请填写原因。")
    return _move(
        wish,
        WS.COLLECTED,
        WS.PUBLISHED if approve else WS.REJECTED,
        user,
        note,
        reviewed_by=user,
        reviewed_at=timezone.now(),
        review_note=note,
    )


def client_key(ip: str | None) -> str:
    digest = hashlib.sha256((ip or "unknown").encode()).hexdigest()[:32]
    return f"wishwall:claims:{digest}"


def claim_rate_check(ip: str | None) -> None:
    """At most CLAIM_LIMIT public claims per IP address per window, counted in the cache
    (Redis in production, shared by every web node). Refuses with a Chinese message."""
    key = client_key(ip)
    cache.add(key, 0, CLAIM_WINDOW_SECONDS)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, CLAIM_WINDOW_SECONDS)
        count = 1
    if count > CLAIM_LIMIT:
        raise ValidationError("提交过于频繁，请一小时后再试。")


def wish_claim(*, wish_id: int, kind: str, name: str, phone: str) -> WishClaim:
    """A member of the public, an organisation or a volunteer claims a published wish from
    the wall. The claim waits for the district's confirmation. Only one live claim per wish:
    the conditional update and the partial unique constraint decide between two at once."""
    name = clean_name(name or "")[:60]
    phone = "".join(ch for ch in clean_text(phone or "") if ch.isdigit())
    if not name:
        raise ValidationError({"name": "请填写姓名或单位名称。"})
    if len(phone) != 11 or not phone.startswith("1"):
        raise ValidationError({"phone": "请填写 11 位手机号码。"})
    if kind not in WishClaim.Kind.values:
        raise ValidationError({"kind": "请选择认领人类型。"})
    try:
        with transaction.atomic():
            wish = Wish.objects.select_for_update().filter(pk=wish_id).first()
            if wish is None or wish.status not in Wish.WALL_STATES:
                raise ValidationError("没有找到该心愿。")
            if wish.status != WS.PUBLISHED:
                raise ValidationError("该心愿已被认领，请选择其他心愿。")
            claim = WishClaim.objects.create(wish=wish, kind=kind, name=name, phone=phone)
            _move(wish, WS.PUBLISHED, WS.CLAIM_PENDING, None, f"认领：{claim.pk}")
    except IntegrityError:
        raise ValidationError("该心愿已被认领，请选择其他心愿。") from None
    return claim


@transaction.atomic
def claim_decide(*, wish: Wish, confirm: bool, user) -> Wish:
    """The district confirms a pending claim (the wish is claimed) or declines it (the wish
    goes back to the wall)."""
    _require_district(user, wish)
    claim = wish.claims.select_for_update().filter(status=CS.PENDING).first()
    if claim is None:
        raise ValidationError("该心愿没有待确认的认领。")
    now = timezone.now()
    if confirm:
        WishClaim.objects.filter(pk=claim.pk).update(
            status=CS.CONFIRMED, confirmed_at=now, decided_by=user
        )
        return _move(wish, WS.CLAIM_PENDING, WS.CLAIMED, user, f"确认认领：{claim.pk}")
    WishClaim.objects.filter(pk=claim.pk).update(status=CS.DECLINED, decided_by=user)
    return _move(wish, WS.CLAIM_PENDING, WS.PUBLISHED, user, f"未确认认领：{claim.pk}")


@transaction.atomic
def wish_fulfil(
    *,
    wish: Wish,
    evidence,
    fulfilled_on: dt.date | None,
    consent: bool = False,
    user,
    today: dt.date | None = None,
) -> Wish:
    """Record the wish as fulfilled, with a photo and the date as evidence."""
    if user.role == Role.SCHOOL_STAFF:
        if wish.child.school_id != user.school_id:
            raise ValidationError("只能为本校儿童的心愿登记圆梦。")
    else:
        _require_district(user, wish)
    if evidence is None or not fulfilled_on:
        raise ValidationError("请上传圆梦照片并填写圆梦日期。")
    today = today or timezone.localdate()
    if fulfilled_on > today:
        raise ValidationError("圆梦日期不能晚于今天。")
    if wish.status != WS.CLAIMED:
        raise ValidationError(
            f"该心愿当前状态为“{wish.get_status_display()}”，只有已认领的心愿才能登记圆梦。"
        )
    stored = stored_file_create(
        uploaded=evidence, allowed=IMAGE_KINDS, folder=PHOTO_FOLDER, user=user
    )
    _move(
        wish,
        WS.CLAIMED,
        WS.FULFILLED,
        user,
        evidence=stored,
        fulfilled_on=fulfilled_on,
        evidence_consent=bool(consent),
    )
    wish.claims.filter(status=CS.CONFIRMED).update(status=CS.FULFILLED)
    return wish


def claim_overdue_since(wish: Wish):
    claim = wish.claims.filter(status=CS.CONFIRMED).first()
    if claim is None:
        return None
    return claim.confirmed_at + dt.timedelta(days=Wish.RELEASE_AFTER_DAYS)


@transaction.atomic
def wish_release(*, wish: Wish, user, now=None) -> Wish:
    """A claimed wish not fulfilled within 30 days of the confirmation goes back to the wall."""
    _require_district(user, wish)
    now = now or timezone.now()
    if wish.status != WS.CLAIMED:
        raise ValidationError("只有已认领、尚未圆梦的心愿可以释放。")
    due = claim_overdue_since(wish)
    if due is None or due > now:
        raise ValidationError(
            f"认领未满 {Wish.RELEASE_AFTER_DAYS} 天，不能释放"
            + (f"（{timezone.localtime(due):%Y-%m-%d} 后可释放）" if due else "")
            + "。"
        )
    wish.claims.filter(status=CS.CONFIRMED).update(status=CS.RELEASED)
    return _move(wish, WS.CLAIMED, WS.PUBLISHED, user, "认领逾期未圆梦，释放")


# --- Aid, support plans, guardianship follow-up ------------------------------------------


def _child_in_scope(child: Child, user) -> None:
    if user.role not in (Role.CITY_ADMIN, Role.DISTRICT_STAFF, Role.SCHOOL_STAFF):
        raise ValidationError("只有学校和区县团委可以登记。")
    if not Child.objects.visible_to(user).filter(pk=child.pk).exists():
        raise ValidationError("该儿童不在本单位范围内。")


@transaction.atomic
def aid_create(*, child: Child, data: dict, user) -> AidRecord:
    _child_in_scope(child, user)
    amount = data.get("amount")
    items = _text(data.get("items"), 200)
    if not amount and not items:
        raise ValidationError("请填写资助金额或资助物品。")
    if amount is not None and amount <= 0:
        raise ValidationError({"amount": "金额须大于 0。"})
    record = AidRecord(
        child=child,
        kind=data["kind"],
        amount=amount or None,
        items=items,
        given_on=data["given_on"],
        source=data["source"],
        note=_text(data.get("note"), 200),
        created_by=user,
    )
    record.full_clean()
    record.save()
    _audit(record, ChangeRecord.Action.CREATE, {"kind": [None, record.kind]}, user)
    return record


@transaction.atomic
def plan_create(*, child: Child, data: dict, user) -> SupportPlan:
    _child_in_scope(child, user)
    if child.health != Health.DISABLED:
        raise ValidationError("一人一案用于残疾留守儿童；该儿童的身体状况不是“残疾”。")
    if data["next_review_on"] <= data["starts_on"]:
        raise ValidationError({"next_review_on": "下次评估日期须晚于开始日期。"})
    if SupportPlan.objects.filter(child=child, status=SupportPlan.Status.ACTIVE).exists():
        raise ValidationError("该儿童已有实施中的一人一案，请在原方案中评估调整。")
    plan = SupportPlan(
        child=child,
        education=_text(data["education"], 4000, multiline=True),
        home_teaching=_text(data.get("home_teaching"), 4000, multiline=True),
        rehabilitation=_text(data.get("rehabilitation"), 4000, multiline=True),
        starts_on=data["starts_on"],
        next_review_on=data["next_review_on"],
        created_by=user,
    )
    plan.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            plan.save()
    except IntegrityError:
        raise ValidationError("该儿童已有实施中的一人一案。") from None
    _audit(plan, ChangeRecord.Action.CREATE, {"status": [None, plan.status]}, user)
    return plan


@transaction.atomic
def plan_review(*, plan: SupportPlan, data: dict, user) -> SupportReview:
    _child_in_scope(plan.child, user)
    if plan.status != SupportPlan.Status.ACTIVE:
        raise ValidationError("该方案已结案，不能再评估。")
    if data["reviewed_on"] < plan.starts_on:
        raise ValidationError({"reviewed_on": "评估日期不能早于方案开始日期。"})
    close = bool(data.get("close"))
    nxt = data.get("next_review_on")
    if not close and (not nxt or nxt <= data["reviewed_on"]):
        raise ValidationError({"next_review_on": "请填写晚于本次评估的下次评估日期，或选择结案。"})
    review = SupportReview.objects.create(
        plan=plan,
        reviewed_on=data["reviewed_on"],
        progress=_text(data["progress"], 4000, multiline=True),
        next_review_on=None if close else nxt,
        reviewed_by=user,
    )
    before = {"status": plan.status, "next_review_on": str(plan.next_review_on)}
    if close:
        plan.status = SupportPlan.Status.CLOSED
    else:
        plan.next_review_on = nxt
    plan.save(update_fields=["status", "next_review_on"])
    _audit(
        plan,
        ChangeRecord.Action.UPDATE,
        {
            "status": [before["status"], plan.status],
            "next_review_on": [before["next_review_on"], str(plan.next_review_on)],
        },
        user,
    )
    return review


@transaction.atomic
def guardianship_review_create(*, child: Child, data: dict, user, document=None):
    """Record a social worker's assessment. Its result becomes the child's current
    guardianship assessment (through the registry's own service, so the child's history
    shows it); a 差 puts the child on the district's early-warning list."""
    _child_in_scope(child, user)
    if data["assessed_on"] > timezone.localdate():
        raise ValidationError({"assessed_on": "评估日期不能晚于今天。"})
    stored = None
    if document is not None:
        stored = stored_file_create(
            uploaded=document,
            allowed=DOCUMENT_KINDS + IMAGE_KINDS,
            folder=f"{PHOTO_FOLDER}/documents",
            user=user,
        )
    review = GuardianshipReview.objects.create(
        child=child,
        assessed_on=data["assessed_on"],
        social_worker=clean_name(data["social_worker"])[:50],
        situation=_text(data["situation"], 4000, multiline=True),
        capacity=_text(data["capacity"], 4000, multiline=True),
        result=data["result"],
        document=stored,
        created_by=user,
    )
    latest = GuardianshipReview.objects.filter(child=child).order_by("-assessed_on", "-pk").first()
    if latest.pk == review.pk and child.guardianship_assessment != review.result:
        child_update(
            child=child,
            data={"guardianship_assessment": review.result},
            source=ChangeSource(user, ChangeRecord.Source.FORM, f"guardianship-review:{review.pk}"),
        )
    _audit(review, ChangeRecord.Action.CREATE, {"result": [None, review.result]}, user)
    return review


@transaction.atomic
def follow_up_create(*, child: Child, data: dict, user) -> FollowUp:
    _child_in_scope(child, user)
    if data["on"] > timezone.localdate():
        raise ValidationError({"on": "日期不能晚于今天。"})
    entry = FollowUp.objects.create(
        child=child,
        kind=data["kind"],
        on=data["on"],
        summary=_text(data["summary"], 4000, multiline=True),
        created_by=user,
    )
    _audit(entry, ChangeRecord.Action.CREATE, {"kind": [None, entry.kind]}, user)
    return entry
