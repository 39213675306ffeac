"""Risk flags that pairings add to the registry's (read by ``children.risk`` through the app
registry): a child with no active pairing of any kind, and a child with an open urgent
follow-up, which puts the child on the district's early-warning list at once."""

from django.db.models import Exists, OuterRef, Q

from children.risk import RiskFlag

from .models import ChildPairing, Visit


def _unpaired() -> Q:
    return ~Q(Exists(ChildPairing.objects.active().filter(child_id=OuterRef("pk"))))


def _urgent() -> Q:
    # A small set: IN (subquery) is evaluated once, then probed.
    return Q(
        pk__in=Visit.objects.open_follow_ups().filter(follow_up_urgent=True).values("child_id")
    )


def _applies(condition):
    def applies(child) -> bool:
        return type(child).objects.filter(pk=child.pk).filter(condition()).exists()

    return applies


RISK_FLAGS = {
    "no_pairing": RiskFlag("未结对", _unpaired(), _applies(_unpaired)),
    "urgent_follow_up": RiskFlag("紧急跟进", _urgent(), _applies(_urgent)),
}
# The flags that put a child on the early-warning list.
EARLY_WARNING = ("urgent_follow_up",)
