from huzhou_care.accounts.models import Role
from huzhou_care.accounts.navigation import NavEntry

CITY = frozenset({Role.CITY_ADMIN, Role.CITY_OFFICER})
# Venues: places, read by the city, districts, schools and coordinators; written by the
# city and the districts.
VENUE_ROLES = CITY | {Role.DISTRICT_STAFF, Role.SCHOOL_STAFF, Role.ORG_COORDINATOR}
VENUE_WRITE_ROLES = frozenset({Role.CITY_ADMIN, Role.DISTRICT_STAFF})
# Activities: everyone who organises or counts them.
ACTIVITY_ROLES = VENUE_ROLES
ACTIVITY_WRITE_ROLES = frozenset(
    {Role.CITY_ADMIN, Role.DISTRICT_STAFF, Role.SCHOOL_STAFF, Role.ORG_COORDINATOR}
)
# Records about one child (wishes, aid, plans, guardianship): those who hold the registry.
CHILD_CARE_ROLES = frozenset({Role.CITY_ADMIN, Role.DISTRICT_STAFF, Role.SCHOOL_STAFF})

NAV_ENTRIES = [
    NavEntry("关爱阵地", "campaign:venues", "house-heart", VENUE_ROLES, group="关爱项目"),
    NavEntry("关爱活动", "campaign:activities", "people", ACTIVITY_ROLES, group="关爱项目"),
    NavEntry("微心愿", "campaign:wishes", "gift", CHILD_CARE_ROLES, group="关爱项目"),
    NavEntry(
        "资助与一人一案", "campaign:plans", "clipboard-heart", CHILD_CARE_ROLES, group="关爱项目"
    ),
]
