"""EHC section F against delivery: the week's average is over the school weeks of the window,
so a half term in the last six weeks is not read as a week of provision missed (it made a pupil
who had every session look a sixth short of the plan)."""

import datetime as dt
from decimal import Decimal

import pytest

from provision.models import SessionLog
from reviews import selectors_ehc as sel
from sencoweb.models import Term
from tests.provision.factories import GroupFactory, enrol

from .ehc_factories import EhcPlanFactory, ProvisionItemFactory

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 27)  # a Friday; the window runs from Sat 17 Oct


@pytest.fixture
def plan(school, ta):
    """Section F: 2.5 h a week. The autumn term has its half term (26-30 Oct) in the window;
    a 30-minute group meets every school day and the pupil came to every session."""
    Term.objects.create(
        school=school, academic_year=2026, name="autumn", starts_on=dt.date(2026, 9, 2),
        ends_on=dt.date(2026, 12, 18), half_term_starts=dt.date(2026, 10, 26),
        half_term_ends=dt.date(2026, 10, 30),
    )  # fmt: skip
    plan = EhcPlanFactory(pupil__school=school)
    ProvisionItemFactory(plan=plan, hours_per_week=Decimal("2.5"))
    group = GroupFactory(
        school=school, staff=ta, days="01234", session_minutes=30,
        starts_on=dt.date(2026, 9, 7), ends_on=dt.date(2026, 12, 18),
    )  # fmt: skip
    enrol(group, plan.pupil)
    day = dt.date(2026, 10, 17)
    while day <= TODAY:
        if day.weekday() < 5 and not dt.date(2026, 10, 26) <= day <= dt.date(2026, 10, 30):
            SessionLog.objects.create(group=group, date=day).attended.set([plan.pupil])
        day += dt.timedelta(days=1)
    return plan


def test_half_term_in_the_window_is_not_a_week_missed(plan):
    result = sel.section_f_vs_delivery(plan, today=TODAY)
    assert result["school_weeks"] == 5  # 19-23 Oct and 2-27 Nov: 25 school days
    assert result["delivered_per_week"] == Decimal("2.50")  # 12.5 hours over 5 school weeks
    assert result["shortfall"] is False


def test_a_window_in_the_holidays_has_nothing_to_compare(plan):
    result = sel.section_f_vs_delivery(plan, today=dt.date(2026, 12, 31))
    assert result["school_weeks"] == Decimal("4.2")  # Fri 20 Nov, then 23 Nov to 18 Dec
    result = sel.section_f_vs_delivery(plan, today=dt.date(2027, 1, 29))
    assert result["school_weeks"] == 0  # no term dates beyond the autumn term
    assert result["shortfall"] is False
