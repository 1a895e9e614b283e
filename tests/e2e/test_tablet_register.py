"""A TA on an iPad held upright (768 px, touch): every control of the session register is big
enough to tap, the words on the buttons sit in their middle, the choice not made yet is
readable, and an older day has a way back to today. The SENCO's small buttons ('All deadlines',
a notification's 'Open'), the folded header menu and a group's session register rows are 44px
too on a touch screen."""

import datetime as dt

import pytest

from provision.models import SessionLog
from sencoweb.models import Notification
from tests.factories import PupilFactory
from tests.provision.factories import GroupFactory, enrol, last_weekday

from .conftest import axe_violations, screenshot

pytestmark = pytest.mark.django_db(transaction=True)

IPAD = {"width": 768, "height": 1024}
# Everything a finger may need on the page, as [what, height, how far the words are off centre]:
# the words a sighted person sees, not a screen reader's visually hidden ones.
TODAY = (
    ".today-page a, .today-page button, .today-page summary, .today-page label.btn,"
    " .today-page select, .today-page input[type=text]"
)
TARGETS = """(sel) => Array.from(document.querySelectorAll(sel))
  .filter(e => e.getClientRects().length && e.getBoundingClientRect().height > 0)
  .map(e => {
    const box = e.getBoundingClientRect();
    const walk = document.createTreeWalker(e, NodeFilter.SHOW_TEXT);
    let top = Infinity, bottom = -Infinity;
    for (let t = walk.nextNode(); t; t = walk.nextNode()) {
      if (!t.textContent.trim() || t.parentElement.closest('.visually-hidden')) continue;
      const range = document.createRange();
      range.selectNodeContents(t);
      const r = range.getBoundingClientRect();
      if (r.height) { top = Math.min(top, r.top); bottom = Math.max(bottom, r.bottom); }
    }
    const off = bottom > top ? Math.abs((top + bottom) / 2 - (box.top + box.bottom) / 2) : 0;
    return [(e.innerText || e.name || e.tagName).trim().slice(0, 40), Math.round(box.height), Math.round(off)];
  })"""


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": IPAD, "has_touch": True, "locale": "en-GB"}


@pytest.fixture
def group(school, ta):
    g = GroupFactory(school=school, staff=ta, place="Library")
    for first in ("Amara", "Benedict", "Chloe"):
        enrol(g, PupilFactory(school=school, sen_status="K", first_name=first, last_name="Okafor"))
    return g


def test_register_fits_fingers_on_a_tablet(sign_in, page, live_server, group, ta):
    # The latest session day before today: an older day, with today's sessions still to log.
    day = last_weekday(dt.date.today() - dt.timedelta(days=1))
    sign_in("ta", to=f"/provision/today/?date={day.isoformat()}")
    page.wait_for_function("window.htmx !== undefined")
    page.tap(".session-details summary")
    page.wait_for_selector(".session-form", state="visible")
    screenshot(page, "tablet-register-open")
    targets = page.evaluate(TARGETS, TODAY)
    assert any(t[0] == "Back to today" for t in targets), targets
    assert any(t[0].startswith("My timetable") for t in targets), targets
    small = [t for t in targets if t[1] < 44]
    assert not small, f"under 44 px: {small}"
    off_centre = [t for t in targets if t[2] > 3]
    assert not off_centre, f"words not in the middle of their button: {off_centre}"
    # "Cancelled", not chosen yet, in Bootstrap's yellow on white was 1.6:1.
    assert not axe_violations(page, impacts=("serious", "critical", "moderate"))
    assert page.evaluate("document.documentElement.scrollWidth") <= IPAD["width"]
    page.tap("#back-to-today")
    page.wait_for_selector("#day-heading")
    assert page.inner_text("#day-heading").startswith("Today")
    assert not page.locator("#back-to-today").count()


def _too_small(page, selector):
    targets = page.evaluate(TARGETS, selector)
    assert targets, f"nothing found for {selector}"
    return [t for t in targets if t[1] < 44 or t[2] > 3]


def test_small_buttons_and_the_menu_fit_fingers_on_a_tablet(
    sign_in, page, live_server, group, senco, school
):
    """Were 31px ('All deadlines', 'Open') and 32-40px (the folded menu's items)."""
    Notification.objects.create(
        school=school, user=senco.user, title="A concern was raised", url="/pupils/concerns/"
    )
    day = last_weekday(dt.date.today() - dt.timedelta(days=1))
    SessionLog.objects.create(group=group, date=day, status="held")
    sign_in("senco")
    assert not _too_small(page, "a.btn-sm[href$='/deadlines/'], #notifications-short")
    page.tap(".navbar-toggler")
    page.wait_for_selector("#main-nav.show")
    page.tap("#main-nav .dropdown-toggle >> nth=0")
    page.wait_for_selector("#main-nav .dropdown-menu.show")
    screenshot(page, "tablet-header-menu")
    assert not _too_small(page, "#main-nav .nav-link, #main-nav .dropdown-menu.show .dropdown-item")
    page.goto(f"{live_server.url}/notifications/")
    assert not _too_small(page, "#main .btn-sm")
    page.goto(f"{live_server.url}/provision/groups/{group.public_id}/")
    assert not _too_small(page, ".session-history .session-row")
    page.tap(".session-history .session-row")
    page.wait_for_selector("#back-to-group")
    assert page.inner_text("#day-heading") == f"Session on {day:%A %-d %B %Y}"
