"""A logged session's card says who was away and shows the note, so a TA checking the day sees
what they recorded without opening the form again."""

import datetime as dt

import pytest
from django.urls import reverse

from tests.factories import PupilFactory
from tests.helpers import client_for

from .factories import GroupFactory, enrol, last_weekday, log_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def group(school, ta):
    g = GroupFactory(school=school, staff=ta)
    amara = PupilFactory(school=school, sen_status="K", first_name="Amara", last_name="Okafor")
    ben = PupilFactory(school=school, sen_status="K", first_name="Ben", last_name="Carter")
    enrol(g, amara, ben)
    return g, amara, ben


def _card(ta, day):
    response = client_for(ta).get(reverse("provision:today"), {"date": day.isoformat()})
    assert response.status_code == 200
    return response.content.decode()


def test_held_card_names_who_was_away_and_shows_the_note_escaped(group, ta):
    g, amara, ben = group
    day = last_weekday(dt.date.today())
    note = "<script>alert(1)</script> Good focus"
    response = client_for(ta).post(
        log_url(g, day), {"held": "1", "attended": [str(amara.pk)], "note": note}
    )
    assert response.status_code == 302
    html = _card(ta, day)
    assert "1 of 2 here" in html
    assert "Away: Ben Carter" in html and "Away: Amara" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Good focus" in html
    assert "<script>alert(1)" not in html


def test_everyone_here_names_nobody_and_the_htmx_card_says_the_same(group, ta):
    g, _, _ = group
    day = last_weekday(dt.date.today())
    response = client_for(ta).post(log_url(g, day, quick=True), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "2 of 2 here" in html and "Away:" not in html and "is-cancelled" not in html


def test_cancelled_card_is_marked_as_cancelled(group, ta):
    g, _, _ = group
    day = last_weekday(dt.date.today())
    client_for(ta).post(log_url(g, day), {"held": "0", "reason": "trip", "note": "Panto"})
    html = _card(ta, day)
    assert "session-card mb-3 is-logged is-cancelled" in html
    assert "Trip or event" in html and "Panto" in html and "Away:" not in html
