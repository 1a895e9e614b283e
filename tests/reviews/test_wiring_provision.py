"""Wiring between reviews and provision: EHC section F against the sessions logged on the
provision map, and support plan outcomes linked to provision groups."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from provision import services as provision_services
from reviews import selectors_ehc as sel
from tests.helpers import client_for
from tests.provision.factories import GroupFactory, enrol

from .ehc_factories import EhcPlanFactory, ProvisionItemFactory

pytestmark = pytest.mark.django_db


def _log_sessions(group, senco, days):
    for day in days:
        provision_services.session_log(group=group, date=day, membership=senco)


@pytest.fixture
def plan_with_delivery(senco, ta):
    """A plan specifying 3 h a week; a 30-minute group, 12 held sessions in the last 6 weeks
    (6 h in all, 1 h a week), plus one session before the window that must not count."""
    today = dt.date.today()
    plan = EhcPlanFactory(pupil__school=senco.school)
    ProvisionItemFactory(plan=plan, hours_per_week=Decimal("2"))
    ProvisionItemFactory(plan=plan, hours_per_week=Decimal("1"))
    group = GroupFactory(
        school=senco.school,
        staff=ta,
        days="01234",
        starts_on=today - dt.timedelta(weeks=10),
        ends_on=today + dt.timedelta(days=30),
    )
    enrol(group, plan.pupil)
    window = [today - dt.timedelta(days=n) for n in range(1, 40, 3)][:12]
    _log_sessions(group, senco, window + [today - dt.timedelta(weeks=8)])
    return plan


def test_section_f_counts_logged_sessions_in_the_window(plan_with_delivery):
    result = sel.section_f_vs_delivery(plan_with_delivery)
    assert result["specified_per_week"] == Decimal("3")
    assert result["delivered_per_week"] == Decimal("1.00")
    assert result["gap"] == Decimal("-2.00")
    assert result["shortfall"] is True


def test_section_f_without_sessions_is_zero_delivered(school):
    plan = EhcPlanFactory(pupil__school=school)
    ProvisionItemFactory(plan=plan, hours_per_week=Decimal("1"))
    result = sel.section_f_vs_delivery(plan)
    assert result["delivered_per_week"] == Decimal("0")
    assert result["shortfall"] is True


def test_section_f_no_shortfall_without_specified_hours(school):
    plan = EhcPlanFactory(pupil__school=school)
    ProvisionItemFactory(plan=plan, hours_per_week=None)
    assert sel.section_f_vs_delivery(plan)["shortfall"] is False


def test_plan_page_shows_specified_delivered_and_shortfall(senco, plan_with_delivery):
    response = client_for(senco).get(
        reverse("reviews:plan_detail", args=[plan_with_delivery.public_id])
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Specified in section F" in html
    assert "3 h a week" in html and "1 h a week" in html
    assert 'id="section-f-shortfall"' in html and "-2 h a week" in html
