"""Bad input: property tests over forms and the deadline engine, and cross-site scripting
attempts in free-text fields coming back escaped."""

import datetime as dt

import pytest
from django import forms as django_forms
from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviews.deadlines import (
    Deadline,
    DeadlineStatus,
    LaRuleProfile,
    SchoolCalendar,
    records_transfer_deadline,
)
from sencoweb.forms import AuditFilterForm
from sencoweb.models import AuditEvent, User

NASTY = st.one_of(
    st.text(max_size=60),
    st.sampled_from(
        [
            "",
            " ",
            "<script>alert(1)</script>",
            '"><img src=x onerror=alert(1)>',
            "' OR 1=1 --",
            '=HYPERLINK("http://evil")',
            "2026-02-30",
            "31/12/2026",
            "9999-12-31",
            "0001-01-01",
            "00000000-0000-0000-0000-000000000000",
            "\x00",
            "😀" * 20,
            "a" * 5000,
        ]
    ),
)
QUICK = settings(max_examples=150, deadline=None, database=None)
DB_QUICK = settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _data_for(form_class, draw_value):
    return {name: draw_value for name in form_class.base_fields}


def assert_clean_outcome(form):
    """A form either validates or reports errors against its own fields: never a crash."""
    if form.is_valid():
        return True
    for field in form.errors:
        assert field == "__all__" or field in form.fields, field
    for messages in form.errors.values():
        assert all(isinstance(m, str) and m for m in messages)
    return False


@QUICK
@given(data=st.fixed_dictionaries({k: NASTY for k in AuditFilterForm.base_fields}))
def test_audit_filter_form_never_crashes(data):
    form = AuditFilterForm(data)
    if assert_clean_outcome(form):
        # A valid filter always makes a query the database can run.
        str(form.filter(AuditEvent.objects.all()).query)


@QUICK
@given(since=st.dates(), until=st.dates())
def test_audit_filter_dates_in_the_wrong_order_are_refused_next_to_the_field(since, until):
    form = AuditFilterForm({"since": since.isoformat(), "until": until.isoformat()})
    assert form.is_valid() == (since <= until)
    if since > until:
        assert "until" in form.errors


@QUICK
@given(new1=NASTY, new2=NASTY)
def test_set_password_form_never_crashes(new1, new2):
    user = User(username="senco", email="senco@example.org", first_name="Sam")
    form = SetPasswordForm(user, {"new_password1": new1, "new_password2": new2})
    if assert_clean_outcome(form):
        assert new1 == new2 and len(new1) >= 12


@pytest.mark.django_db
@DB_QUICK
@given(old=NASTY, new1=NASTY)
def test_password_change_form_never_crashes(old, new1):
    user, _ = User.objects.get_or_create(username="pwuser")
    user.set_password("the-old-passphrase-1")
    form = PasswordChangeForm(
        user, {"old_password": old, "new_password1": new1, "new_password2": new1}
    )
    assert not assert_clean_outcome(form) or old == "the-old-passphrase-1"


def _app_forms():
    """Forms of the apps that can be built without arguments (others need a pupil)."""
    import importlib

    found = []
    for module_name in ("pupils.forms", "reviews.forms", "provision.forms"):
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        for name in dir(module):
            obj = getattr(module, name)
            if (
                isinstance(obj, type)
                and issubclass(obj, django_forms.Form)
                and obj.__module__ == module_name
            ):
                try:
                    obj()
                except TypeError:
                    continue  # needs context arguments
                found.append(obj)
    return found


APP_FORMS = _app_forms()


@pytest.mark.django_db
@pytest.mark.parametrize("form_class", APP_FORMS, ids=[f.__name__ for f in APP_FORMS])
def test_app_forms_never_crash_on_hostile_input(form_class):
    @DB_QUICK
    @given(data=st.fixed_dictionaries({k: NASTY for k in form_class.base_fields}))
    def check(data):
        assert_clean_outcome(form_class(data))

    check()


# --- the deadline engine --------------------------------------------------------------------


@QUICK
@given(
    report=st.integers(-50, 400),
    invite=st.integers(-50, 400),
    request_days=st.integers(-50, 400),
    circulate=st.integers(-50, 400),
)
def test_la_rule_profiles_are_valid_or_refused_with_a_reason(
    report, invite, request_days, circulate
):
    try:
        profile = LaRuleProfile(report, invite, request_days, circulate)
    except ValueError as err:
        assert str(err)
        return
    assert 1 <= profile.report_to_la_days <= 14
    assert profile.invitation_lead_days >= 14
    assert profile.advice_circulation_lead_days < profile.advice_request_lead_days


@QUICK
@given(due=st.dates(), today=st.dates(), done=st.none() | st.dates())
def test_a_deadline_always_has_exactly_one_sensible_status(due, today, done):
    d = Deadline("k", "label", due, "rule", "source", True, done)
    status = d.status(today)
    assert status in set(DeadlineStatus)
    if status == DeadlineStatus.OVERDUE:
        assert today > due and not d.is_done(today)
    if status in (DeadlineStatus.DONE, DeadlineStatus.DONE_LATE):
        assert d.is_done(today)


@QUICK
@given(left=st.dates(dt.date(2025, 9, 1), dt.date(2026, 6, 30)))
def test_records_transfer_is_due_on_a_school_day_after_leaving(left):
    calendar = SchoolCalendar.default_for(2025)
    try:
        deadline = records_transfer_deadline(left_on=left, calendar=calendar)
    except ValueError:
        return  # too close to the end of the calendar: refused with a reason
    assert deadline.due > left
    assert calendar.is_school_day(deadline.due)


# --- the importer: hostile files ----------------------------------------------------------

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE CTfile [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<CTfile><Header><SourceSchool><SchoolName>&xxe;</SchoolName></SourceSchool></Header></CTfile>"""
LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<CTfile>&lol3;</CTfile>"""


@pytest.mark.parametrize("payload", [XXE, LAUGHS], ids=["xxe", "billion-laughs"])
def test_a_hostile_ctf_is_refused_without_reading_files_or_expanding_entities(payload):
    from pupils.importing import parse_file

    result = parse_file(payload, "transfer.xml", today=dt.date(2026, 9, 1))
    assert not result.ok and not result.pupils
    assert "root:" not in result.source_school
    assert "DTD or entities" in result.problems[0].message
