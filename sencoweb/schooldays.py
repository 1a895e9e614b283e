"""Pure date helpers for the school calendar: Easter and the bank holidays of England.

No database access. The term dates, INSET days and closures of a school are its own (Term and
ClosureDay); bank holidays are national, so the app can offer them instead of asking the SENCO
to type them.
"""

import datetime as dt


def easter_sunday(year: int) -> dt.date:
    """Easter Sunday in the Gregorian calendar (anonymous Gregorian algorithm). The deadline
    engine keeps its own copy: it imports nothing but the standard library."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month, day = divmod(h + ell - 7 * m + 114, 31)
    return dt.date(year, month, day + 1)


def _first_monday(year: int, month: int) -> dt.date:
    first = dt.date(year, month, 1)
    return first + dt.timedelta(days=(7 - first.weekday()) % 7)


def _last_monday(year: int, month: int) -> dt.date:
    last = dt.date(year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1)
    return last - dt.timedelta(days=last.weekday())


def _substitute(day: dt.date, taken: set) -> dt.date:
    """A holiday on a weekend moves to the next weekday not already a holiday."""
    while day.weekday() >= 5 or day in taken:
        day += dt.timedelta(days=1)
    return day


def england_bank_holidays(year: int) -> dict[dt.date, str]:
    """The bank holidays of England and Wales in a calendar year, {date: name}, with the
    substitute days when New Year's Day, Christmas Day or Boxing Day fall on a weekend (the
    Banking and Financial Dealings Act 1971 and the yearly royal proclamations).

    One-off holidays and moved dates proclaimed for a particular year (a coronation, a jubilee,
    the early May holiday moved to a Friday in 2020) are not predictable: a school adds those
    as closure days by hand.
    """
    easter = easter_sunday(year)
    fixed = [
        (dt.date(year, 1, 1), "New Year's Day"),
        (easter - dt.timedelta(days=2), "Good Friday"),
        (easter + dt.timedelta(days=1), "Easter Monday"),
        (_first_monday(year, 5), "Early May bank holiday"),
        (_last_monday(year, 5), "Spring bank holiday"),
        (_last_monday(year, 8), "Summer bank holiday"),
        (dt.date(year, 12, 25), "Christmas Day"),
        (dt.date(year, 12, 26), "Boxing Day"),
    ]
    # Weekday holidays keep their day; a weekend one then takes the next free weekday (so
    # Christmas on a Sunday is kept on Tuesday 27th, after Boxing Day on Monday 26th).
    days = {day: name for day, name in fixed if day.weekday() < 5}
    for day, name in fixed:
        if day.weekday() >= 5:
            days[_substitute(day, days.keys())] = f"{name} (substitute day)"
    return dict(sorted(days.items()))


def bank_holidays_in_school_year(year: int) -> dict[dt.date, str]:
    """Bank holidays from 1 September `year` to 31 August of the next year."""
    start, end = dt.date(year, 9, 1), dt.date(year + 1, 8, 31)
    both = {**england_bank_holidays(year), **england_bank_holidays(year + 1)}
    return {day: name for day, name in sorted(both.items()) if start <= day <= end}
