"""Reads for the home page: what this user can see, counted in SQL."""

from django.db.models import Count, Q

from children.models import Child
from huzhou_care.orgs.models import Organization, OrgUnit, School

from .models import Role

# Figures shown to city officers are aggregates; a cell under this many children is hidden so
# that no small group of children can be singled out.
SMALL_COUNT_THRESHOLD = 5


def suppress_small(n: int | None) -> int | None:
    return None if n is not None and 0 < n < SMALL_COUNT_THRESHOLD else n


def home_summary(user) -> dict:
    summary = {
        "schools": School.objects.visible_to(user).count(),
        "organizations": Organization.objects.visible_to(user).count(),
    }
    if user.sees_child_records and user.role in (Role.CITY_ADMIN, Role.DISTRICT_STAFF, Role.SCHOOL_STAFF):
        children = Child.objects.visible_to(user).active()
        summary["children"] = children.aggregate(
            total=Count("pk"),
            unguarded=Count("pk", filter=Q(guardianship_type="none")),
            poor_guardianship=Count("pk", filter=Q(guardianship_assessment="poor")),
            disabled_or_ill=Count("pk", filter=Q(health__in=["disabled", "ill"])),
            low_income=Count("pk", filter=Q(low_income=True)),
        )
    if user.sees_whole_city:
        summary["by_county"] = county_totals()
    return summary


def county_totals() -> list[dict]:
    """Active children per county: one grouped query, small counts suppressed."""
    counts = dict(
        Child.objects.active().values_list("county_id").annotate(n=Count("pk")).values_list("county_id", "n")
    )
    return [
        {"county": county, "children": suppress_small(counts.get(county.pk, 0))}
        for county in OrgUnit.objects.filter(level=OrgUnit.Level.COUNTY)
    ]
