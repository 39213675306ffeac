"""The menu. Each installed app declares its own entries in ``<app>/navigation.py``
(``NAV_ENTRIES``); an entry lists the roles that may use it, the same roles its views accept.
The core finds those modules through the app registry and names no app itself (the arrows
run one way: core <- children <- volunteers <- pairing <- campaign)."""

from dataclasses import dataclass
from functools import cache
from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.urls import reverse

from .models import Role

ALL_ROLES = frozenset(Role)


@dataclass(frozen=True)
class NavEntry:
    label: str
    url_name: str
    icon: str
    roles: frozenset
    # Entries are listed by position, then in INSTALLED_APPS order (the home page comes first).
    position: int = 100
    # Neighbouring entries of one group share a drop-down in the menu bar (a group the role
    # sees one entry of is a plain link), so that a city role's menu stays on one line.
    group: str = ""


@cache
def all_entries() -> tuple[NavEntry, ...]:
    entries = []
    for config in apps.get_app_configs():
        module = f"{config.name}.navigation"
        if config.name != __package__ and find_spec(module) is not None:
            entries.extend(import_module(module).NAV_ENTRIES)
    return tuple(sorted(entries, key=lambda e: e.position))


def menu_for(user, current_path: str):
    """The entries this user's role may use; the one whose address is the longest prefix of
    the current path is marked active."""
    items = [
        {
            "label": e.label,
            "url": reverse(e.url_name),
            "icon": e.icon,
            "group": e.group,
            "active": False,
        }
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


def menu_groups(items: list[dict]) -> list[dict]:
    """The menu bar: neighbouring items of one group under one drop-down
    (``{"label", "icon", "items", "active"}``); an ungrouped item, or the only one of its
    group, stands alone (``items`` of one)."""
    groups: list[dict] = []
    for item in items:
        if item["group"] and groups and groups[-1]["label"] == item["group"]:
            groups[-1]["items"].append(item)
        else:
            groups.append({"label": item["group"], "icon": item["icon"], "items": [item]})
    for group in groups:
        group["active"] = any(i["active"] for i in group["items"])
        group["menu"] = bool(group["label"]) and len(group["items"]) > 1
    return groups
