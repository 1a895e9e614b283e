"""Closure days (INSET days, bank holidays in term, closures): the bank holidays of England,
recording and deleting them (who may, what is refused, the audit), and what they change:
school days on the term dates page, provision sessions planned, the 15-school-day records
transfer deadline and a TA's sessions page."""

import datetime as dt

import pytest
from django.urls import reverse

from provision.models import Enrolment
from provision.selectors import calendar_for, day_off, group_stats
from reviews import selectors_ehc
from sencoweb.models import AuditEvent, ClosureDay, Term, calendar_days
from sencoweb.schooldays import bank_holidays_in_school_year, england_bank_holidays
from tests.factories import PupilFactory
from tests.helpers import client_for
from tests.provision.factories import GroupFactory, enrol

pytestmark = pytest.mark.django_db

D = dt.date


# --- the bank holidays of England and Wales (gov.uk/bank-holidays) -------------------------


@pytest.mark.parametrize(
    "year, expected",
    [
        (  # Christmas and Boxing Day on a weekend: both substituted
            2021,
            [D(2021, 1, 1), D(2021, 4, 2), D(2021, 4, 5), D(2021, 5, 3), D(2021, 5, 31),
             D(2021, 8, 30), D(2021, 12, 27), D(2021, 12, 28)],
        ),
        (  # New Year's Day on a Saturday; Christmas on a Sunday after Boxing Day on Monday
            2023,
            [D(2023, 1, 2), D(2023, 4, 7), D(2023, 4, 10), D(2023, 5, 1), D(2023, 5, 29),
             D(2023, 8, 28), D(2023, 12, 25), D(2023, 12, 26)],
        ),
        (
            2026,
            [D(2026, 1, 1), D(2026, 4, 3), D(2026, 4, 6), D(2026, 5, 4), D(2026, 5, 25),
             D(2026, 8, 31), D(2026, 12, 25), D(2026, 12, 28)],
        ),
        (
            2027,
            [D(2027, 1, 1), D(2027, 3, 26), D(2027, 3, 29), D(2027, 5, 3), D(2027, 5, 31),
             D(2027, 8, 30), D(2027, 12, 27), D(2027, 12, 28)],
        ),
    ],
)  # fmt: skip
def test_bank_holidays_of_england(year, expected):
    assert list(england_bank_holidays(year)) == expected


def test_christmas_on_a_sunday_is_kept_on_the_tuesday():
    days = england_bank_holidays(2022)
    assert days[D(2022, 12, 26)] == "Boxing Day"
    assert days[D(2022, 12, 27)] == "Christmas Day (substitute day)"
    assert days[D(2022, 1, 3)] == "New Year's Day (substitute day)"


def test_a_school_year_runs_september_to_august():
    days = bank_holidays_in_school_year(2026)
    assert min(days) == D(2026, 12, 25) and max(days) == D(2027, 8, 30)
    assert D(2026, 8, 31) not in days


# --- recording them -------------------------------------------------------------------------


def _terms(school, year=2026):
    """Autumn (half term 26-30 Oct) and summer (half term 31 May - 4 June) of `year`."""
    autumn = Term.objects.create(
        school=school, academic_year=year, name="autumn", starts_on=D(year, 9, 2),
        ends_on=D(year, 12, 18), half_term_starts=D(year, 10, 26), half_term_ends=D(year, 10, 30),
    )  # fmt: skip
    summer = Term.objects.create(
        school=school, academic_year=year, name="summer", starts_on=D(year + 1, 4, 12),
        ends_on=D(year + 1, 7, 21), half_term_starts=D(year + 1, 5, 31),
        half_term_ends=D(year + 1, 6, 4),
    )  # fmt: skip
    return autumn, summer


def _add(member, **data):
    return client_for(member).post(reverse("school:closure_add"), data)


def _errors(response):
    return " ".join(str(e) for e in response.context["form"].errors.get("date", []))


def test_senco_adds_an_inset_day_and_it_is_audited(senco, school):
    _terms(school)
    response = _add(senco, date="2026-10-23", kind="inset", note=" Staff training ")
    assert response.status_code == 302
    closure = ClosureDay.objects.get(school=school)
    assert (closure.date, closure.kind, closure.note) == (
        D(2026, 10, 23),
        "inset",
        "Staff training",
    )
    event = AuditEvent.objects.get(action="create", object_type="sencoweb.ClosureDay")
    assert event.school == school and event.user == senco.user
    assert event.detail["date"] == {"before": None, "after": "2026-10-23"}


@pytest.mark.parametrize(
    "day, message",
    [
        ("2026-10-24", "is a weekend"),
        ("2026-08-28", "is not in any of the school's terms"),
        ("2026-10-27", "half-term break, already a day off"),
        ("", "required"),
        ("23/10/2026x", "valid date"),
    ],
)
def test_days_that_cannot_be_closures_are_refused_next_to_the_date(senco, school, day, message):
    _terms(school)
    response = _add(senco, date=day, kind="inset")
    assert response.status_code == 422
    assert message in _errors(response)
    assert not ClosureDay.objects.exists() and not AuditEvent.objects.filter(action="create")


