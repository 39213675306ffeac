"""The menu. Each app declares its own entries in ``<app>/navigation.py`` (``NAV_ENTRIES``);
an entry lists the roles that may use it, the same roles its views accept."""

from dataclasses import dataclass
from functools import cache
from importlib import import_module

from django.urls import reverse

from .models import Role

ALL_ROLES = frozenset(Role)
NAV_APPS = ("children",)


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
    items = []
    for entry in all_entries():
        if user.role not in entry.roles:
            continue
        url = reverse(entry.url_name)
        active = current_path == url if url == "/" else current_path.startswith(url)
        items.append({"label": entry.label, "url": url, "icon": entry.icon, "active": active})
    return items
