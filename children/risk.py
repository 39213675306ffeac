"""Risk flags (early warning): each with its label and the condition that raises it. Shared by
the list filters, the risk list, the home counts and the partial indexes that keep them fast."""

from django.db.models import Q

from . import choices as c

RISK_FLAGS = {
    "unguarded": ("无人监护", Q(guardianship_type=c.GuardianshipType.NONE)),
    "poor_guardianship": ("监护情况差", Q(guardianship_assessment=c.GuardianshipAssessment.POOR)),
    "disabled": ("残疾", Q(health=c.Health.DISABLED)),
    "ill": ("患病", Q(health=c.Health.ILL)),
    "low_income": ("低保", Q(low_income=True)),
    "in_difficulty": ("困境儿童", Q(in_difficulty=True)),
}
# The flags that put a child on the early-warning list.
EARLY_WARNING = ("unguarded", "poor_guardianship", "disabled", "ill")
