"""The menu. Each app declares its own entries in ``<app>/navigation.py`` (``NAV_ENTRIES``);
an entry lists the roles that may use it, the same roles its views accept."""

from dataclasses import dataclass
from functools import cache
from importlib import import_module

from django.urls import reverse

from .models import Role

ALL_ROLES = frozenset(Role)
NAV_APPS = ("children", "campaign")


@dataclass(frozen=True)
class NavEntry:
    label: str
    url_name: str
    icon: str
    roles: frozenset


@cache
def all_entries() -> tuple[NavEntry, ...]:
    entries = [NavEntry("首页", "accounts:home", "house", ALL_ROLES)]
    for app in NAV_APPS:
        entries.extend(import_module(f"{app}.navigation").NAV_ENTRIES)
    return tuple(entries)


def menu_for(user, current_path: str):
    """The entries this user's role may use; the one whose address is the longest prefix of
    the current path is marked active."""
    items = [
        {"label": e.label, "url": reverse(e.url_name), "icon": e.icon, "active": False}
        for e in all_entries()
        if user.role in e.roles
    ]
    matches = [
        i
        for i in items
        if current_path == i["url"] or (i["url"] != "/" and current_path.startswith(i["url"]))
    ]
    if matches:
        max(matches, key=lambda i: len(i["url"]))["active"] = True
    return items
