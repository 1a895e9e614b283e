"""A teacher and a TA in a hurry: the pages they use fit a phone (390 px) without the page
scrolling sideways, and the header stays one line on a tablet (1024 px)."""

import datetime as dt

import pytest
from django.utils import timezone

from pupils.models import Pupil
from reviews.models import SupportCycle
from tests.factories import PupilFactory
from tests.reviews.cycle_helpers import issued_cycle

from .conftest import screenshot

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
TABLET = {"width": 1024, "height": 768}
SIDEWAYS = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


@pytest.fixture
def class_with_plans(school, senco, class_group):
    school.name = "Oakfield Primary School and Nursery"
    school.save()
    pupils = []
    for first, last in [("Amara", "Okafor"), ("Benedict", "Fitzgerald-Hughes")]:
        pupil = PupilFactory(school=school, first_name=first, last_name=last, sen_status="K")
        pupil.teaching_groups.add(class_group)
        Pupil.objects.filter(pk=pupil.pk).update(
            what_helps="Short, clear instructions one at a time; visual prompts; time to answer.",
            what_does_not_help="Long verbal explanations; being put on the spot.",
        )
        cycle = issued_cycle(pupil, senco.user)
        SupportCycle.objects.filter(pk=cycle.pk).update(
            review_date=timezone.localdate() - dt.timedelta(days=3)
        )
        pupils.append(pupil)
    return pupils


def test_teacher_pages_fit_a_phone(sign_in, page, live_server, class_with_plans, teacher):
    page.set_viewport_size(PHONE)
    sign_in("teacher", to="/pupils/my-classes/")
    # Each pupil reads as a card: what helps is on screen, not in a column off to the right.
    helps = page.locator("td[data-label='What helps']").first
    box = helps.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    assert page.evaluate(SIDEWAYS) == 0
    screenshot(page, "staff-phone-my-classes")
    pupil = class_with_plans[1]
    for path in ("/reviews/calendar/", f"/reviews/pupil/{pupil.public_id}/"):
        page.goto(f"{live_server.url}{path}")
        assert page.evaluate(SIDEWAYS) == 0, path
    page.click("#cycle-list a >> nth=0")
    page.wait_for_selector("h1")
    assert page.evaluate(SIDEWAYS) == 0, "support plan"
    screenshot(page, "staff-phone-support-plan")


@pytest.mark.parametrize("username", ["teacher", "ta", "senco", "head"])
def test_header_fits_a_tablet(sign_in, page, live_server, class_with_plans, head, username):
    """At 1024 px the links sit behind the menu button (opened out, most roles' links ran off
    the side); the unread count stays in sight. Opened out from 1200 px, nothing runs past the
    edge, and the school's name is one line with its full name as the title."""
    from sencoweb.models import Membership, Notification

    member = Membership.objects.get(user__username=username)
    # A long name must not push the header onto a second line (factory names vary by run).
    member.user.first_name, member.user.last_name = "Bartholomew", "Featherstonehaugh-Smythe"
    member.user.save()
    Notification.objects.create(school=member.school, user=member.user, title="Plan issued")
    page.set_viewport_size(TABLET)
    sign_in(username)
    assert page.evaluate(SIDEWAYS) == 0
    height = page.locator("header nav").bounding_box()["height"]
    assert height < 70, f"the header wraps onto several lines ({height} px)"
    assert page.locator("#notifications-short").inner_text().startswith("1")
    screenshot(page, f"staff-tablet-header-{username}")
    # Opened out, even the SENCO's and head's longer menus stay inside the width of a laptop.
    for width in (1200, 1280, 1366, 1440):
        page.set_viewport_size({"width": width, "height": 800})
        assert page.evaluate(SIDEWAYS) == 0, width
        assert page.locator("header nav").bounding_box()["height"] < 70, width
    page.set_viewport_size({"width": 1280, "height": 800})
    assert not page.locator("#notifications-short").is_visible()
    assert page.locator("header nav").bounding_box()["height"] < 70
    school = page.locator("#current-school")
    assert school.get_attribute("title") == "Oakfield Primary School and Nursery"
