from huzhou_care.accounts.navigation import ALL_ROLES, NavEntry

NAV_ENTRIES = [
    NavEntry("首页", "campaign:home", "house", ALL_ROLES, position=0),
]
