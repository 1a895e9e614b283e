"""`{% site_header %}`: base.html's header, rendered by Jinja2 (templates/jinja2/header.jinja).
Every page draws it, and in the Django template language it cost more than a minimal request."""

from django import template

from .. import jinja

register = template.Library()

_KEYS = ("nav_items", "school_memberships", "current_school", "current_membership",
         "unread_notifications")  # fmt: skip


@register.simple_tag(takes_context=True)
def site_header(context):
    request = context.get("request")
    if request is None:  # a page rendered without a request (none today): no menu to draw
        return ""
    values = {key: context.get(key) for key in _KEYS}
    values["nav_items"] = values["nav_items"] or []
    values["school_memberships"] = values["school_memberships"] or []
    return jinja.partial("header.jinja", values, request)
