"""How a transition pack's codes and ISO dates read in its PDF and on screen: "1 Jun 2025",
"SEN support (K)", "Year 6". The pack's JSON keeps the ISO dates and census codes."""

import datetime as dt
import re

from django import template
from django.utils import timezone
from django.utils.dateformat import format as date_format

from pupils.codes import Area, NcYear, SenStatus, SenType

register = template.Library()


@register.filter
def pack_date(value, fmt: str = "j M Y") -> str:
    """An ISO date or timestamp from a pack as "1 Jun 2025"; "" for none; anything that is not
    a date is shown as it came."""
    if value in (None, ""):
        return ""
    if isinstance(value, dt.date):
        return date_format(value, fmt)
    text = str(value)
    if len(text) > 10:  # a timestamp: shown in the school's time, as the app shows it
        try:
            moment = dt.datetime.fromisoformat(text)
        except ValueError:
            pass
        else:
            if timezone.is_aware(moment):
                moment = timezone.localtime(moment)
            return date_format(moment, fmt)
    try:
        return date_format(dt.date.fromisoformat(text[:10]), fmt)
    except ValueError:
        return text


@register.filter
def sen_status(code) -> str:
    """'K' -> 'SEN support (K)'; 'M' -> 'Monitoring (census N)'."""
    if code in SenStatus.values:
        label = SenStatus(code).label
        return label if code in label else f"{label} ({code})"
    return str(code or "")


@register.filter
def sen_type(code) -> str:
    """'SLCN' -> 'Speech, language and communication needs (SLCN)'."""
    return f"{SenType(code).label} ({code})" if code in SenType.values else str(code or "")


@register.filter
def year_group(code) -> str:
    return NcYear(code).label if code in NcYear.values else str(code or "")


@register.filter
def need_area(code) -> str:
    """'CL' -> 'Cognition and learning'."""
    return Area(code).label if code in Area.values else str(code or "")


@register.filter
def readable(value):
    """A subject access export's value as a person reads it: Yes/No, lists one item a line,
    a mapping as 'key: value' lines (contribution answers, linked records), not Python's
    brackets and quotes."""
    if value is None:
        return ""
    if value is True or value is False:
        return "Yes" if value else "No"
    if isinstance(value, dict):
        return "\n".join(
            f"{str(k).replace('_', ' ').capitalize()}: {readable(v)}"
            for k, v in value.items()
            if v not in (None, "", [], {})
        )
    if isinstance(value, list | tuple):
        return "\n".join(readable(v) for v in value)
    if isinstance(value, str) and _ISO_DAY.match(value):
        return pack_date(value, "j M Y H:i" if len(value) > 10 else "j M Y")
    return value


# An ISO date or timestamp as the JSON export holds it ("2026-12-07", "2026-12-07T23:48:11+00:00").
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:\d{2}|Z)?)?$")
