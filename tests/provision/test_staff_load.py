"""The Staff page's 'Provision hours a week' is the load of the groups running today, as the
member's timetable gives it: a group that starts next month is not yet part of it. The timetable
says it in words: '1.5 hours', not '1.50'; no groups at all is said plainly."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from provision.templatetags.provision_format import hours, plain_number
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


def _load_line(client, member):
    html = client.get(reverse("provision:staff_timetable", args=[member.user.public_id]))
    return re.search(r'<p id="staff-load">(.*?)</p>', html.content.decode(), re.S).group(1)


def test_no_groups_is_said_plainly(school, head, teacher):
    """Not '0.00 hours a week of provision, 0 pupils, 0 groups.' over five empty days."""
    assert _load_line(client_for(teacher), teacher) == "You do not deliver any intervention groups."
    name = teacher.user.get_full_name()
    assert (
        _load_line(client_for(head), teacher) == f"{name} does not deliver any intervention groups."
    )
    page = client_for(teacher).get(reverse("provision:my_timetable"), follow=True)
    assert "timetable-grid" not in page.content.decode()


def test_hours_read_as_prose(school, ta):
    group = GroupFactory(school=school, staff=ta, days="024", session_minutes=30)  # 1.5 h
    client = client_for(ta)
    assert _load_line(client, ta).startswith("1.5 hours a week of provision, 0 pupils, 1 group.")
    html = client.get(reverse("provision:group", args=[group.public_id])).content.decode()
    assert "1.5 hours a week)" in html and "1.50" not in html


def test_hours_filters():
    assert hours(Decimal("1.50")) == "1.5 hours"
    assert hours(Decimal("1.00")) == "1 hour"
    assert hours(Decimal("0.00")) == "0 hours"
    assert hours(Decimal("6.6667")) == "6.67 hours"
    assert plain_number(Decimal("16.50")) == "16.5"
    assert plain_number(None) == ""
