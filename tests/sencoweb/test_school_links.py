"""A link that names its school (?school=<public id>): a SENCO shared by two schools who follows
a reminder or a row of the all-schools deadlines for the school they are not working in is
switched to it, not shown a 404; nobody can reach a school they are not a member of this way."""

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.urls import reverse

from reviews import services, services_ehc
from reviews.models import SupportCycle
from sencoweb.urltools import in_school
from tests.factories import MembershipFactory, PupilFactory, SchoolFactory
from tests.helpers import client_for
from tests.reviews.cycle_helpers import issued_cycle
from tests.reviews.ehc_factories import AnnualReviewFactory, EhcPlanFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def second(senco):
    """The SENCO's second school (the first, `school`, is where they are working)."""
    second = SchoolFactory(name="Little Harbour")
    MembershipFactory(user=senco.user, school=second, role="senco")
    return second


def test_a_link_naming_the_other_school_switches_to_it(senco, second):
    pupil = PupilFactory(school=second, sen_status="K")
    url = reverse("pupils:detail", args=[pupil.public_id])
    client = client_for(senco)
    assert client.get(url).status_code == 404  # working in the first school
    response = client.get(in_school(url, second))
    assert response.status_code == 200
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "You are now working in Little Harbour."
    ]
    assert client.get(url).status_code == 200  # and stays there
    assert client.get(reverse("home")).context["request"].school == second


def test_a_school_the_user_is_not_a_member_of_is_ignored(senco, other_school):
    pupil = PupilFactory(school=other_school, sen_status="K")
    url = in_school(reverse("pupils:detail", args=[pupil.public_id]), other_school)
    response = client_for(senco).get(url)
    assert response.status_code == 404
    assert response.wsgi_request.school == senco.school


def test_only_a_page_opened_switches_not_a_form_sent(senco, second):
    client = client_for(senco)
    client.post(in_school(reverse("notifications"), second))
    assert client.get(reverse("home")).wsgi_request.school == senco.school


def test_all_schools_deadlines_link_each_row_in_its_school(senco, second):
    plan = EhcPlanFactory(pupil__school=second, issued_on=dt.date(2020, 1, 6))
    page = client_for(senco).get(reverse("reviews:deadlines") + "?scope=all").content.decode()
    assert f"/{plan.public_id}/review/?school={second.public_id}" in page


def test_reminder_emails_open_in_their_school(senco, second, mailoutbox):
    senco.user.email = "senco@example.org"
    senco.user.save()
    pupil = PupilFactory(school=second, sen_status="K")
    cycle = issued_cycle(pupil, senco.user, review_in_days=3)
    SupportCycle.objects.filter(pk=cycle.pk).update(teacher_responsible=None)
    assert services.review_reminders_send() == 1
    assert f"?school={second.public_id}" in mailoutbox[0].body

    plan = EhcPlanFactory(pupil__school=second, issued_on=dt.date(2025, 12, 1))
    AnnualReviewFactory(plan=plan, meeting_on=dt.date(2026, 11, 20))
    mail.outbox.clear()
    assert services_ehc.deadline_reminders_send(today=dt.date(2026, 11, 22)) >= 1
    assert all(f"?school={second.public_id}" in m.body for m in mail.outbox)
