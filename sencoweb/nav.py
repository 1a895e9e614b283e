"""Navigation registry: each app registers its menu entries in AppConfig.ready(), so the base
layout needs no edit when an app adds a page, and each entry shows only with its capability."""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    capabilities: tuple[str, ...]
    order: int = 100


_ITEMS: list[NavItem] = []


def register(label: str, url_name: str, *capabilities: str, order: int = 100) -> None:
    if not any(i.url_name == url_name for i in _ITEMS):
        _ITEMS.append(NavItem(label, url_name, capabilities, order))


def items_for(membership) -> list[dict]:
    if membership is None:
        return []
    visible = []
    for item in sorted(_ITEMS, key=lambda i: (i.order, i.label)):
        if item.capabilities and not any(membership.can(c) for c in item.capabilities):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        visible.append({"label": item.label, "url": url, "url_name": item.url_name})
    return visible
