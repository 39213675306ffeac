"""Reads for the role home pages: what this user can see across the apps, counted in SQL.

The home page combines several apps (the registry today; volunteers, pairings and campaign
figures later), so it lives in the top app, not in the core."""

from django.db.models import Count

from children.models import Child
from children.risk import RISK_FLAGS
from huzhou_care.accounts.models import Role
from huzhou_care.orgs.models import Organization, OrgUnit, School

# Figures shown to city officers are aggregates; a cell under this many children is hidden so
# that no small group of children can be singled out.
SMALL_COUNT_THRESHOLD = 5


def suppress_small(n: int | None) -> int | None:
    return None if n is not None and 0 < n < SMALL_COUNT_THRESHOLD else n


def home_summary(user) -> dict:
    """A fixed, small number of queries whatever the registry size: each risk count is one
    index-only count over its partial index; the city's total is the sum of the county
    totals, which are one grouped query."""
    summary = {
        "schools": School.objects.visible_to(user).count(),
        "organizations": Organization.objects.visible_to(user).count(),
    }
    per_county = _county_counts() if user.sees_whole_city else None
    if per_county is not None:
        summary["by_county"] = [
            {"county": county, "children": suppress_small(per_county.get(county.pk, 0))}
            for county in OrgUnit.objects.filter(level=OrgUnit.Level.COUNTY)
        ]
    if user.role in (Role.CITY_ADMIN, Role.DISTRICT_STAFF, Role.SCHOOL_STAFF):
        children = Child.objects.visible_to(user).active()

        def flagged(*flags):
            return sum(children.filter(RISK_FLAGS[flag].condition).count() for flag in flags)

        summary["children"] = {
            "total": sum(per_county.values()) if per_county is not None else children.count(),
            "unguarded": flagged("unguarded"),
            "poor_guardianship": flagged("poor_guardianship"),
            "disabled_or_ill": flagged("disabled", "ill"),  # exclusive values of one column
            "low_income": flagged("low_income"),
        }
    return summary


def _county_counts() -> dict[int, int]:
    """Active children per county id: one grouped, index-only query."""
    return dict(
        Child.objects.active()
        .order_by()
        .values_list("county_id")
        .annotate(n=Count("pk"))
        .values_list("county_id", "n")
    )
