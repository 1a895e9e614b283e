"""The 15-school-day deadline for sending a leaver's records to their new school, counted on
the school's term dates, on the deadlines page and the home panel."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from reviews import selectors_ehc as sel
from sencoweb.models import Term
from tests.factories import PupilFactory
from tests.helpers import client_for

pytestmark = pytest.mark.django_db


def _left(school, left_on, *, sent=None, left_for="school", name="Leah"):
    return PupilFactory(
        school=school, first_name=name, sen_status="K", archived_at=timezone.now(),
        left_on=left_on, left_for=left_for, destination="Elm High", file_sent_on=sent,
    )  # fmt: skip


def _autumn_2026(school):
    Term.objects.create(
        school=school, academic_year=2026, name="autumn", starts_on=dt.date(2026, 9, 2),
        ends_on=dt.date(2026, 12, 18), half_term_starts=dt.date(2026, 10, 26),
        half_term_ends=dt.date(2026, 10, 30),
    )  # fmt: skip


def test_due_fifteen_school_days_after_leaving_skipping_half_term(senco, school):
    _autumn_2026(school)
    leah = _left(school, dt.date(2026, 10, 9))  # a Friday
    (row,) = sel.records_transfer_rows(memberships=[senco], today=dt.date(2026, 11, 1))
    # 12-16 Oct (5), 19-23 Oct (10), half term, 2-6 Nov (15)
    assert row.pupil == leah and row.deadline.due == dt.date(2026, 11, 6)
    assert row.subject == "Records transfer" and row.deadline.statutory
    assert "weekdays counted" not in row.deadline.rule
    assert row.url == reverse("pupils:archive", args=[leah.public_id])


def test_without_term_dates_weekdays_are_counted_and_the_row_says_so(senco, school):
    _left(school, dt.date(2026, 10, 9))
    (row,) = sel.records_transfer_rows(memberships=[senco], today=dt.date(2026, 11, 1))
    assert row.deadline.due == dt.date(2026, 10, 30)  # three weeks of weekdays
    assert "weekdays counted: add the term dates" in row.deadline.rule


def test_only_moves_whose_file_is_not_sent_and_only_for_the_whole_register(senco, teacher, school):
    _autumn_2026(school)
    _left(school, dt.date(2026, 10, 9), sent=dt.date(2026, 10, 14), name="Sent")
    _left(school, dt.date(2026, 10, 9), left_for="home", name="Home")
    _left(school, dt.date(2025, 6, 1), name="LongAgo")
    assert sel.records_transfer_rows(memberships=[senco], today=dt.date(2026, 11, 1)) == []
    _left(school, dt.date(2026, 10, 9))
    assert len(sel.records_transfer_rows(memberships=[senco], today=dt.date(2026, 11, 1))) == 1
    assert sel.records_transfer_rows(memberships=[teacher], today=dt.date(2026, 11, 1)) == []


def test_deadlines_page_and_home_panel_show_it_to_the_senco_only(senco, teacher, outsider, school):
    today = timezone.localdate()
    _left(school, today - dt.timedelta(days=40), name="Overdue")  # weekdays: well past
    page = client_for(senco).get(reverse("reviews:deadlines")).content.decode()
    assert "Records transfer" in page and "Overdue" in page
    assert (
        "Records transfer"
        not in client_for(teacher).get(reverse("reviews:deadlines")).content.decode()
    )
    assert (
        "Records transfer"
        not in client_for(outsider).get(reverse("reviews:deadlines")).content.decode()
    )
    # The home page's deadlines panel counts it too.
    from types import SimpleNamespace

    from reviews.hooks_ehc import deadlines_panel

    request = SimpleNamespace(membership=senco, user=senco.user, school=school)
    assert deadlines_panel(request)["overdue"] == 1


def test_the_senco_is_reminded_before_the_records_are_due(senco, school, mailoutbox):
    from reviews.services_ehc import deadline_reminders_send

    _autumn_2026(school)
    _left(school, dt.date(2026, 10, 9))  # due Fri 6 Nov 2026
    assert deadline_reminders_send(today=dt.date(2026, 11, 3)) == 1  # 3 days ahead
    assert deadline_reminders_send(today=dt.date(2026, 11, 3)) == 0  # once only
    (mail,) = mailoutbox
    assert mail.subject.startswith("Records transfer deadline in 3 days")
    assert "Leah" not in mail.subject  # initials only
