from huzhou_care.accounts.models import Role
from huzhou_care.accounts.navigation import NavEntry

# Who sees teams: the city (city officers included: team figures, not personal data), the
# districts, schools and organisations for their own teams.
TEAM_ROLES = frozenset(
    {
        Role.CITY_ADMIN,
        Role.CITY_OFFICER,
        Role.DISTRICT_STAFF,
        Role.SCHOOL_STAFF,
        Role.ORG_COORDINATOR,
    }
)
# Who manages volunteers and approves hours (the coordinator side of each team).
MANAGE_ROLES = frozenset(
    {Role.CITY_ADMIN, Role.DISTRICT_STAFF, Role.SCHOOL_STAFF, Role.ORG_COORDINATOR}
)
# A volunteer profile page: managers in scope, and the volunteer themself.
PROFILE_ROLES = MANAGE_ROLES | {Role.VOLUNTEER}
VOLUNTEER_ROLES = frozenset({Role.VOLUNTEER})
# A team's page and its approvals: managers, and a volunteer who leads the team (the objects'
# scope decides: a volunteer reaches only the teams whose leader they are).
LEAD_ROLES = TEAM_ROLES | VOLUNTEER_ROLES
APPROVE_ROLES = MANAGE_ROLES | VOLUNTEER_ROLES

NAV_ENTRIES = [
    NavEntry("志愿服务队", "volunteers:team_list", "people-fill", TEAM_ROLES, group="志愿服务"),
    NavEntry("志愿者", "volunteers:volunteer_list", "person-badge", MANAGE_ROLES, group="志愿服务"),
    NavEntry(
        "志愿者文件上传", "volunteers:upload", "cloud-arrow-up", MANAGE_ROLES, group="志愿服务"
    ),
    NavEntry("我的关爱时间", "volunteers:me", "heart", VOLUNTEER_ROLES, group="志愿服务"),
]
