from huzhou_care.accounts.models import Role
from huzhou_care.accounts.navigation import ALL_ROLES, NavEntry

# Units that owe reports and act for themselves (draft, submit, apply, nominate).
UNIT_ROLES = frozenset({Role.DISTRICT_STAFF, Role.SCHOOL_STAFF, Role.ORG_COORDINATOR})
# Who reads reports, pilot applications and showcase material (scoped to their units).
READ_ROLES = UNIT_ROLES | {Role.CITY_ADMIN, Role.CITY_OFFICER}
# The level above: the city reviews districts and city-level units, a district its schools.
REVIEW_ROLES = frozenset({Role.CITY_ADMIN, Role.DISTRICT_STAFF})
# Completeness and timeliness tables.
TABLE_ROLES = frozenset({Role.CITY_ADMIN, Role.CITY_OFFICER, Role.DISTRICT_STAFF})
CITY_ROLES = frozenset({Role.CITY_ADMIN})
TIMELINE_ROLES = ALL_ROLES
# The evaluation dashboards: the city's for city roles, a district's for its staff.
DASHBOARD_CITY_ROLES = frozenset({Role.CITY_ADMIN, Role.CITY_OFFICER})
DASHBOARD_DISTRICT_ROLES = frozenset({Role.DISTRICT_STAFF})

NAV_ENTRIES = [
    NavEntry("首页", "campaign:home", "house", ALL_ROLES, position=0),
    NavEntry("行动进度", "campaign:timeline", "calendar-week", TIMELINE_ROLES, group="行动推进"),
    NavEntry("阶段报送", "campaign:reports", "journal-text", READ_ROLES, group="行动推进"),
    NavEntry("完成率", "campaign:completeness", "bar-chart", TABLE_ROLES, group="行动推进"),
    NavEntry("逾期催报", "campaign:overdue", "alarm", REVIEW_ROLES, group="行动推进"),
    NavEntry("试点申报", "campaign:pilots", "flag", READ_ROLES, group="行动推进"),
    NavEntry("总结展示", "campaign:stories", "images", READ_ROLES, group="行动推进"),
    NavEntry("考评看板", "campaign:dashboard", "speedometer2", DASHBOARD_CITY_ROLES, group="考评"),
    NavEntry(
        "考评看板",
        "campaign:dashboard_district",
        "speedometer2",
        DASHBOARD_DISTRICT_ROLES,
        group="考评",
    ),
    NavEntry("考评", "campaign:evaluation", "award", TABLE_ROLES, group="考评"),
]

# The programmes (issue 10).
from .programmes.navigation import NAV_ENTRIES as PROGRAMME_NAV_ENTRIES  # noqa: E402

NAV_ENTRIES += PROGRAMME_NAV_ENTRIES
