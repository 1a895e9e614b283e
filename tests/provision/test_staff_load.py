"""The Staff page's 'Provision hours a week' is the load of the groups running today, as the
member's timetable gives it: a group that starts next month is not yet part of it."""

import datetime as dt

import pytest
from django.urls import reverse

from tests.helpers import client_for

from .factories import GroupFactory

pytestmark = pytest.mark.django_db


def test_staff_page_and_timetable_agree_on_the_load(school, head, ta):
    today = dt.date.today()
    GroupFactory(school=school, staff=ta, days="024", session_minutes=30)  # 1.5 h, running
    GroupFactory(
        school=school, staff=ta, days="1", session_minutes=60,
        starts_on=today + dt.timedelta(days=20), ends_on=today + dt.timedelta(days=80),
    )  # fmt: skip
    client = client_for(head)
    page = client.get(reverse("provision:staff"))
    member = next(m for m in page.context["members"] if m.pk == ta.pk)
    assert member.weekly_load == 1.5
    timetable = client.get(reverse("provision:staff_timetable", args=[ta.user.public_id]))
    assert timetable.context["load"]["weekly_hours"] == 1.5
