"""Entry and exit measures (DOMAIN.md 9.3) and the SENCO qualification rule (DOMAIN.md 1.7).
Pure functions."""

import datetime as dt
from decimal import Decimal

# SDQ and the Boxall "diagnostic" sections go down when things improve; standardised scores,
# reading ages and most school scales go up.
LOWER_IS_BETTER = {"sdq"}

# What an entry or exit figure is, said beside it (a column's header, or after the numbers), and
# what its gain is counted in. Keyed by Intervention.Measure; a school scale adds its range.
MEASURE_UNIT = {
    "standardised": "standardised score",
    "reading_age": "reading age in months",
    "sdq": "SDQ total difficulties, 0 to 40 (lower is better)",
    "boxall": "Boxall Profile score",
    "scale": "school scale",
}
GAIN_UNIT = {
    "standardised": "points",
    "reading_age": "months",
    "sdq": "points: a fall in the total is a gain",
    "boxall": "points",
    "scale": "points",
}

BROOKS_BANDS = [
    (Decimal("3.0"), "remarkable"),
    (Decimal("2.0"), "substantial"),
    (Decimal("1.4"), "useful"),
    (Decimal("0"), "modest"),
]


def plain(value) -> str:
    """A number as people write it: 1.0 as '1', 2.5 as '2.5'."""
    return f"{Decimal(value).normalize():f}"


def score_gain(measure: str, entry, exit_) -> Decimal | None:
    """Improvement from entry to exit, signed so that a positive number is always better."""
    if entry is None or exit_ is None:
        return None
    change = Decimal(exit_) - Decimal(entry)
    return -change if measure in LOWER_IS_BETTER else change


def _add_months(day: dt.date, months: int) -> dt.date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover


def months_between(start: dt.date, end: dt.date) -> Decimal:
    """Calendar months, as a teacher counts them (5 Jan to 5 May is 4.0, although February is
    short), plus any days left over as a fraction of an average month."""
    months = (end.year - start.year) * 12 + end.month - start.month
    if _add_months(start, months) > end:
        months -= 1
    days = (end - _add_months(start, months)).days
    return (Decimal(months) + Decimal(days) / Decimal("30.4375")).quantize(Decimal("0.1"))


def ratio_gain(entry_months, exit_months, entry_on, exit_on) -> Decimal | None:
    """Months gained in reading age / months elapsed (7y2m -> 8y0m in 4 months = 2.5)."""
    if None in (entry_months, exit_months, entry_on, exit_on) or exit_on <= entry_on:
        return None
    elapsed = months_between(entry_on, exit_on)
    if elapsed <= 0:
        return None
    return ((Decimal(exit_months) - Decimal(entry_months)) / elapsed).quantize(Decimal("0.1"))


def ratio_gain_words(ratio) -> str:
    """A ratio gain said in words: 2.2 -> 'reading age rose 2.2 months per month'. One is a
    month's progress in a month; '' for none."""
    if ratio is None:
        return ""
    ratio = Decimal(ratio)
    if ratio == 0:
        return "reading age did not change"
    verb = "rose" if ratio > 0 else "fell"
    size = abs(ratio)
    return f"reading age {verb} {size} month{'' if size == 1 else 's'} per month"


def ratio_gain_from_months(gained, elapsed) -> Decimal:
    return (Decimal(gained) / Decimal(elapsed)).quantize(Decimal("0.1"))


def brooks_band(ratio: Decimal | None) -> str:
    """Brooks' bands for ratio gains (DOMAIN.md 9.3; thresholds marked VERIFY there)."""
    if ratio is None:
        return ""
    for floor, label in BROOKS_BANDS:
        if ratio >= floor:
            return label
    return "no progress"


def standardised_band(score) -> str:
    if score is None:
        return ""
    score = Decimal(score)
    if score >= 116:
        return "above average"
    if score >= 85:
        return "average"
    if score >= 70:
        return "below average"
    return "well below average"


def sdq_band(total) -> str:
    """Teacher-version four bands."""
    if total is None:
        return ""
    total = Decimal(total)
    if total <= 11:
        return "close to average"
    if total <= 15:
        return "slightly raised"
    if total <= 18:
        return "high"
    return "very high"


RULE_START = dt.date(2009, 9, 1)


def senco_rule_applies(appointed_on: dt.date, previous_senco_months: int) -> bool:
    """The 3-year qualification rule applies to SENCOs appointed after 1 Sept 2009 with no more
    than 12 months' previous service as a SENCO (reg 49(4))."""
    return appointed_on > RULE_START and previous_senco_months <= 12


def senco_deadline(appointed_on: dt.date) -> dt.date:
    try:
        return appointed_on.replace(year=appointed_on.year + 3)
    except ValueError:  # 29 February
        return appointed_on.replace(year=appointed_on.year + 3, day=28)
