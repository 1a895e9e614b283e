"""On a tablet in a hurry: the home page's 'Log sessions' is a big button; a TA who went back to
an older day (from the list of sessions not logged yet, say) gets back to today in one tap; each
day in that list is a whole row to tap, and a day logged leaves it at once; a session's own page
leads back to its day."""

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


def _oob_list(html):
    match = re.search(r'<div id="unlogged-sessions" hx-swap-oob="true">(.*?)</div>\s*$', html, re.S)
    assert match, "the card comes with the list of sessions not logged yet, out of band"
    return re.findall(r'<a class="unlogged-day" href="\?date=([\d-]+)">', match.group(1))


@pytest.mark.parametrize("quick", [True, False])
def test_logging_a_card_on_today_updates_the_not_logged_list(group, ta, quick):
    """The day just logged left the 'Not logged yet' list only when the page was reloaded: the
    card's htmx answer now brings the list again (hx-swap-oob), without that day."""
    listed = re.findall(r'<a class="unlogged-day" href="\?date=([\d-]+)">', _today_page(ta))
    assert len(listed) >= 2
    older = dt.date.fromisoformat(listed[0])
    today_url = f"http://testserver{reverse('provision:today')}?date={older.isoformat()}"
    data = {} if quick else {"held": "1", "attended": [str(group.enrolments.get().pupil_id)]}
    response = client_for(ta).post(
        log_url(group, older, quick=quick), data, HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL=today_url,
    )  # fmt: skip
    assert response.status_code == 200
    html = response.content.decode()
    card, _ = html.split('<div id="unlogged-sessions"')
    assert f'id="session-{group.public_id}"' in card and card.strip().endswith("</section>")
    assert _oob_list(html) == listed[1:]


def test_the_last_day_logged_leaves_an_empty_list_to_swap_into(group, ta):
    listed = re.findall(r'<a class="unlogged-day" href="\?date=([\d-]+)">', _today_page(ta))
    client = client_for(ta)
    for day in listed:
        response = client.post(
            log_url(group, dt.date.fromisoformat(day), quick=True), HTTP_HX_REQUEST="true",
            HTTP_HX_CURRENT_URL=f"http://testserver{reverse('provision:today')}",
        )  # fmt: skip
    assert _oob_list(response.content.decode()) == []
    assert '<div id="unlogged-sessions">' in _today_page(ta)


def test_the_session_page_gets_only_its_card(group, ta):
    """On a session's own page there is no list to update: the answer is the card alone."""
    day = last_weekday(dt.date.today() - dt.timedelta(days=1))
    response = client_for(ta).post(
        log_url(group, day, quick=True), HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL=f"http://testserver{log_url(group, day)}",
    )  # fmt: skip
    assert response.status_code == 200
    assert "unlogged-sessions" not in response.content.decode()


def test_today_is_fetched_again_on_coming_back(group, ta):
    """Back from an older day just logged, the browser showed its kept copy of Today, with that
    day still listed as not logged: the page is not to be stored."""
    response = client_for(ta).get(reverse("provision:today"))
    assert "no-store" in response["Cache-Control"]
