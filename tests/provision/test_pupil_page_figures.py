"""The figures of one pupil's provision page and the budget that a SENCO quotes to governors,
against DOMAIN.md 5.4's hand-worked example: a TA one-to-one, 15 hours a week for 38 weeks at
the LA planning rate of £17.20 an hour, is £9,804.00, which is £3,804.00 above £6,000."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from provision import costs
from tests.factories import PupilFactory
from tests.helpers import client_for

from .factories import GroupFactory, InterventionFactory, enrol

pytestmark = pytest.mark.django_db


def _one_to_one_for_38_weeks(school, ta, pupil, *, september):
    """Mon-Fri, 3 hours a day (15 h a week), 38 weeks from the first Monday of the financial
    year: 190 weekdays (the test school has no term dates)."""
    fy = costs.financial_year_of(dt.date.today(), september=september)
    start, _ = costs.financial_year_bounds(fy, september=september)
    monday = start + dt.timedelta(days=(7 - start.weekday()) % 7)
    group = GroupFactory(
        school=school,
        staff=ta,
        intervention=InterventionFactory(school=school, group_size=1, name="TA 1:1 support"),
        days="01234",
        session_minutes=180,
        starts_on=monday,
        ends_on=monday + dt.timedelta(weeks=38, days=-3),
        exclusive_to=pupil,
        hourly_rate=Decimal("17.20"),
    )
    enrol(group, pupil)
    return group


@pytest.mark.parametrize("september", [True, False])
def test_ta_one_to_one_matches_the_hand_worked_example(school, senco, ta, september):
    school.financial_year_starts_in_september = september
    school.save()
    pupil = PupilFactory(school=school, sen_status="E", first_name="Dev")
    group = _one_to_one_for_38_weeks(school, ta, pupil, september=september)
    assert group.ends_on.weekday() == 4
    page = client_for(senco).get(reverse("provision:pupil", args=[pupil.public_id]))
    text = page.content.decode()
    # All 38 weeks fall in the one financial year, April-March or September-August.
    assert "£9,804.00" in text  # planned cost, and this year's cost
    assert "£3,804.00 above the £6,000 a year threshold" in text
    budget = client_for(senco).get(reverse("provision:budget")).content.decode()
    assert "£9,804.00" in budget and "£3,804.00" in budget


def test_threshold_is_for_one_year_not_the_pupils_whole_history(school, senco, ta):
    """£4,000 of support last year and £3,000 this year is £7,000 in all, but no year is over
    £6,000: not a top-up candidate."""
    pupil = PupilFactory(school=school, sen_status="K", first_name="Ola")
    fy = costs.financial_year_of(dt.date.today(), september=False)
    start, end = costs.financial_year_bounds(fy, september=False)
    for first, last, resources in (
        (start.replace(year=start.year - 1), start - dt.timedelta(days=1), "4000"),
        (start, end, "3000"),
    ):
        group = GroupFactory(
            school=school, staff=ta, starts_on=first, ends_on=last, hourly_rate=Decimal("0"),
            resource_cost=Decimal(resources), days="0",
        )  # fmt: skip
        enrol(group, pupil)
    text = client_for(senco).get(reverse("provision:pupil", args=[pupil.public_id])).content
    text = text.decode()
    assert "£7,000.00" in text  # planned over the pupil's whole history
    assert "financial year" in text and "£3,000.00" in text
    assert "top-up candidate" not in text


def test_current_hours_a_week_count_only_places_held_today(school, senco, ta):
    today = dt.date.today()
    pupil = PupilFactory(school=school, sen_status="K", first_name="Ana")
    now = GroupFactory(school=school, staff=ta, days="024", session_minutes=30)  # 1.5 h a week
    left = GroupFactory(school=school, staff=ta, days="13", session_minutes=60)
    later = GroupFactory(
        school=school, staff=ta, days="0", session_minutes=45,
        starts_on=today + dt.timedelta(days=7), ends_on=today + dt.timedelta(days=60),
    )  # fmt: skip
    enrol(now, pupil)
    (place,) = enrol(left, pupil)
    place.ends_on = today - dt.timedelta(days=1)
    place.save()
    enrol(later, pupil)
    page = client_for(senco).get(reverse("provision:pupil", args=[pupil.public_id]))
    assert page.context["totals"]["weekly_hours"] == Decimal("1.5")
