"""The Impact page gives a reading age's mean gain in months ('9.5 months'), beside its ratio
gain, so the two numbers are not read as the same kind of thing. Hand-worked (DOMAIN.md 9.3):
86 -> 96 months in 4 months is a gain of 10 months, ratio 2.5, substantial."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from tests.factories import PupilFactory
from tests.helpers import client_for

from .factories import GroupFactory, InterventionFactory, enrol

pytestmark = pytest.mark.django_db


def test_reading_age_gain_in_months_with_its_ratio(school, senco, ta):
    toe = InterventionFactory(school=school, name="Toe by Toe", measure="reading_age")
    group = GroupFactory(school=school, staff=ta, intervention=toe)
    (place,) = enrol(group, PupilFactory(school=school, sen_status="K"))
    place.entry_score, place.entry_on = Decimal(86), dt.date(2026, 1, 5)  # 7y2m
    place.exit_score, place.exit_on = Decimal(96), dt.date(2026, 5, 5)  # 8y0m
    place.save()
    html = client_for(senco).get(reverse("provision:effectiveness")).content.decode()
    assert "10.0 months" in html
    assert "2.5" in html and "substantial" in html