def test_a_day_already_recorded_is_refused(senco, school):
    _terms(school)
    ClosureDay.objects.create(school=school, date=D(2026, 11, 2), kind="closure", note="Snow")
    response = _add(senco, date="2026-11-02", kind="inset")
    assert response.status_code == 422
    assert "already recorded (Closure: Snow)" in _errors(response)


def test_only_the_school_settings_roles_may_record_or_delete(school, cast):
    _terms(school)
    closure = ClosureDay.objects.create(school=school, date=D(2026, 11, 2))
    urls = [
        reverse("school:closure_add"),
        reverse("school:closure_delete", args=[closure.pk]),
    ]
    for member in (cast[role] for role in ("teacher", "ta", "governor", "trustlead")):
        for url in urls:
            assert client_for(member).get(url).status_code == 403, (member.role, url)
        bank = reverse("school:bank_holidays_add", args=[2026])
        assert client_for(member).post(bank).status_code == 403
    assert client_for(cast["head"]).get(urls[0]).status_code == 200


def test_another_schools_closure_day_is_a_404(senco, other_school):
    _terms(other_school)
    theirs = ClosureDay.objects.create(school=other_school, date=D(2026, 11, 2))
    url = reverse("school:closure_delete", args=[theirs.pk])
    assert client_for(senco).get(url).status_code == 404
    assert client_for(senco).post(url).status_code == 404
    assert ClosureDay.objects.filter(pk=theirs.pk).exists()


def test_deleting_asks_first_then_deletes_and_audits(senco, school):
    _terms(school)
    closure = ClosureDay.objects.create(school=school, date=D(2026, 11, 2), note="Snow")
    url = reverse("school:closure_delete", args=[closure.pk])
    page = client_for(senco).get(url)
    assert "Monday 2 November 2026" in page.content.decode()
    assert ClosureDay.objects.exists()
    assert client_for(senco).post(url).status_code == 302
    assert not ClosureDay.objects.exists()
    event = AuditEvent.objects.get(action="delete", object_type="sencoweb.ClosureDay")
    assert event.detail["note"] == {"before": "Snow", "after": None}


def test_bank_holidays_in_term_are_offered_and_added_once(senco, school):
    _terms(school)
    page = client_for(senco).get(reverse("school:terms")).content.decode()
    assert "Early May bank holiday (3 May)" in page
    url = reverse("school:bank_holidays_add", args=[2026])
    assert client_for(senco).get(url).status_code == 405
    response = client_for(senco).post(url, follow=True)
    assert "Added 1 bank holiday: Early May bank holiday (3 May 2027)" in response.content.decode()
    # Christmas, New Year, Easter and the spring and summer holidays are not in these terms.
    (closure,) = ClosureDay.objects.filter(school=school)
    assert (closure.date, closure.kind) == (D(2027, 5, 3), "bank_holiday")
    assert AuditEvent.objects.filter(object_type="sencoweb.ClosureDay").count() == 1
    again = client_for(senco).post(url, follow=True).content.decode()
    assert "already recorded" in again and ClosureDay.objects.count() == 1
    assert "add-bank-holidays-2026" not in again


def test_terms_page_counts_school_days_without_closures(senco, school):
    _terms(school)
    ClosureDay.objects.create(school=school, date=D(2026, 10, 23))
    ClosureDay.objects.create(school=school, date=D(2027, 5, 3), kind="bank_holiday")
    page = client_for(senco).get(reverse("school:terms")).content.decode()
    # Autumn: 78 weekdays less half term (5) = 73; summer: 73 - 5 = 68; two closures.
    assert 'id="school-days-2026">139<' in page
    assert "Fri 23 Oct 2026" in page and "Mon 3 May 2027" in page


# --- what closure days change ---------------------------------------------------------------


def test_calendar_of_several_schools_in_one_query(school, other_school, django_assert_num_queries):
    _terms(school)
    ClosureDay.objects.create(school=school, date=D(2026, 10, 23), kind="inset")
    ClosureDay.objects.create(school=other_school, date=D(2026, 10, 23), kind="closure")
    with django_assert_num_queries(1):
        days = calendar_days([school, other_school])
    assert days[school.pk].open_ranges[:2] == [
        (D(2026, 9, 2), D(2026, 10, 25)),
        (D(2026, 10, 31), D(2026, 12, 18)),
    ]
    assert days[school.pk].closures == {D(2026, 10, 23): "INSET day"}
    assert days[other_school.pk].open_ranges == []  # no terms: every weekday is open


