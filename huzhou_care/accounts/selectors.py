"""Reads for the home page: what this user can see, counted in SQL."""

from django.db.models import Count

from children.models import Child
from children.risk import RISK_FLAGS
from huzhou_care.orgs.models import Organization, OrgUnit, School

from .models import Role

# Figures shown to city officers are aggregates; a cell under this many children is hidden so
# that no small group of children can be singled out.
SMALL_COUNT_THRESHOLD = 5


def suppress_small(n: int | None) -> int | None:
    return None if n is not None and 0 < n < SMALL_COUNT_THRESHOLD else n


def home_summary(user) -> dict:
    """A fixed, small number of queries whatever the registry size: each risk count is served
    by its partial index; the city's total is the sum of the county totals."""
    summary = {
        "schools": School.objects.visible_to(user).count(),
        "organizations": Organization.objects.visible_to(user).count(),
    }
    if user.sees_whole_city:
        summary["by_county"] = county_totals()
    if user.role in (Role.CITY_ADMIN, Role.DISTRICT_STAFF, Role.SCHOOL_STAFF):
        children = Child.objects.visible_to(user).active()
        if user.role == Role.CITY_ADMIN:
            total = sum(row["children"] or 0 for row in county_totals(suppress=False))
        else:
            total = children.count()
        summary["children"] = {
            "total": total,
            "unguarded": children.filter(RISK_FLAGS["unguarded"][1]).count(),
            "poor_guardianship": children.filter(RISK_FLAGS["poor_guardianship"][1]).count(),
            "disabled_or_ill": children.filter(RISK_FLAGS["disabled"][1] | RISK_FLAGS["ill"][1]).count(),
            "low_income": children.filter(RISK_FLAGS["low_income"][1]).count(),
        }
    return summary


def county_totals(*, suppress: bool = True) -> list[dict]:
    """Active children per county: one grouped query (an index-only scan of the county
    index); counts under the threshold are hidden unless ``suppress`` is off."""
    counts = dict(Child.objects.active().values_list("county_id").annotate(n=Count("pk")).values_list("county_id", "n"))
    show = suppress_small if suppress else (lambda n: n)
    return [
        {"county": county, "children": show(counts.get(county.pk, 0))}
        for county in OrgUnit.objects.filter(level=OrgUnit.Level.COUNTY)
    ]
