"""Writes to the audit tables. Every state-changing service records its change here, inside
its own transaction, so a change and its history entry commit or roll back together."""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from huzhou_care.bulk import RowInserter

from .models import AccessLog, ChangeRecord


@dataclass(frozen=True)
class ChangeSource:
    """Where a change comes from: the acting user, the channel, and e.g. the upload id."""

    actor: object | None
    source: str = ChangeRecord.Source.FORM
    ref: str = ""


def _plain(value):
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    return value


def field_diff(old: Mapping, new: Mapping) -> dict:
    """{field: [old, new]} for the fields whose values differ, JSON-ready."""
    return {
        key: [_plain(old.get(key)), _plain(value)]
        for key, value in new.items()
        if _plain(old.get(key)) != _plain(value)
    }


def protect_changes(protected: Mapping, changes: dict) -> dict:
    """The history keeps no clear value of an encrypted field: it records that the field
    changed, with the masked old and new values (``138****5678``)."""
    if not protected.keys() & changes.keys():
        return changes
    return {
        name: [protected[name].mask(str(v or "")) for v in pair] if name in protected else pair
        for name, pair in changes.items()
    }


def client_ip(request) -> str | None:
    """The client's address as the lockout reads it (django-axes through django-ipware, as
    configured in settings: the forwarded address behind the configured proxies only)."""
    from axes.helpers import get_client_ip_address

    return get_client_ip_address(request) or request.META.get("REMOTE_ADDR") or None


def access_log_record(
    *,
    request,
    action: str,
    object_type: str,
    object_ids: Iterable = (),
    query: Mapping | None = None,
    row_count: int | None = None,
) -> AccessLog:
    user = request.user
    return AccessLog.objects.create(
        user=user,
        role=user.role,
        action=action,
        object_type=object_type,
        object_ids=[int(i) for i in object_ids],
        query=dict(query or {}),
        row_count=row_count,
        ip=client_ip(request),
    )


class ChangeHistory:
    """Writes change records of one model and source batch by batch (COPY on PostgreSQL),
    in the caller's transaction: ``record(entries)`` with (object id, action, changes)."""

    def __init__(self, model: type[models.Model], source: ChangeSource, reason: str = ""):
        self.fixed = {
            "content_type_id": ContentType.objects.get_for_model(model).pk,
            "actor_id": getattr(source.actor, "pk", None),
            "source": source.source,
            "source_ref": source.ref,
            "reason": str(reason),
            "at": timezone.now(),
        }
        self.protected = {f.name: f for f in getattr(model._meta, "encrypted_fields", ())}
        self.inserter = RowInserter(ChangeRecord)

    def record(self, entries: Iterable[tuple[int, str, dict]]) -> int:
        fixed, protected = self.fixed, self.protected
        rows = [
            {
                **fixed,
                "object_id": object_id,
                "action": action,
                "changes": protect_changes(protected, changes)
                if protected and changes
                else changes,
            }
            for object_id, action, changes in entries
        ]
        for start in range(0, len(rows), 5000):
            self.inserter.insert(rows[start : start + 5000])
        return len(rows)


def changes_record(
    *,
    model: type[models.Model],
    entries: Iterable[tuple[int, str, dict]],
    source: ChangeSource,
    reason: str = "",
) -> int:
    """Record many changes in one bulk insert (COPY on PostgreSQL): ``entries`` are
    (object id, action, changes). Runs in the caller's transaction."""
    return ChangeHistory(model, source, reason).record(entries)


def change_history(obj: models.Model):
    ct = ContentType.objects.get_for_model(type(obj))
    return ChangeRecord.objects.filter(content_type=ct, object_id=obj.pk).select_related("actor")
