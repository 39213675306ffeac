"""The reminder rule registry. The core knows no app: each app registers the rules whose data
it owns (from its ``AppConfig.ready``), and a rule's ``collect`` runs that app's queries.

A rule::

    from huzhou_care.notify.registry import Due, Rule, register

    def _waiting_uploads(on_date):
        for upload in RosterUpload.objects.filter(...):     # one set-based query
            yield Due(recipient_id=..., target=upload, period="d7", text="…", url="…")

    register(Rule(code="children.roster_waiting", label="名册待确认", collect=_waiting_uploads))

``period`` names the occasion (e.g. the step reached, ``"d7"``, or a deadline offset,
``"D-3"``): the delivery log has a unique constraint on (rule, target, recipient, period),
so a reminder is sent at most once per occasion, however often the run is repeated.
A rule without ``collect`` is for notifications sent on demand (``services.notify``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import models

CHANNELS = ("in_app", "email", "sms")
CHANNEL_LABELS = {"in_app": "站内通知", "email": "电子邮件", "sms": "短信"}


@dataclass(frozen=True)
class Due:
    """One reminder a rule finds due on a date: who gets it, about what, and why."""

    recipient_id: int
    target: models.Model
    period: str
    text: str  # says why it was sent; no personal data of children (it may go by e-mail)
    url: str = ""


@dataclass(frozen=True)
class Rule:
    code: str  # "<app>.<name>", stable: stored in the log and the opt-outs
    label: str  # Chinese, shown in the notification centre and the settings page
    collect: Callable[[dt.date], Iterable[Due]] | None = None
    mandatory: bool = False  # cannot be turned off
    # Channels used unless the user turned them off (in-app is always kept: it is the record).
    channels: tuple[str, ...] = ("in_app", "email")
    # Roles that may receive it (the settings page lists only these); empty: every role.
    roles: frozenset = field(default_factory=frozenset)
    description: str = ""

    def __post_init__(self):
        unknown = set(self.channels) - set(CHANNELS)
        if unknown or "in_app" not in self.channels:
            raise ValueError(f"rule {self.code}: channels must include in_app, from {CHANNELS}")


_RULES: dict[str, Rule] = {}


def register(rule: Rule) -> Rule:
    """Register a rule (idempotent for the same rule; a different rule under a taken code is a
    programming error)."""
    existing = _RULES.get(rule.code)
    if existing is not None and existing != rule:
        raise ValueError(f"reminder rule {rule.code!r} is already registered")
    _RULES[rule.code] = rule
    return rule


def unregister(code: str) -> None:
    """For tests that register a rule of their own."""
    _RULES.pop(code, None)


def get_rule(code: str) -> Rule:
    try:
        return _RULES[code]
    except KeyError:
        raise LookupError(f"no reminder rule {code!r} is registered") from None


def all_rules() -> list[Rule]:
    return sorted(_RULES.values(), key=lambda r: r.code)


def rules_for(user) -> list[Rule]:
    return [r for r in all_rules() if not r.roles or user.role in r.roles]
