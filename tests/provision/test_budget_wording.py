"""The budget's top-up figures are for the whole financial year, including months not yet paid
(an open-ended record counts to the year's end): the page does not call them 'received'."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from provision import costs
from provision.models import TopUpFunding
from tests.factories import PupilFactory
from tests.helpers import client_for

pytestmark = pytest.mark.django_db


def test_top_up_still_to_come_is_not_called_received(school, head):
    fy = costs.financial_year_of(dt.date.today(), september=False)
    start, end = costs.financial_year_bounds(fy, september=False)
    pupil = PupilFactory(school=school, sen_status="E")
    TopUpFunding.objects.create(
        school=school, pupil=pupil, la_name="Bristol", amount=Decimal("3650"), starts_on=start
    )
    page = client_for(head).get(reverse("provision:budget")).content.decode()
    assert "£3,650.00" in page  # the whole year's, though only part of it is paid yet
    assert "received" not in page.lower()
    assert "Top-up this year" in page and "still to come" in page
