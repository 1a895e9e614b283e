"""The demo's small primaries show what the Impact page is for: an ended reading-age group with
exit scores gives a ratio gain (the first six or seven groups had none); a cancelled session
carries no note about how it went ('Good focus today.')."""

import datetime as dt

import pytest

from provision import demo, selectors
from provision.models import SessionLog
from sencoweb.demo import DemoContext
from tests.factories import PupilFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(school, ta):
    for _ in range(20):  # six groups
        PupilFactory(school=school, sen_status="K")
    demo.seed(DemoContext(seed=1, today=dt.date.today(), password_hash="", schools=[school]))
    return school


def test_a_small_primary_has_a_ratio_gain(seeded):
    rows = selectors.intervention_effectiveness(seeded)
    reading = [r for r in rows if r["intervention"].measure == "reading_age" and r["measured"]]
    assert reading and reading[0]["mean_ratio"] is not None and reading[0]["brooks"]


def test_cancelled_sessions_have_no_note_of_how_they_went(seeded):
    assert SessionLog.objects.filter(status="held").exclude(note="").exists()
    assert not SessionLog.objects.filter(status="cancelled").exclude(note="").exists()
