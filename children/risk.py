"""Risk flags (early warning): each with its label, the query condition that finds the
children it applies to, and the same test on one child. Shared by the list filters, the risk
list, the home counts, the child page and the partial indexes that keep the counts fast."""

from collections.abc import Callable
from functools import cache
from importlib import import_module
from importlib.util import find_spec
from typing import NamedTuple

from django.apps import apps
from django.db.models import Q

from . import choices as c


class RiskFlag(NamedTuple):
    label: str
    condition: Q
    applies: Callable[[object], bool]


RISK_FLAGS = {
    "unguarded": RiskFlag(
        "无人监护",
        Q(guardianship_type=c.GuardianshipType.NONE),
        lambda child: child.guardianship_type == c.GuardianshipType.NONE,
    ),
    "poor_guardianship": RiskFlag(
        "监护情况差",
        Q(guardianship_assessment=c.GuardianshipAssessment.POOR),
        lambda child: child.guardianship_assessment == c.GuardianshipAssessment.POOR,
    ),
    "disabled": RiskFlag(
        "残疾", Q(health=c.Health.DISABLED), lambda child: child.health == c.Health.DISABLED
    ),
    "ill": RiskFlag("患病", Q(health=c.Health.ILL), lambda child: child.health == c.Health.ILL),
    "low_income": RiskFlag("低保", Q(low_income=True), lambda child: bool(child.low_income)),
    "in_difficulty": RiskFlag(
        "困境儿童", Q(in_difficulty=True), lambda child: bool(child.in_difficulty)
    ),
}
# The flags that put a child on the early-warning list.
EARLY_WARNING = ("unguarded", "poor_guardianship", "disabled", "ill")


@cache
def _contributions() -> tuple[dict, tuple]:
    """Flags other apps add (pairing's "未结对", "紧急跟进"): each app's ``risk`` module with its
    own ``RISK_FLAGS`` and ``EARLY_WARNING``, found through the app registry, so that the
    registry names no app above it. Their conditions may use subqueries, so they have no
    partial index and are not part of ``RISK_FLAGS``."""
    flags, warning = {}, ()
    for config in apps.get_app_configs():
        module = f"{config.name}.risk"
        if config.name == __package__ or find_spec(module) is None:
            continue
        found = import_module(module)
        flags.update(getattr(found, "RISK_FLAGS", {}))
        warning += tuple(getattr(found, "EARLY_WARNING", ()))
    return flags, warning


def contributed_flags() -> dict[str, RiskFlag]:
    return _contributions()[0]


def all_flags() -> dict[str, RiskFlag]:
    return {**RISK_FLAGS, **contributed_flags()}


def early_warning() -> tuple[str, ...]:
    """Every flag that puts a child on the early-warning list, the contributed ones too."""
    return EARLY_WARNING + _contributions()[1]


def flag_choices() -> list[tuple[str, str]]:
    return [(key, flag.label) for key, flag in all_flags().items()]
