"""A pupil who leaves is taken off the session registers from their leaving date: their places
in groups end that day (a place they had not started yet goes), a group set up for them alone
ends, the SENCO is told what changed and the audit row keeps it; sessions already logged stay."""

import datetime as dt

import pytest
from django.urls import reverse

from provision.models import Enrolment, SessionLog
from sencoweb.models import AuditEvent
from tests.factories import NeedFactory, PupilFactory
from tests.helpers import client_for
from tests.provision.factories import GroupFactory, enrol

pytestmark = pytest.mark.django_db

D = dt.date
LEFT = D(2026, 11, 18)  # a Wednesday


@pytest.fixture
def leaver(school, class_group):
    pupil = PupilFactory(school=school, reg_group=class_group, sen_status="K", first_name="Lily")
    NeedFactory(pupil=pupil)
    return pupil


def _leave(senco, pupil, left_on=LEFT):
    return client_for(senco).post(
        reverse("pupils:archive", args=[pupil.public_id]),
        {"left_on": left_on.isoformat(), "left_for": "home"},
        follow=True,
    )


def _group(school, ta, **dates):
    dates.setdefault("starts_on", D(2026, 11, 2))
    dates.setdefault("ends_on", D(2026, 12, 18))
    return GroupFactory(school=school, staff=ta, **dates)


def test_places_end_on_the_leaving_day_and_the_senco_is_told(senco, ta, school, leaver):
    group = _group(school, ta)
    (place,) = enrol(group, leaver)
    SessionLog.objects.create(group=group, date=D(2026, 11, 16), status="held").attended.add(leaver)
    page = _leave(senco, leaver).content.decode()
    place.refresh_from_db()
    assert place.ends_on == LEFT
    assert f"Their place in {group.title} ends on 18 Nov 2026." in page
    event = AuditEvent.objects.get(summary__startswith="Archived")
    assert event.detail == {"closed": [f"Their place in {group.title} ends on 18 Nov 2026."]}
    # The session before they left stays on their record.
    assert SessionLog.objects.get(date=D(2026, 11, 16)).attended.filter(pk=leaver.pk).exists()


def test_a_leaver_is_not_on_the_register_of_a_later_session(
    senco, ta, school, leaver, taught_pupil
):
    group = _group(school, ta, days="024")
    enrol(group, leaver, taught_pupil)
    _leave(senco, leaver)
    friday = D(2026, 11, 20)
    page = client_for(ta).get(reverse("provision:today"), {"date": friday.isoformat()})
    html = page.content.decode()
    assert taught_pupil.first_name in html and "Lily" not in html


def test_a_place_not_started_goes_and_one_already_ended_stays(senco, ta, school, leaver):
    later = _group(school, ta, starts_on=D(2026, 11, 23))
    done = _group(school, ta, starts_on=D(2026, 9, 7), ends_on=D(2026, 10, 16))
    Enrolment.objects.create(group=later, pupil=leaver, starts_on=D(2026, 11, 23))
    ended = Enrolment.objects.create(
        group=done, pupil=leaver, starts_on=D(2026, 9, 7), ends_on=D(2026, 10, 16)
    )
    page = _leave(senco, leaver).content.decode()
    assert not Enrolment.objects.filter(group=later).exists()
    assert f"Taken off {later.title}, which they were to join on 23 Nov 2026." in page
    ended.refresh_from_db()
    assert ended.ends_on == D(2026, 10, 16)


def test_a_group_for_them_alone_ends_too(senco, ta, school, leaver):
    solo = _group(school, ta, exclusive_to=leaver)
    enrol(solo, leaver)
    page = _leave(senco, leaver).content.decode()
    solo.refresh_from_db()
    assert solo.ends_on == LEFT
    assert "set up for them alone, ends on 18 Nov 2026" in page


def test_a_refused_leaving_changes_nothing(senco, ta, school, leaver):
    group = _group(school, ta)
    (place,) = enrol(group, leaver)
    response = client_for(senco).post(
        reverse("pupils:archive", args=[leaver.public_id]),
        {"left_on": LEFT.isoformat(), "left_for": "school", "destination": ""},
    )
    assert response.status_code == 422
    place.refresh_from_db()
    leaver.refresh_from_db()
    assert place.ends_on is None and not leaver.is_archived
    assert not AuditEvent.objects.filter(summary__startswith="Archived").exists()
