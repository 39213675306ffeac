from huzhou_care.accounts.models import Role
from huzhou_care.accounts.navigation import NavEntry

R = Role
# Paired people (volunteers, paired teachers, school staff paired themselves): their children
# and the visit form.
MINE_ROLES = frozenset({R.VOLUNTEER, R.SCHOOL_STAFF})
# The card of one child as a visit needs it (never the ID number or the parents' phones).
CARD_ROLES = frozenset(
    {R.CITY_ADMIN, R.DISTRICT_STAFF, R.SCHOOL_STAFF, R.ORG_COORDINATOR, R.VOLUNTEER}
)
# Who pairs people with the children of their scope.
PAIR_ROLES = frozenset({R.CITY_ADMIN, R.DISTRICT_STAFF, R.SCHOOL_STAFF, R.ORG_COORDINATOR})
# A teacher with a whole class in one step (教职工结对).
CLASS_ROLES = frozenset({R.CITY_ADMIN, R.DISTRICT_STAFF, R.SCHOOL_STAFF})
ORG_ROLES = frozenset({R.CITY_ADMIN, R.DISTRICT_STAFF, R.SCHOOL_STAFF, R.ORG_COORDINATOR})
ORG_CREATE_ROLES = frozenset({R.CITY_ADMIN, R.DISTRICT_STAFF})
ORG_VISIT_ROLES = frozenset({R.CITY_ADMIN, R.DISTRICT_STAFF, R.ORG_COORDINATOR})
# Aggregates: city officers too.
COVERAGE_ROLES = frozenset(
    {R.CITY_ADMIN, R.CITY_OFFICER, R.DISTRICT_STAFF, R.SCHOOL_STAFF, R.ORG_COORDINATOR}
)
OVERDUE_ROLES = PAIR_ROLES
FEEDBACK_ROLES = frozenset({R.CITY_ADMIN, R.DISTRICT_STAFF, R.SCHOOL_STAFF, R.VOLUNTEER})

NAV_ENTRIES = [
    NavEntry("我的结对", "pairing:mine", "heart", MINE_ROLES, group="心手相连"),
    NavEntry("结对管理", "pairing:pair", "link-45deg", PAIR_ROLES, group="心手相连"),
    NavEntry("单位结对", "pairing:org_list", "building", ORG_ROLES, group="心手相连"),
    NavEntry("走访覆盖", "pairing:coverage", "bar-chart", COVERAGE_ROLES, group="心手相连"),
    NavEntry("逾期未走访", "pairing:overdue", "alarm", OVERDUE_ROLES, group="心手相连"),
    NavEntry("家校反馈", "pairing:feedback", "chat-dots", FEEDBACK_ROLES, group="心手相连"),
]
