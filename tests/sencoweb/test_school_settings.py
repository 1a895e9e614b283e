"""The school settings page and term dates: who may use them, what they refuse, what they
audit, and that another school's term is a 404."""

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from sencoweb.models import AuditEvent, School, Term
from tests.helpers import client_for

pytestmark = pytest.mark.django_db

D = dt.date


def _settings_data(school, **changes):
    data = {
        "name": school.name,
        "la_code": school.la_code,
        "la_name": school.la_name,
        "estab": school.estab,
        "phase": school.phase,
        "suppression_threshold": school.suppression_threshold,
        "top_up_threshold": str(school.top_up_threshold),
        "financial_year_starts_in_september": "true"
        if school.financial_year_starts_in_september
        else "false",
    }
    if school.has_sen_unit:
        data["has_sen_unit"] = "on"
    if school.has_resourced_provision:
        data["has_resourced_provision"] = "on"
    data.update(changes)
    return data


def _term(school, name="autumn", year=2026, **dates):
    defaults = {
        "autumn": (D(year, 9, 2), D(year, 12, 18), D(year, 10, 26), D(year, 10, 30)),
        "spring": (D(year + 1, 1, 5), D(year + 1, 3, 26), D(year + 1, 2, 15), D(year + 1, 2, 19)),
        "summer": (D(year + 1, 4, 12), D(year + 1, 7, 21), D(year + 1, 5, 31), D(year + 1, 6, 4)),
    }[name]
    values = dict(
        zip(["starts_on", "ends_on", "half_term_starts", "half_term_ends"], defaults, strict=True)
    )
    values.update(dates)
    return Term.objects.create(school=school, academic_year=year, name=name, **values)


def _term_data(**changes):
    data = {
        "name": "autumn",
        "starts_on": "2026-09-02",
        "ends_on": "2026-12-18",
        "half_term_starts": "2026-10-26",
        "half_term_ends": "2026-10-30",
    }
    data.update(changes)
    return data


def _errors(response, field):
    return [str(e) for e in response.context["form"].errors.get(field, [])]


# --- who may use the pages ----------------------------------------------------------------


@pytest.fixture
def term(school):
    return _term(school)


def _urls(term):
    return [
        reverse("school:settings"),
        reverse("school:terms"),
        reverse("school:term_add"),
        reverse("school:term_edit", args=[term.pk]),
        reverse("school:term_delete", args=[term.pk]),
    ]


@pytest.mark.parametrize("role", ["senco", "head"])
def test_senco_and_head_open_every_page(role, request, term):
    member = request.getfixturevalue(role)
    client = client_for(member)
    for url in _urls(term):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("role", ["teacher", "ta", "governor", "trustlead"])
def test_other_roles_are_refused_every_page_and_change_nothing(role, request, school, term):
    client = client_for(request.getfixturevalue(role))
    for url in _urls(term):
        assert client.get(url).status_code == 403, url
    hacked = _settings_data(school, name="Hacked", top_up_threshold="1")
    assert client.post(reverse("school:settings"), hacked).status_code == 403
    assert client.post(reverse("school:term_add"), _term_data(name="spring")).status_code == 403
    assert client.post(reverse("school:term_delete", args=[term.pk])).status_code == 403
    school.refresh_from_db()
    assert school.name == "Oakfield Primary" and school.top_up_threshold == 6000
    assert Term.objects.filter(pk=term.pk).exists() and Term.objects.count() == 1
    assert not AuditEvent.objects.filter(action__in=["create", "update", "delete"]).exists()


def test_anonymous_is_sent_to_sign_in(term):
    for url in _urls(term):
        response = Client().get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login")), url


