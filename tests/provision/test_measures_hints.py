"""The entry/exit measures form says what a score is on the intervention's measure: the
school-defined scale's range (the page said only 'Entry score'), the SDQ's direction, the
standardised score's average; a reading age keeps its months example."""

import pytest
from django.urls import reverse

from tests.factories import PupilFactory
from tests.helpers import client_for

from .factories import GroupFactory, InterventionFactory, enrol

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "measure, extra, hint",
    [
        ("scale", {"scale_min": 1, "scale_max": 5}, "On the school&#x27;s scale from 1 to 5"),
        ("sdq", {}, "0 to 40: lower is better"),
        ("standardised", {}, "100 is the average"),
        ("reading_age", {}, "7 years 2 months is 86"),
    ],
)
def test_score_fields_say_what_the_measure_is(school, senco, ta, measure, extra, hint):
    intervention = InterventionFactory(school=school, measure=measure, **extra)
    group = GroupFactory(school=school, staff=ta, intervention=intervention)
    (place,) = enrol(group, PupilFactory(school=school, sen_status="K"))
    html = client_for(senco).get(reverse("provision:enrolment", args=[place.public_id]))
    assert html.content.decode().count(hint) == 2  # entry and exit
