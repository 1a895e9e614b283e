"""Jinja2 for the rows of the busiest tables (the register, the provision map, the deadlines)
and the session cards of a TA's day.

A table row in the Django template language costs about 1,500 Python calls (each variable goes
through resolve, localize and escape); the same row in Jinja2 is compiled to Python and costs a
tenth of that, which is most of a 100-row page. Pages, forms and layout stay in the Django
template language; a view renders the rows with `partial()` and puts the result in its page.
Autoescaping is on, exactly as in Django templates."""

import functools
from pathlib import Path

from django import forms as django_forms
from django.conf import settings
from django.forms.renderers import Jinja2 as DjangoJinja2Renderer
from django.template import engines
from django.template.defaultfilters import date as _date
from django.urls import get_script_prefix, reverse
from django.utils.functional import cached_property
from django.utils.safestring import SafeString, mark_safe
from jinja2 import Environment, StrictUndefined

from .urltools import in_school, url_of

# English day and month names, as Django's date filter writes them for en-GB.
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _url(name: str, *args) -> str:
    return reverse(name, args=args) if args else _fixed_url(name, get_script_prefix())


@functools.cache
def _fixed_url(name: str, script_prefix: str) -> str:
    # A URL without arguments never changes while the process runs (the header has six).
    return reverse(name)


def _format_date(value, fmt: str = "j M Y") -> str:
    if not value:
        return ""
    # The two formats the tables use, without Django's localised formatter (40 calls a date).
    if fmt == "j M Y":
        return f"{value.day} {_MONTHS[value.month - 1]} {value.year}"
    if fmt == "D j M Y":
        return f"{_DAYS[value.weekday()]} {value.day} {_MONTHS[value.month - 1]} {value.year}"
    return _date(value, fmt)


def _format_time(value, fmt: str = "%H:%M") -> str:
    return value.strftime(fmt) if value else ""


def _money(value) -> str:
    """1234.5 -> "1,234.50", as Django's floatformat:"2g" writes it for en-GB."""
    return f"{value:,.2f}" if value is not None else ""


def environment(**options) -> Environment:
    # A missing variable is a bug in the view, not an empty cell: fail loudly in tests.
    options["undefined"] = StrictUndefined
    env = Environment(**options)
    env.globals["url"] = _url
    env.globals["url_of"] = url_of
    env.globals["in_school"] = in_school
    env.filters["date"] = _format_date
    env.filters["time"] = _format_time
    env.filters["money"] = _money
    return env


def partial(template_name: str, context: dict, request=None) -> SafeString:
    """Render a Jinja2 partial (templates/jinja2/...) for a Django template or an htmx swap.
    With the request, the partial has `csrf_input` for its forms."""
    template = engines["jinja2"].get_template(template_name)
    # The Jinja2 engine escaped every value; the result is markup.
    return mark_safe(template.render(context, request=request))  # noqa: S308


class FormRenderer(DjangoJinja2Renderer):
    """Django's Jinja2 form renderer, with templates/jinja2_forms searched first: there, a
    select writes its options in one template (the same HTML) instead of an include per
    option (the register's filters: 3.3 -> 2.8 ms, bench/results.md round 5)."""

    @cached_property
    def engine(self):
        stock = Path(django_forms.__file__).parent / "jinja2"
        return self.backend(
            {
                "APP_DIRS": True,
                "DIRS": [settings.BASE_DIR / "templates" / "jinja2_forms", stock],
                "NAME": "djangoforms",
                "OPTIONS": {},
            }
        )