def test_another_schools_term_is_a_404_and_stays(senco, other_school):
    theirs = _term(other_school)
    client = client_for(senco)
    assert client.get(reverse("school:term_edit", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("school:term_delete", args=[theirs.pk])).status_code == 404
    edit = client.post(reverse("school:term_edit", args=[theirs.pk]), _term_data())
    assert edit.status_code == 404
    assert client.post(reverse("school:term_delete", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.starts_on == D(2026, 9, 2)
    assert "2026/27" not in client.get(reverse("school:terms")).content.decode()


def test_settings_change_only_the_current_school(senco, school, other_school):
    response = client_for(senco).post(
        reverse("school:settings"), _settings_data(school, name="Oakfield Church Primary")
    )
    assert response.status_code == 302
    other_school.refresh_from_db()
    assert other_school.name == "Elsewhere Academy"
    assert School.objects.get(pk=school.pk).name == "Oakfield Church Primary"


# --- school settings ------------------------------------------------------------------------


def test_settings_save_and_audit_before_and_after(head, school):
    response = client_for(head).post(
        reverse("school:settings"),
        _settings_data(
            school,
            suppression_threshold=10,
            has_sen_unit="on",
            financial_year_starts_in_september="true",
            la_name="South Gloucestershire",
            la_code="803",
        ),
    )
    assert response.status_code == 302
    school.refresh_from_db()
    assert school.suppression_threshold == 10 and school.has_sen_unit
    assert school.financial_year_starts_in_september
    assert (school.la_code, school.la_name) == ("803", "South Gloucestershire")
    event = AuditEvent.objects.get(action="update", object_type="sencoweb.School")
    assert event.username == "head" and event.school_id == school.pk
    assert event.detail == {
        "suppression_threshold": {"before": 5, "after": 10},
        "has_sen_unit": {"before": False, "after": True},
        "financial_year_starts_in_september": {"before": False, "after": True},
        "la_name": {"before": "Bristol", "after": "South Gloucestershire"},
        "la_code": {"before": "801", "after": "803"},
    }
    page = client_for(head).get(reverse("school:settings")).content.decode()
    assert 'value="10"' in page


def test_saving_without_a_change_leaves_no_audit_row(senco, school):
    response = client_for(senco).post(reverse("school:settings"), _settings_data(school))
    assert response.status_code == 302
    assert not AuditEvent.objects.filter(action="update").exists()


@pytest.mark.parametrize(
    "value, message",
    [
        ("1", "1 is too low"),
        ("0", "0 is too low"),
        ("21", "21 is too high"),
        ("", "This field is required."),
        ("five", "Enter a whole number."),
    ],
)
def test_threshold_outside_2_to_20_is_refused_next_to_the_field(senco, school, value, message):
    response = client_for(senco).post(
        reverse("school:settings"), _settings_data(school, suppression_threshold=value, name="X")
    )
    assert response.status_code == 422
    assert any(message in e for e in _errors(response, "suppression_threshold"))
    school.refresh_from_db()
    assert school.suppression_threshold == 5 and school.name == "Oakfield Primary"
    assert not AuditEvent.objects.filter(action="update").exists()
    page = response.content.decode()
    assert 'id="error_1_id_suppression_threshold"' in page or "invalid-feedback" in page


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("la_code", "80", "three digits"),
        ("la_code", "8O1", "three digits"),
        ("estab", "12345", "four digits"),
        ("name", "   ", "Enter the school's name."),
        ("phase", "college", "Select a valid choice"),
    ],
)
def test_bad_details_are_refused_next_to_the_field(senco, school, field, value, message):
    response = client_for(senco).post(
        reverse("school:settings"), _settings_data(school, **{field: value}, la_name="Changed")
    )
    assert response.status_code == 422
    assert any(message in e for e in _errors(response, field)), response.context["form"].errors
    school.refresh_from_db()
    assert school.la_name == "Bristol"


@pytest.mark.parametrize("role", ["senco", "head"])
def test_senco_and_head_set_the_top_up_threshold_and_it_is_audited(role, request, school):
    member = request.getfixturevalue(role)
    response = client_for(member).post(
        reverse("school:settings"), _settings_data(school, top_up_threshold="7500.50")
    )
    assert response.status_code == 302
    school.refresh_from_db()
    assert school.top_up_threshold == Decimal("7500.50")
    event = AuditEvent.objects.get(action="update", object_type="sencoweb.School")
    assert event.username == role
    assert event.detail == {"top_up_threshold": {"before": "6000.00", "after": "7500.50"}}
    assert "top_up_threshold" in event.summary
    page = client_for(member).get(reverse("school:settings")).content.decode()
    assert 'name="top_up_threshold"' in page and 'value="7500.50"' in page


@pytest.mark.parametrize("value", ["0", "20000", "6000.00"])
def test_top_up_threshold_from_0_to_20000_is_accepted(senco, school, value):
    response = client_for(senco).post(
        reverse("school:settings"), _settings_data(school, top_up_threshold=value)
    )
    assert response.status_code == 302
    school.refresh_from_db()
    assert school.top_up_threshold == Decimal(value)


@pytest.mark.parametrize(
    "value, message",
    [
        ("-1", "cannot be negative"),
        ("20000.01", "£20,000.01 is too high"),
        ("60000", "£60,000.00 is too high"),
        ("123456789", "That is too high"),
        ("6000.125", "no more than 2 decimal places"),
        ("", "Enter the threshold in pounds"),
        ("six thousand", "Enter the threshold in pounds, e.g. 6000"),
    ],
)
def test_bad_top_up_threshold_is_refused_next_to_the_field(senco, school, value, message):
    response = client_for(senco).post(
        reverse("school:settings"), _settings_data(school, top_up_threshold=value, name="X")
    )
    assert response.status_code == 422
    errors = _errors(response, "top_up_threshold")
    assert len(errors) == 1 and message in errors[0], errors
    school.refresh_from_db()  # nothing half-saved
    assert school.top_up_threshold == 6000 and school.name == "Oakfield Primary"
    assert not AuditEvent.objects.filter(action="update").exists()
    page = response.content.decode()
    assert 'id="error_1_id_top_up_threshold"' in page
    assert "<title>Error: " in page


def test_urn_is_shown_but_cannot_be_changed(senco, school):
    page = client_for(senco).get(reverse("school:settings")).content.decode()
    assert school.urn in page and "cannot be changed here" in page
    assert 'name="urn"' not in page
    client_for(senco).post(reverse("school:settings"), _settings_data(school, urn="999999"))
    school.refresh_from_db()
    assert school.urn != "999999"


def test_the_page_explains_the_census_flags_and_the_threshold(senco):
    page = client_for(senco).get(reverse("school:settings")).content.decode()
    assert "formally recognises" in page and "nurture room" in page
    assert "hide any count below this number" in page
    assert "top-up candidate on the SEN budget page" in page and "£6,000 nationally" in page


# --- term dates ---------------------------------------------------------------------------


def test_list_groups_terms_by_school_year_latest_first(senco, school):
    _term(school, "autumn", 2025)
    _term(school, "autumn", 2026)
    _term(school, "spring", 2026)
    page = client_for(senco).get(reverse("school:terms")).content.decode()
    assert page.index("School year 2026/27") < page.index("School year 2025/26")
    assert "no spring or summer term yet" in page
    assert "no summer term yet" in page


def test_term_weekdays_leave_out_the_half_term():
    from sencoweb.views_school import term_weekdays

    term = Term(
        starts_on=D(2026, 9, 2),  # a Wednesday
        ends_on=D(2026, 9, 18),  # a Friday: 13 weekdays
        half_term_starts=D(2026, 9, 7),
        half_term_ends=D(2026, 9, 11),  # a week: 5 weekdays
    )
    assert term_weekdays(term) == 8


def test_add_a_term_and_audit_it(senco, school):
    response = client_for(senco).post(reverse("school:term_add"), _term_data())
    assert response.status_code == 302
    term = Term.objects.get(school=school)
    assert term.academic_year == 2026 and term.name == "autumn"
    assert (term.half_term_starts, term.half_term_ends) == (D(2026, 10, 26), D(2026, 10, 30))
    event = AuditEvent.objects.get(action="create", object_type="sencoweb.Term")
    assert event.object_id == str(term.pk) and event.school_id == school.pk
    assert event.detail["starts_on"] == {"before": None, "after": "2026-09-02"}


def test_the_school_year_follows_the_start_date(senco, school):
    client = client_for(senco)
    client.post(
        reverse("school:term_add"),
        _term_data(
            name="spring",
            starts_on="2027-01-05",
            ends_on="2027-03-26",
            half_term_starts="",
            half_term_ends="",
        ),
    )
    assert Term.objects.get(school=school).academic_year == 2026


def test_edit_a_term_and_audit_the_change(head, school, term):
    response = client_for(head).post(
        reverse("school:term_edit", args=[term.pk]), _term_data(ends_on="2026-12-19")
    )
    assert response.status_code == 302
    term.refresh_from_db()
    assert term.ends_on == D(2026, 12, 19)
    event = AuditEvent.objects.get(action="update", object_type="sencoweb.Term")
    assert event.detail == {"ends_on": {"before": "2026-12-18", "after": "2026-12-19"}}


def test_delete_asks_first_then_deletes_and_audits(senco, school, term):
    client = client_for(senco)
    confirm = client.get(reverse("school:term_delete", args=[term.pk]))
    assert "Delete the Autumn 2026/27 term?" in confirm.content.decode()
    assert Term.objects.filter(pk=term.pk).exists()
    response = client.post(reverse("school:term_delete", args=[term.pk]))
    assert response.status_code == 302
    assert not Term.objects.filter(pk=term.pk).exists()
    event = AuditEvent.objects.get(action="delete", object_type="sencoweb.Term")
    assert event.detail["ends_on"] == {"before": "2026-12-18", "after": None}


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"ends_on": "2026-09-01"}, "ends_on", "cannot end before it starts"),
        ({"half_term_starts": "2026-08-20"}, "half_term_starts", "must start inside the term"),
        ({"half_term_ends": "2027-01-04"}, "half_term_ends", "must end inside the term"),
        (
            {"half_term_starts": "2026-10-30", "half_term_ends": "2026-10-26"},
            "half_term_ends",
            "cannot end before it starts",
        ),
        ({"half_term_ends": ""}, "half_term_ends", "Give both days"),
        ({"half_term_starts": ""}, "half_term_starts", "Give both days"),
        ({"name": "spring"}, "starts_on", "starts between January and July"),
        ({"starts_on": "2027-01-05", "ends_on": "2027-03-26"}, "starts_on", "between August"),
        ({"ends_on": "2027-09-10"}, "ends_on", "ends by 31 August 2027"),
        ({"starts_on": "not a date"}, "starts_on", "Enter a valid date."),
    ],
)
def test_bad_term_dates_are_refused_next_to_the_field(senco, school, changes, field, message):
    response = client_for(senco).post(reverse("school:term_add"), _term_data(**changes))
    assert response.status_code == 422
    assert any(message in e for e in _errors(response, field)), response.context["form"].errors
    assert not Term.objects.exists()
    assert not AuditEvent.objects.filter(action="create").exists()


