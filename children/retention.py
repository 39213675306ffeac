"""Retention (PIPL art. 19 and 47): the record of a child who left the registry more than
``CHILD_RETENTION_YEARS`` ago is de-identified, by a beat job and ``deidentify_leavers``.

Kept, because the evaluation's historical counts and the as-of lists read them: county,
township, school, gender, ethnicity, grade, the category fields (left-behind type,
guardianship, health, study, living, low income, difficulty), the guardian's relation, the
registration and leaving dates, status and leave reason, and the birth year.

Reduced: the child's and the guardian's names to the surname and 某 (``王某``; the guardian's
stays filled, which the registry-completeness measure counts), the birth date to 1 January of
its year, the addresses to their county (``浙江省湖州市吴兴区****``, else empty).

Cleared: the ID number (a per-row placeholder ``DEIDENTIFIED-<id>`` takes its place, so that
its unique blind index holds; its masked form is empty), the three phones with their blind indexes and masked forms, the parents' names and
work places, village, class, the disability or illness details and the notes.

The same reductions are applied to what the child's change history holds (its old and new
values, already masked for encrypted fields), to the free-text reasons of those records, to
the child's transfer requests and to the roster preview rows that carry the child's ID number;
the apps above the registry clear their own free text about the child through the
functions they register here (``register_reducer``; pairing: visit notes and home-school
messages; programmes: wish stories and aid notes), called in the same transaction.
The only rewrite of the history the portal makes: the law asks for it. Each de-identified
child gets a history entry of its own (source "system", ref ``retention:<date>``), so one run
is found by its ref. Nothing is decrypted. Work goes in batches, each its own transaction;
a run that stops midway is finished by the next, and a second run changes nothing."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from huzhou_care.audit.models import ChangeRecord
from huzhou_care.audit.services import ChangeSource, changes_record
from huzhou_care.crypto.kinds import mask_address

from . import choices as c
from .models import Child, RosterRow, TransferRequest

logger = logging.getLogger(__name__)

BATCH_SIZE = 500
# Stands for the ID number of a de-identified child (its blind index is unique).
ID_PLACEHOLDER = "DEIDENTIFIED-{pk}"
MSG_DEIDENTIFIED = "该儿童已退出信息库满保存期限，信息已去标识化，不能再修改或恢复。"


def surname(value) -> str:
    """``王小明`` -> ``王某``: the first character only (idempotent)."""
    value = str(value or "").strip()
    return value[:1] + "某" if value else ""


def birth_year(value):
    """A birth date (a date or an ISO string, as the history stores it) -> 1 January."""
    if not value:
        return value
    if isinstance(value, str):
        return dt.date.fromisoformat(value).replace(month=1, day=1).isoformat()
    return value.replace(month=1, day=1)


def county_level(value) -> str:
    """An address (clear or masked) -> its province/city/county part, or nothing."""
    masked = mask_address(str(value or ""))
    return masked if masked.removesuffix("****").endswith(("区", "县", "市")) else ""


def cleared(value):
    return None if value is None else ""


# Field -> how it is reduced; the same functions rewrite the history's values.
REDUCED = {
    "name": surname,
    "guardian_name": surname,
    "birth_date": birth_year,
    "hukou_address": county_level,
    "current_address": county_level,
}
CLEARED = (
    "id_number",
    "guardian_phone",
    "father_name",
    "father_work_place",
    "father_phone",
    "mother_name",
    "mother_work_place",
    "mother_phone",
    "village",
    "class_name",
    "disability_category",
    "notes",
)
HISTORY = {**REDUCED, **dict.fromkeys(CLEARED, cleared)}


# What the apps above the registry keep about a child and clear with it: functions of the
# de-identified children's ids, registered in their AppConfig.ready (children imports none).
_REDUCERS: list = []


def register_reducer(clear) -> None:
    """``clear(ids)`` runs inside each batch's transaction after the registry's own work."""
    if clear not in _REDUCERS:
        _REDUCERS.append(clear)


def retention_years() -> int:
    return int(settings.CHILD_RETENTION_YEARS)


def retention_cutoff(on: dt.date, years: int | None = None) -> dt.date:
    """Children who left before this day left more than ``years`` years before ``on``."""
    years = retention_years() if years is None else years
    try:
        return on.replace(year=on.year - years)
    except ValueError:  # 29 February
        return on.replace(year=on.year - years, day=28)


def leavers_due(on: dt.date):
    return Child.objects.filter(
        status=c.ChildStatus.LEFT,
        left_on__lt=retention_cutoff(on),
        deidentified_on__isnull=True,
    )


def leavers_deidentify(*, on: dt.date | None = None, dry_run: bool = False) -> int:
    """De-identify the children due on ``on`` (default today); returns how many. With
    ``dry_run``, only counts them."""
    on = on or timezone.localdate()
    due = leavers_due(on)
    if dry_run:
        return due.count()
    done = 0
    while ids := list(due.order_by("pk").values_list("pk", flat=True)[:BATCH_SIZE]):
        done += _deidentify_batch(ids, on)
    logger.info("retention: %s children de-identified (left before %s)", done, retention_cutoff(on))
    return done


@transaction.atomic
def _deidentify_batch(ids: list[int], on: dt.date) -> int:
    # Locked and checked again: of two runs at once, the second finds these done.
    children = list(
        Child.objects.select_for_update().filter(pk__in=ids, deidentified_on__isnull=True)
    )
    if not children:
        return 0
    ids = [child.pk for child in children]
    id_indexes = [child.id_number_bidx for child in children]
    for child in children:
        child.name = surname(child.name)
        child.guardian_name = surname(child.guardian_name)
        child.birth_date = birth_year(child.birth_date)
        # From the masked companions: nothing is decrypted. Assigning fills them again.
        child.hukou_address = county_level(child.hukou_address_masked)
        child.current_address = county_level(child.current_address_masked)
        # The ID number's blind index is unique and filled by every load of an empty value:
        # a per-row placeholder, stored sealed like any value, keeps both sound.
        child.id_number = ID_PLACEHOLDER.format(pk=child.pk)
        child.id_number_masked = ""
    Child.objects.bulk_update(
        children,
        [
            "name",
            "guardian_name",
            "birth_date",
            "hukou_address",
            "hukou_address_masked",
            "current_address",
            "current_address_masked",
            "id_number",
            "id_number_bidx",
            "id_number_masked",
        ],
    )
    emptied = {name: "" for name in CLEARED if name != "id_number"}
    for field in Child._meta.encrypted_fields:
        if field.name in emptied:
            emptied.update(dict.fromkeys(filter(None, [field.blind_index, field.masked]), ""))
    Child.objects.filter(pk__in=ids).update(
        **emptied,
        deidentified_on=on,
        updated_at=timezone.now(),
    )
    _history_deidentify(ids)
    _transfers_deidentify(ids)
    _roster_rows_deidentify(id_indexes)
    for clear in _REDUCERS:
        clear(ids)
    changes_record(
        model=Child,
        entries=[(pk, ChangeRecord.Action.UPDATE, {}) for pk in ids],
        source=ChangeSource(None, ChangeRecord.Source.SYSTEM, f"retention:{on.isoformat()}"),
        reason=f"退出信息库满{retention_years()}年，按保存期限去标识化"
        "（姓名只留姓氏，证件号码、电话、住址、父母信息、备注等已清除）",
    )
    return len(ids)


def _history_deidentify(ids: list[int]) -> None:
    content_type = ContentType.objects.get_for_model(Child)
    # Reasons the history may keep: the leave reasons' labels (the rest is free text).
    kept_reasons = {str(label) for label in c.LeaveReason.labels}
    changed = []
    records = ChangeRecord.objects.filter(content_type=content_type, object_id__in=ids)
    for record in records.only("pk", "changes", "reason").iterator(chunk_size=2000):
        changes = {
            name: [HISTORY[name](v) for v in pair] if name in HISTORY else pair
            for name, pair in record.changes.items()
        }
        reason = record.reason if record.reason in kept_reasons else ""
        if changes != record.changes or reason != record.reason:
            record.changes, record.reason = changes, reason
            changed.append(record)
    # A queryset update: the records stay append-only for everything else (save() refuses).
    ChangeRecord.objects.bulk_update(changed, ["changes", "reason"], batch_size=1000)


def _transfers_deidentify(ids: list[int]) -> None:
    requests = list(TransferRequest.objects.filter(child_id__in=ids).only("pk", "asked_name"))
    for request in requests:
        request.asked_name = surname(request.asked_name)
        request.note = request.decision_note = request.released_note = ""
    TransferRequest.objects.bulk_update(
        requests, ["asked_name", "note", "decision_note", "released_note"], batch_size=1000
    )


def _roster_rows_deidentify(id_indexes: list[str]) -> None:
    """Preview rows of old roster uploads that carried these children's ID numbers."""
    rows = list(RosterRow.objects.filter(id_number_bidx__in=id_indexes).only("pk", "name"))
    for row in rows:
        row.name = surname(row.name)
        row.id_number = ""  # fills the blind index and masked form, empty
    RosterRow.objects.bulk_update(
        rows, ["name", "id_number", "id_number_bidx", "id_number_masked"], batch_size=1000
    )
