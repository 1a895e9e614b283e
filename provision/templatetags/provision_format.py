"""How provision's numbers read on a page: '1.5 hours', not '1.50'; '0', not '0.00'."""

from decimal import Decimal, InvalidOperation

from django import template

from .. import measures

register = template.Library()


def _to_hundredths(value) -> Decimal | None:
    try:
        return Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, TypeError, ValueError):
        return None


@register.filter
def plain_number(value) -> str:
    """16.50 as '16.5', 0.00 as '0', 0.75 as '0.75' (to the hundredth)."""
    number = _to_hundredths(value)
    return "" if number is None else measures.plain(number)


@register.filter
def hours(value) -> str:
    """Hours as a sentence says them: '1.5 hours', '1 hour', '0 hours'."""
    number = plain_number(value)
    if not number:
        return ""
    return f"{number} hour{'' if number == '1' else 's'}"