def test_overlapping_terms_are_refused(senco, school, term):
    client = client_for(senco)
    # A spring term that starts before the autumn term ends.
    response = client.post(
        reverse("school:term_add"),
        _term_data(
            name="spring",
            starts_on="2027-01-05",
            ends_on="2027-03-26",
            half_term_starts="",
            half_term_ends="",
        ),
    )
    assert response.status_code == 302  # no overlap: saved
    overlap = client.post(
        reverse("school:term_add"),
        _term_data(
            name="summer",
            starts_on="2027-03-20",
            ends_on="2027-07-21",
            half_term_starts="",
            half_term_ends="",
        ),
    )
    assert overlap.status_code == 422
    assert any("overlap the Spring 2026/27 term" in e for e in _errors(overlap, "starts_on")), (
        overlap.context["form"].errors
    )
    # Editing the autumn term to run into January overlaps spring: the error is on the end.
    edit = client.post(
        reverse("school:term_edit", args=[term.pk]), _term_data(ends_on="2027-01-08")
    )
    assert edit.status_code == 422
    assert any("overlap" in e for e in _errors(edit, "ends_on"))
    term.refresh_from_db()
    assert term.ends_on == D(2026, 12, 18)
    assert Term.objects.count() == 2


def test_a_second_autumn_term_in_the_same_year_is_refused(senco, term):
    response = client_for(senco).post(
        reverse("school:term_add"),
        _term_data(
            starts_on="2026-08-20", ends_on="2026-08-28", half_term_starts="", half_term_ends=""
        ),
    )
    assert response.status_code == 422
    assert any("2026/27 already has its autumn term" in e for e in _errors(response, "name"))


