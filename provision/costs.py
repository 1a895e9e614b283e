"""The cost engine (DOMAIN.md 5.4). Pure functions on Decimals: no database, so the hand-worked
examples in the domain notes are the tests.

cost = hours per week x weeks x hourly rate (+ resources + external); per pupil = cost shared
between the pupils of the group, unless the group exists for one high-needs pupil."""

import datetime as dt
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

PENNY = Decimal("0.01")
SIXTY = Decimal(60)


def money(value) -> Decimal:
    return Decimal(value).quantize(PENNY, rounding=ROUND_HALF_UP)


def pence(amount: Decimal) -> int:
    """A money amount (two decimal places, as every cost field is) in whole pence."""
    value = Decimal(amount) * 100
    if value != value.to_integral_value():
        raise ValueError(f"{amount} is not a whole number of pence")
    return int(value)


def money_from_units(units: int, scale: int) -> Decimal:
    """units / scale pence, rounded half up to the penny (as money() rounds), in pounds."""
    return Decimal((2 * units + scale) // (2 * scale)).scaleb(-2).quantize(PENNY)


def hours(minutes: int | Decimal) -> Decimal:
    return Decimal(minutes) / SIXTY


def session_cost(session_minutes: int, hourly_rate: Decimal) -> Decimal:
    """Staff cost of one session, unrounded (rounding happens once, on totals)."""
    return hours(session_minutes) * Decimal(hourly_rate)


def staff_cost(
    *, session_minutes: int, sessions_per_week: int, weeks: int | Decimal, hourly_rate: Decimal
) -> Decimal:
    """Planned staff cost of a pattern of sessions."""
    total_minutes = Decimal(session_minutes) * sessions_per_week * Decimal(weeks)
    return money(hours(total_minutes) * Decimal(hourly_rate))


def sessions_cost(*, sessions: int, session_minutes: int, hourly_rate: Decimal) -> Decimal:
    return money(session_cost(session_minutes, hourly_rate) * sessions)


def group_cost(
    *, staff: Decimal, resources: Decimal = Decimal(0), external: Decimal = Decimal(0)
) -> Decimal:
    return money(Decimal(staff) + Decimal(resources) + Decimal(external))


def per_pupil_cost(total: Decimal, pupils: int, *, exclusive: bool = False) -> Decimal:
    """A group's cost shared equally; a group set up for one pupil is charged wholly to them."""
    if exclusive or pupils <= 1:
        return money(total)
    return money(Decimal(total) / pupils)


def above_threshold(total: Decimal, threshold: Decimal) -> Decimal:
    """How far a pupil's additional support costs exceed the top-up threshold (0 if not)."""
    return max(money(Decimal(total) - Decimal(threshold)), Decimal("0.00"))


def weekly_hours(*, session_minutes: int, sessions_per_week: int) -> Decimal:
    return hours(session_minutes * sessions_per_week)


def session_dates(
    weekdays: Iterable[int],
    starts_on: dt.date,
    ends_on: dt.date,
    *,
    open_days: Iterable[tuple[dt.date, dt.date]] | None = None,
    closed: Iterable[tuple[dt.date, dt.date]] = (),
) -> list[dt.date]:
    """Every date a group should meet: its weekdays between its dates, inside a term when term
    dates are known (`open_days`), outside any half-term (`closed`)."""
    open_ranges = list(open_days) if open_days is not None else None
    closed_ranges = list(closed)
    week = dt.timedelta(days=7)
    out = []
    # Step a week at a time from each weekday's first date: the dashboard and the budget call
    # this for every group, and walking every calendar day was most of their time.
    for weekday in set(weekdays):
        day = starts_on + dt.timedelta(days=(weekday - starts_on.weekday()) % 7)
        while day <= ends_on:
            in_term = open_ranges is None or any(a <= day <= b for a, b in open_ranges)
            if in_term and not any(a <= day <= b for a, b in closed_ranges):
                out.append(day)
            day += week
    out.sort()
    return out


def pro_rata(
    annual: Decimal, starts_on: dt.date, ends_on: dt.date | None, start: dt.date, end: dt.date
) -> Decimal:
    """The part of an annual amount paid from `starts_on` to `ends_on` (open: still paid) that
    falls in the year from `start` to `end`, by days: top-up that starts in January brings a
    quarter of its annual amount into an April-March year, not all of it."""
    first = max(starts_on, start)
    last = min(ends_on or end, end)
    if last < first:
        return Decimal("0.00")
    year_days = (end - start).days + 1
    return money(Decimal(annual) * ((last - first).days + 1) / year_days)


def financial_year_bounds(year: int, *, september: bool) -> tuple[dt.date, dt.date]:
    """April to March for maintained schools; September to August for academies."""
    if september:
        return dt.date(year, 9, 1), dt.date(year + 1, 8, 31)
    return dt.date(year, 4, 1), dt.date(year + 1, 3, 31)


def financial_year_of(day: dt.date, *, september: bool) -> int:
    start_month = 9 if september else 4
    return day.year if day.month >= start_month else day.year - 1


ZERO_MONEY = Decimal("0.00")
