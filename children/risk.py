"""Risk flags (early warning): each with its label, the query condition that finds the
children it applies to, and the same test on one child. Shared by the list filters, the risk
list, the home counts, the child page and the partial indexes that keep the counts fast."""

from collections.abc import Callable
from typing import NamedTuple

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
