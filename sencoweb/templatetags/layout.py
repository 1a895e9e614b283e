"""`{% site_header %}`: base.html's header, rendered by Jinja2 (templates/jinja2/header.jinja).
Every page draws it, and in the Django template language it cost more than a minimal request."""

from django import template
from django.forms import BaseForm, BaseFormSet

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


@register.simple_tag(takes_context=True)
def error_prefix(context):
    """'Error: ' before the page title when a form on the page came back with errors, so the
    first thing a screen reader says on the reloaded page is that something needs fixing (the
    GOV.UK pattern). Only forms the view has already validated are asked (`_errors` is set by
    full_clean): asking another would validate it here, with its queries."""
    for value in context.flatten().values():
        if not isinstance(value, BaseForm | BaseFormSet) or getattr(value, "_errors", None) is None:
            continue
        if isinstance(value, BaseForm) and value.errors:
            return "Error: "
        if isinstance(value, BaseFormSet) and value.total_error_count():
            return "Error: "
    return ""
