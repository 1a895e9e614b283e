"""On a tablet in a hurry: the home page's 'Log sessions' is a big button; a TA who went back to
an older day (from the list of sessions not logged yet, say) gets back to today in one tap; each
day in that list is a whole row to tap; a session's own page leads back to its day."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from tests.factories import PupilFactory
from tests.helpers import client_for

from .factories import GroupFactory, enrol, last_weekday, log_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def group(school, ta):
    g = GroupFactory(school=school, staff=ta)
    enrol(g, PupilFactory(school=school, sen_status="K"))
    return g


def _today_page(ta, day=None):
    params = {"date": day.isoformat()} if day else {}
    response = client_for(ta).get(reverse("provision:today"), params)
    assert response.status_code == 200
    return response.content.decode()


def test_home_log_sessions_is_a_large_button(school, ta):
    today = dt.date.today()
    g = GroupFactory(school=school, staff=ta, days=str(today.weekday()))
    enrol(g, PupilFactory(school=school, sen_status="K"))
    html = client_for(ta).get(reverse("home")).content.decode()
    button = re.search(r'<a [^>]*id="panel-today-log"[^>]*>Log sessions</a>', html)
    assert button and "btn-lg" in button.group(0)


def test_an_older_day_has_a_way_back_to_today(group, ta):
    assert 'id="back-to-today"' not in _today_page(ta)
    older = last_weekday(dt.date.today() - dt.timedelta(days=3))
    html = _today_page(ta, older)
    link = re.search(r'<a [^>]*id="back-to-today"[^>]*>Back to today</a>', html)
    assert link and f'href="{reverse("provision:today")}"' in link.group(0)


def test_each_unlogged_day_is_one_link_with_its_sessions(group, ta):
    html = _today_page(ta)
    days = re.findall(r'<a class="unlogged-day" href="\?date=([\d-]+)">(.*?)</a>', html, re.S)
    assert days, "the sessions not logged yet are listed"
    for _, text in days:
        assert "09:10" in text and group.title in text


def test_the_session_page_links_back_to_its_day(group, ta):
    day = last_weekday(dt.date.today())
    html = client_for(ta).get(log_url(group, day)).content.decode()
    back = re.search(r'<a [^>]*id="back-to-day"[^>]*>', html)
    assert back and f"?date={day.isoformat()}" in back.group(0) and "tap" in back.group(0)
