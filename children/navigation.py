from huzhou_care.accounts.models import Role
from huzhou_care.accounts.navigation import NavEntry

# Roles that open child-level records. City officers see aggregates only; coordinators and
# volunteers will reach the children paired with them through pairing/.
CHILD_ROLES = frozenset({Role.CITY_ADMIN, Role.DISTRICT_STAFF, Role.SCHOOL_STAFF})
# Rosters are a school's upload; district staff and the city may upload for a school in scope.
ROSTER_ROLES = CHILD_ROLES
# Transfers move a child out of one school's (maybe one district's) scope: the district does it.
TRANSFER_ROLES = frozenset({Role.CITY_ADMIN, Role.DISTRICT_STAFF})

NAV_ENTRIES = [
    NavEntry("儿童信息库", "children:list", "people", CHILD_ROLES, group="儿童信息"),
    NavEntry("预警名单", "children:risk", "exclamation-triangle", CHILD_ROLES, group="儿童信息"),
    NavEntry(
        "名册上传",
        "children:roster_upload",
        "file-earmark-arrow-up",
        ROSTER_ROLES,
        group="儿童信息",
    ),
    NavEntry(
        "转学申请", "children:transfer_requests", "arrow-left-right", CHILD_ROLES, group="儿童信息"
    ),
]
