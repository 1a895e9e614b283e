"""The leaving form says, before the SENCO records that a pupil left, what leaving will close in
other apps (pupils.hooks.leaving_previews): reviews names the open support plan and its review
date, provision the groups whose places will end. After saving, the same things are said as
done (the leaving handlers); the form of a pupil who has already left says nothing of the kind.
"""

import datetime as dt
import html

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from pupils import hooks
from tests.factories import PupilFactory
from tests.helpers import client_for
from tests.provision.factories import GroupFactory, enrol
from tests.reviews.cycle_helpers import issued_cycle

pytestmark = pytest.mark.django_db


def _today():
    return timezone.localdate()


def _url(pupil):
    return reverse("pupils:archive", args=[pupil.public_id])


def _group(school, ta, intervention, name="", **dates):
    return GroupFactory(
        school=school, staff=ta, intervention__name=intervention, name=name, **dates
    )


def _preview(page) -> str:
    """The text of the leaving form's preview box, or "" when there is none."""
    text = html.unescape(page.content.decode())
    start = text.find('id="leaving-preview"')
    if start == -1:
        return ""
    return " ".join(text[start : text.find("</div>", start)].split())


def test_the_form_says_which_plan_and_groups_will_end(senco, ta, school, taught_pupil):
    cycle = issued_cycle(taught_pupil, senco.user, review_in_days=20)
    _group(school, ta, "Lego therapy")  # a group they are not in
    enrol(_group(school, ta, "Talk Boost KS2", "Group 1"), taught_pupil)
    enrol(_group(school, ta, "Precision Teaching"), taught_pupil)
    page = client_for(senco).get(_url(taught_pupil))
    assert page.status_code == 200
    preview = _preview(page)
    assert "When you record that Amara Okafor left:" in preview
    assert f"Support plan 1 (review due {cycle.review_date:%-d %b %Y}) will end." in preview
    assert (
        "Their places in Talk Boost KS2: Group 1 and Precision Teaching will end on the "
        "leaving date."
    ) in preview
    assert "Lego therapy" not in preview


def test_one_place_and_a_group_set_up_for_them_alone(senco, ta, school, taught_pupil):
    enrol(_group(school, ta, "Precision Teaching"), taught_pupil)
    solo = _group(school, ta, "1:1 reading", exclusive_to=taught_pupil)
    enrol(solo, taught_pupil)
    preview = _preview(client_for(senco).get(_url(taught_pupil)))
    assert "Their place in Precision Teaching will end on the leaving date." in preview
    assert "1:1 reading, set up for them alone, will end on the leaving date." in preview
    assert "Support plan" not in preview  # none open


def test_places_already_over_are_not_named(senco, ta, school, taught_pupil):
    today = _today()
    over = _group(
        school, ta, "Lego therapy", starts_on=today - dt.timedelta(days=60),
        ends_on=today - dt.timedelta(days=10),
    )  # fmt: skip
    enrol(over, taught_pupil)
    running = _group(school, ta, "Precision Teaching")
    (place,) = enrol(running, taught_pupil)
    place.ends_on = today - dt.timedelta(days=1)  # they stopped going yesterday
    place.save()
    later = _group(
        school, ta, "Talk Boost KS2", starts_on=today + dt.timedelta(days=7),
        ends_on=today + dt.timedelta(days=40),
    )  # fmt: skip
    enrol(later, taught_pupil)  # a place to come is named: leaving takes them off it
    preview = _preview(client_for(senco).get(_url(taught_pupil)))
    assert "Their place in Talk Boost KS2 will end on the leaving date." in preview
    assert "Lego therapy" not in preview and "Precision Teaching" not in preview


def test_nothing_to_end_shows_no_preview(senco, taught_pupil):
    page = client_for(senco).get(_url(taught_pupil))
    assert page.status_code == 200
    assert 'id="leaving-preview"' not in page.content.decode()


def test_what_the_preview_names_is_what_leaving_ends(senco, ta, school, taught_pupil):
    cycle = issued_cycle(taught_pupil, senco.user, review_in_days=20)
    group = _group(school, ta, "Precision Teaching")
    enrol(group, taught_pupil)
    client = client_for(senco)
    assert "Precision Teaching" in _preview(client.get(_url(taught_pupil)))
    done = client.post(
        _url(taught_pupil), {"left_on": _today().isoformat(), "left_for": "home"}, follow=True
    )
    text = html.unescape(done.content.decode())
    assert f"Support plan 1 (review due {cycle.review_date:%-d %b %Y}) ended:" in text
    assert f"Their place in {group.title} ends on" in text


def test_the_form_of_a_pupil_who_has_left_has_no_preview(senco, ta, school, taught_pupil):
    client = client_for(senco)
    client.post(_url(taught_pupil), {"left_on": _today().isoformat(), "left_for": "home"})
    # Something still running after they left (added behind the form's back) is not offered
    # as ending: correcting the leaving details runs no leaving handler.
    enrol(_group(school, ta, "Precision Teaching"), taught_pupil)
    page = client.get(_url(taught_pupil))
    assert page.status_code == 200
    assert 'id="leaving-preview"' not in page.content.decode()


def test_the_preview_reads_nothing_it_changes(senco, ta, school, taught_pupil):
    cycle = issued_cycle(taught_pupil, senco.user)
    (place,) = enrol(_group(school, ta, "Precision Teaching"), taught_pupil)
    assert len(hooks.leaving_preview(taught_pupil)) == 2
    cycle.refresh_from_db()
    place.refresh_from_db()
    assert cycle.is_open and place.ends_on is None


def test_queries_do_not_grow_with_the_groups(
    senco, ta, school, taught_pupil, django_assert_num_queries
):
    issued_cycle(taught_pupil, senco.user)
    enrol(_group(school, ta, "Precision Teaching"), taught_pupil)
    client = client_for(senco)
    client.get(_url(taught_pupil))  # warm the session
    with CaptureQueriesContext(connection) as one_group:
        client.get(_url(taught_pupil))
    for n in range(4):
        enrol(_group(school, ta, f"Group {n}"), taught_pupil)
    _group(school, ta, "1:1 reading", exclusive_to=taught_pupil)
    with django_assert_num_queries(len(one_group)):
        page = client.get(_url(taught_pupil))
    assert "Group 3" in _preview(page) and "1:1 reading" in _preview(page)


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("senco", 200),
        ("head", 403),
        ("teacher", 403),
        ("ta", 403),
        ("governor", 403),
        ("trustlead", 403),
        ("outsider", 404),
    ],
)
def test_only_those_who_may_record_leaving_see_the_form(cast, who, status, ta, school):
    pupil = PupilFactory(school=school, sen_status="K", first_name="Amara")
    issued_cycle(pupil, cast["senco"].user)
    enrol(_group(school, ta, "Precision Teaching"), pupil)
    page = client_for(cast[who]).get(_url(pupil))
    assert page.status_code == status
    assert ("Precision Teaching" in _preview(page)) is (status == 200)
