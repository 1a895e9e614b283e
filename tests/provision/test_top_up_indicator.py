"""The census top-up indicator (DOMAIN.md 2.5) is not a field on the pupil: it is whether a
TopUpFunding record is current on the day, shown on the census readiness page (on census day)
and in the register's flags (today), without a query per row."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from provision.models import TopUpFunding
from pupils import census
from tests.factories import PupilFactory
from tests.helpers import client_for

pytestmark = pytest.mark.django_db

CENSUS_DAY = dt.date(2027, 1, 21)


def _top_up(pupil, starts_on, ends_on=None, **extra):
    return TopUpFunding.objects.create(
        school=pupil.school,
        pupil=pupil,
        la_name="Bristol",
        amount=5400,
        starts_on=starts_on,
        ends_on=ends_on,
        **extra,
    )


def test_the_indicator_follows_the_records_current_on_census_day(school, other_school):
    paid = PupilFactory(school=school, sen_status="E", last_name="Paid")
    ended = PupilFactory(school=school, sen_status="E", last_name="Ended")
    later = PupilFactory(school=school, sen_status="E", last_name="Later")
    open_ended = PupilFactory(school=school, sen_status="K", last_name="Open")
    PupilFactory(school=school, sen_status="E", last_name="None")
    _top_up(paid, dt.date(2026, 9, 1), dt.date(2027, 1, 21))  # ends on census day: still paid
    _top_up(ended, dt.date(2026, 1, 1), dt.date(2027, 1, 20))
    _top_up(later, dt.date(2027, 1, 22))
    _top_up(open_ended, dt.date(2025, 4, 1), with_ehc_plan=False)
    _top_up(PupilFactory(school=other_school), dt.date(2026, 1, 1))
    assert [p.last_name for p in census.top_up_indicated(school, CENSUS_DAY)] == ["Open", "Paid"]

    # Changing the records changes the indicator: nothing else to keep in step.
    TopUpFunding.objects.filter(pupil=paid).update(ends_on=dt.date(2027, 1, 1))
    TopUpFunding.objects.filter(pupil=later).update(starts_on=dt.date(2027, 1, 4))
    assert [p.last_name for p in census.top_up_indicated(school, CENSUS_DAY)] == ["Later", "Open"]


def test_census_readiness_lists_top_up_and_notes_the_one_without_a_plan(senco, school):
    today = timezone.localdate()
    with_plan = PupilFactory(school=school, sen_status="E", last_name="Withplan")
    without = PupilFactory(school=school, sen_status="K", last_name="Withoutplan")
    _top_up(with_plan, today - dt.timedelta(days=30))
    _top_up(without, today - dt.timedelta(days=30), with_ehc_plan=False)
    page = client_for(senco).get(reverse("pupils:census"))
    section = page.text.split('id="census-top-up"')[1]
    assert "Withplan" in section and "Withoutplan" in section
    assert section.count("No EHC plan: the census raises a query") == 1
    assert "£" not in section  # the indicator, not the money


def test_the_register_flags_top_up_without_a_query_per_row(senco, school):
    today = timezone.localdate()
    funded = PupilFactory(school=school, sen_status="E", last_name="Funded")
    PupilFactory(school=school, sen_status="K", last_name="Unfunded")
    _top_up(funded, today - dt.timedelta(days=10))
    _top_up(PupilFactory(school=school, sen_status="K"), today - dt.timedelta(days=90), today)
    client = client_for(senco)
    page = client.get(reverse("pupils:register"))
    rows = {row.split("</a>")[0].split(">")[-1]: row for row in page.text.split("<tr>")[2:]}
    funded_row = next(r for name, r in rows.items() if name.startswith("Funded"))
    unfunded_row = next(r for name, r in rows.items() if name.startswith("Unfunded"))
    assert ">Top-up</span>" in funded_row and "Top-up" not in unfunded_row
    assert page.text.count(">Top-up</span>") == 2  # a record that ends today is still paid

    with CaptureQueriesContext(connection) as few:
        client.get(reverse("pupils:register"))
    for _ in range(4):
        _top_up(PupilFactory(school=school, sen_status="E"), today)
    with CaptureQueriesContext(connection) as more:
        page = client.get(reverse("pupils:register"))
    assert page.text.count(">Top-up</span>") == 6
    assert len(more) == len(few)


def test_the_profile_flags_top_up_for_those_who_see_the_whole_register(
    senco, teacher, school, class_group
):
    """The profile's summary says what the register's Top-up flag says, to the SENCO; a
    teacher of the pupil sees no funding."""
    today = timezone.localdate()
    paid = PupilFactory(school=school, sen_status="E")
    paid.teaching_groups.add(class_group)
    unpaid = PupilFactory(school=school, sen_status="K")
    _top_up(paid, today - dt.timedelta(days=30))
    _top_up(unpaid, today - dt.timedelta(days=60), ends_on=today - dt.timedelta(days=1))

    def page(member, pupil):
        return client_for(member).get(reverse("pupils:detail", args=[pupil.public_id]))

    assert "Top-up funding" in page(senco, paid).content.decode()
    assert "Top-up funding" not in page(senco, unpaid).content.decode()
    response = page(teacher, paid)
    assert response.status_code == 200 and "Top-up funding" not in response.content.decode()
