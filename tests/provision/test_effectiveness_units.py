"""Entry, exit and gain figures say what they are measured in, and a ratio gain is said in words
(DOMAIN.md 9.3): the Impact page gives a reading age's mean gain in months ('9.5 months') beside
its ratio gain, so the two numbers are not read as the same kind of thing, and the group and
pupil pages name the measure over their figures and say what '2.5' means ('2.5' beside a reading
age meant nothing to a teacher on a tablet). Hand-worked: 86 -> 96 months of reading age in 4
months is a gain of 10 months, a ratio gain of 2.5, substantial."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from provision import measures
from tests.factories import PupilFactory
from tests.helpers import client_for

from .factories import GroupFactory, InterventionFactory, enrol

pytestmark = pytest.mark.django_db

WORDS = "Ratio gain 2.5 (reading age rose 2.5 months per month)"


def _text(html):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


@pytest.fixture
def reading_group(school, ta):
    toe = InterventionFactory(school=school, name="Toe by Toe", measure="reading_age")
    group = GroupFactory(school=school, staff=ta, intervention=toe)
    (place,) = enrol(group, PupilFactory(school=school, sen_status="K"))
    place.entry_score, place.entry_on = Decimal(86), dt.date(2026, 1, 5)  # 7y2m
    place.exit_score, place.exit_on = Decimal(96), dt.date(2026, 5, 5)  # 8y0m
    place.save()
    return group


def test_reading_age_gain_in_months_with_its_ratio(senco, reading_group):
    html = client_for(senco).get(reverse("provision:effectiveness")).content.decode()
    assert "10.0 months" in html
    assert "2.5" in html and "substantial" in html


def test_group_page_names_the_measure_and_explains_the_ratio_gain(senco, reading_group):
    url = reverse("provision:group", args=[reading_group.public_id])
    html = client_for(senco).get(url).content.decode()
    head = _text(html[html.index("Pupils in") : html.index("</thead>", html.index("Pupils in"))])
    assert "Entry reading age in months Exit reading age in months Gain months" in head
    assert WORDS in _text(html)


def test_pupil_page_names_the_measure_and_explains_the_ratio_gain(senco, reading_group):
    pupil = reading_group.enrolments.get().pupil
    html = client_for(senco).get(reverse("provision:pupil", args=[pupil.public_id])).content
    text = _text(html.decode())
    assert "Reading age in months 86.0 → 96.0 (gain 10.0 months)" in text
    assert WORDS in text
    assert "ratio 2.5" not in text


def test_sdq_and_school_scale_say_what_they_count(school, senco, ta):
    elsa = InterventionFactory(school=school, name="ELSA", measure="sdq")
    boost = InterventionFactory(
        school=school, name="Talk Boost", measure="scale", scale_min=Decimal("1.0"), scale_max=5
    )
    assert elsa.measure_unit == "SDQ total difficulties, 0 to 40 (lower is better)"
    assert elsa.gain_unit == "points: a fall in the total is a gain"
    boost.refresh_from_db()
    assert boost.measure_unit == "school scale, 1 to 5"
    group = GroupFactory(school=school, staff=ta, intervention=elsa)
    html = client_for(senco).get(reverse("provision:group", args=[group.public_id])).content
    assert "SDQ total difficulties, 0 to 40 (lower is better)" in html.decode()


def test_ratio_gain_in_words():
    assert measures.ratio_gain_words(Decimal("2.2")) == "reading age rose 2.2 months per month"
    assert measures.ratio_gain_words(Decimal("1")) == "reading age rose 1 month per month"
    assert measures.ratio_gain_words(Decimal("-0.5")) == "reading age fell 0.5 months per month"
    assert measures.ratio_gain_words(Decimal("0.0")) == "reading age did not change"
    assert measures.ratio_gain_words(None) == ""
