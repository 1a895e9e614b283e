"""Home page panels: each app registers what it shows on a role's home page, so the core never
imports a higher app. A panel is a template plus a function that builds its context."""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Panel:
    key: str
    template: str
    context: Callable  # (request) -> dict
    capabilities: tuple[str, ...]
    order: int = 100


_PANELS: dict[str, Panel] = {}


def register(key: str, template: str, context: Callable, *capabilities: str, order: int = 100):
    _PANELS[key] = Panel(key, template, context, capabilities, order)


def panels_for(request) -> list[dict]:
    membership = request.membership
    out = []
    for panel in sorted(_PANELS.values(), key=lambda p: (p.order, p.key)):
        if panel.capabilities and not any(membership.can(c) for c in panel.capabilities):
            continue
        out.append({"key": panel.key, "template": panel.template, **panel.context(request)})
    return out