def test_terms_must_come_in_order(senco, school):
    _term(school, "summer", 2026)  # 12 April to 21 July 2027
    response = client_for(senco).post(
        reverse("school:term_add"),
        _term_data(
            name="spring",
            starts_on="2027-07-22",
            ends_on="2027-07-30",
            half_term_starts="",
            half_term_ends="",
        ),
    )
    assert response.status_code == 422
    assert any("must come before the summer term" in e for e in _errors(response, "starts_on"))


def test_editing_a_term_keeps_its_own_dates_out_of_the_overlap_check(senco, term):
    response = client_for(senco).post(
        reverse("school:term_edit", args=[term.pk]), _term_data(starts_on="2026-09-03")
    )
    assert response.status_code == 302


def test_another_schools_terms_do_not_overlap_ours(senco, school, other_school):
    _term(other_school)
    response = client_for(senco).post(reverse("school:term_add"), _term_data())
    assert response.status_code == 302
    assert Term.objects.filter(school=school).count() == 1


def test_provision_calendar_reads_the_saved_terms(senco, school):
    from provision.selectors import calendar_for

    client_for(senco).post(reverse("school:term_add"), _term_data())
    calendar = calendar_for(school)
    # The half term is a gap between the two open ranges.
    assert calendar.open_days == [
        (D(2026, 9, 2), D(2026, 10, 25)),
        (D(2026, 10, 31), D(2026, 12, 18)),
    ]
    assert calendar.closed == []


def test_the_pages_link_each_other_and_the_la_rules(senco):
    page = client_for(senco).get(reverse("school:terms")).content.decode()
    assert reverse("school:settings") in page and reverse("reviews:la_rules") in page
