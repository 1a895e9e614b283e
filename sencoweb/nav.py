"""Navigation registry: each app registers its menu entries in AppConfig.ready(), so the base
layout needs no edit when an app adds a page, and each entry shows only with its capability.

A role with few entries gets a flat menu; a role with many (the SENCO) gets one dropdown per
app so the bar fits on a laptop screen."""

import functools
from dataclasses import dataclass

from django.urls import NoReverseMatch, get_script_prefix, reverse

from . import roles

# Menu group of each URL namespace; entries without a namespace stay at the top level.
GROUP_LABELS = {
    "pupils": "Pupils",
    "reviews": "Plans and reviews",
    "provision": "Provision",
    "reports": "Reports",
    "privacy": "Admin",
}
FLAT_MENU_MAX = 7


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    capabilities: tuple[str, ...]
    order: int = 100
    group: str = ""


_ITEMS: list[NavItem] = []


def register(
    label: str, url_name: str, *capabilities: str, order: int = 100, group: str = ""
) -> None:
    if not group and ":" in url_name:
        group = GROUP_LABELS.get(url_name.split(":", 1)[0], "")
    if not any(i.url_name == url_name for i in _ITEMS):
        _ITEMS.append(NavItem(label, url_name, capabilities, order, group))
        _menu_for_role.cache_clear()


def items_for(membership) -> list[dict]:
    if membership is None:
        return []
    return _items_for_role(membership.role)


def _items_for_role(role: str) -> list[dict]:
    visible = []
    for item in sorted(_ITEMS, key=lambda i: (i.order, i.label)):
        if item.capabilities and not any(roles.role_can(role, c) for c in item.capabilities):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        visible.append(
            {"label": item.label, "url": url, "url_name": item.url_name, "group": item.group}
        )
    return visible


def menu_for(membership) -> list[dict]:
    """Top-level entries: links, or {"label", "children"} dropdowns when the menu is long.

    Built once per role and URL prefix: capabilities depend only on the role, and reversing two
    dozen URL names on every page was a fifth of the cost of an empty page."""
    if membership is None:
        return []
    return _menu_for_role(membership.role, get_script_prefix())


@functools.cache
def _menu_for_role(role: str, script_prefix: str) -> list[dict]:
    items = _items_for_role(role)
    if len(items) <= FLAT_MENU_MAX:
        return items
    menu, groups = [], {}
    for item in items:
        if not item["group"]:
            menu.append(item)
            continue
        if item["group"] not in groups:
            groups[item["group"]] = {"label": item["group"], "children": []}
            menu.append(groups[item["group"]])
        groups[item["group"]]["children"].append(item)
    # A group of one is just a link.
    return [m["children"][0] if "children" in m and len(m["children"]) == 1 else m for m in menu]