def test_no_session_is_planned_on_a_closure_day(school, ta):
    _terms(school)
    group = GroupFactory(
        school=school, staff=ta, days="4", starts_on=D(2026, 10, 12), ends_on=D(2026, 11, 13)
    )
    # Fridays 16 and 23 Oct, (half term), 6 and 13 Nov.
    assert calendar_for(school).dates(group) == [
        D(2026, 10, 16), D(2026, 10, 23), D(2026, 11, 6), D(2026, 11, 13),
    ]  # fmt: skip
    ClosureDay.objects.create(school=school, date=D(2026, 10, 23), kind="inset")
    assert D(2026, 10, 23) not in calendar_for(school).dates(group)
    stats = group_stats([group], school=school, today=D(2026, 11, 30))
    assert stats[group.pk].planned == 3


def test_records_transfer_skips_closure_days(senco, school):
    _terms(school)
    PupilFactory(
        school=school, sen_status="K", archived_at=dt.datetime(2026, 10, 9, tzinfo=dt.UTC),
        left_on=D(2026, 10, 9), left_for="school", destination="Elm High",
    )  # fmt: skip
    (row,) = selectors_ehc.records_transfer_rows(memberships=[senco], today=D(2026, 11, 1))
    assert row.deadline.due == D(2026, 11, 6)  # 12-16, 19-23 Oct, half term, 2-6 Nov
    ClosureDay.objects.create(school=school, date=D(2026, 10, 23), kind="inset")
    (row,) = selectors_ehc.records_transfer_rows(memberships=[senco], today=D(2026, 11, 1))
    assert row.deadline.due == D(2026, 11, 9)


def test_ta_sessions_page_on_an_inset_day(school, ta, taught_pupil):
    _terms(school)
    inset = D(2026, 10, 23)  # a Friday
    group = GroupFactory(
        school=school, staff=ta, days="4", starts_on=D(2026, 10, 12), ends_on=D(2026, 11, 13)
    )
    enrol(group, taught_pupil)
    url = reverse("provision:today")
    page = client_for(ta).get(url, {"date": inset.isoformat()}).content.decode()
    assert "Held, everyone here" in page and 'id="day-off"' not in page

    ClosureDay.objects.create(school=school, date=inset, kind="inset", note="Staff training")
    assert day_off(school, inset) == "INSET day"
    page = client_for(ta).get(url, {"date": inset.isoformat()}).content.decode()
    assert "INSET day</strong>: no sessions are planned" in page
    assert "Held, everyone here" not in page and 'id="show-all"' in page
    page = client_for(ta).get(url, {"date": inset.isoformat(), "all": "1"}).content.decode()
    assert "Held, everyone here" in page  # a session held anyway can still be logged

    half_term = D(2026, 10, 30)
    page = client_for(ta).get(url, {"date": half_term.isoformat()}).content.decode()
    assert "School holiday</strong>: no sessions are planned" in page


# --- what a TA still has to log -------------------------------------------------------------


def test_today_lists_planned_sessions_not_logged_in_the_last_two_weeks(
    school, ta, taught_pupil, monkeypatch
):
    from provision import views as provision_views
    from provision.models import SessionLog

    _terms(school)
    monkeypatch.setattr(provision_views, "_today", lambda request: D(2026, 11, 25))  # a Wednesday
    group = GroupFactory(
        school=school, staff=ta, days="02", starts_on=D(2026, 11, 2), ends_on=D(2026, 12, 18)
    )
    enrol(group, taught_pupil)
    ClosureDay.objects.create(school=school, date=D(2026, 11, 16), kind="inset")
    SessionLog.objects.create(group=group, date=D(2026, 11, 18), status="held")
    SessionLog.objects.create(group=group, date=D(2026, 11, 23), status="cancelled", reason="x")
    page = client_for(ta).get(reverse("provision:today")).content.decode()
    # Planned in the two weeks before Wed 25 Nov: Wed 11, Mon 16 (INSET), Wed 18 (held),
    # Mon 23 (cancelled is logged). Today is not owed yet.
    assert "Not logged yet: 1 session in the last two weeks" in page
    assert '?date=2026-11-11"><span class="fw-semibold">Wed 11 Nov</span>' in page
    assert "Mon 16 Nov" not in page and "Wed 25 Nov" not in page


def test_a_session_nobody_was_enrolled_for_is_not_owed(school, ta, taught_pupil, monkeypatch):
    from provision import views as provision_views

    monkeypatch.setattr(provision_views, "_today", lambda request: D(2026, 11, 25))
    group = GroupFactory(
        school=school, staff=ta, days="0", starts_on=D(2026, 11, 2), ends_on=D(2026, 12, 18)
    )
    Enrolment.objects.create(group=group, pupil=taught_pupil, starts_on=D(2026, 11, 20))
    page = client_for(ta).get(reverse("provision:today")).content.decode()
    assert "Mon 23 Nov" in page and "Mon 16 Nov" not in page
