"""What the people who use the provision map every day tripped over: the home page's sessions
panel, refusals on the session cards, sessions nobody came to, and bad input in every form."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from provision.models import (
    Enrolment,
    Intervention,
    ProvisionGroup,
    SenBudget,
    SessionLog,
    TopUpFunding,
    TrainingRecord,
)
from tests.factories import PupilFactory
from tests.helpers import client_for

from .factories import GroupFactory, enrol, group_form_data, last_weekday, log_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def group(school, ta, taught_pupil):
    g = GroupFactory(school=school, staff=ta)
    enrol(g, taught_pupil, PupilFactory(school=school, sen_status="K", first_name="Ben"))
    return g


# --- the home page ------------------------------------------------------------------------


def test_home_panel_lists_todays_sessions(school, ta, taught_pupil):
    today = dt.date.today()
    g = GroupFactory(school=school, staff=ta, days=str(today.weekday()), name="Blue group")
    enrol(g, taught_pupil)
    page = client_for(ta).get(reverse("home")).content.decode()
    assert 'id="panel-today-sessions"' in page
    assert "Blue group" in page and "Not logged" in page
    assert "No sessions on your timetable today" not in page


# --- the session register -----------------------------------------------------------------


def test_htmx_refusal_comes_back_as_the_card_with_the_reason_field_message(group, ta):
    day = last_weekday(dt.date.today())
    response = client_for(ta).post(log_url(group, day), {"held": "0"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 422
    html = response.content.decode()
    assert html.lstrip().startswith("<section") and "session-card" in html
    assert "Say why the session was cancelled" in html
    assert '<details class="mt-2 session-details" open>' in html
    assert not SessionLog.objects.exists()


def test_the_session_cards_script_swaps_in_422_answers():
    """htmx leaves 4xx answers unswapped unless told: provision.js tells it, for the cards."""
    from django.conf import settings

    script = (settings.BASE_DIR / "static" / "js" / "provision.js").read_text()
    assert "htmx:beforeSwap" in script and "422" in script and "shouldSwap = true" in script


def test_held_with_nobody_there_is_refused_next_to_who_was_there(group, ta):
    day = last_weekday(dt.date.today())
    response = client_for(ta).post(log_url(group, day), {"held": "1"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 422
    assert response.content.decode().count("Nobody was there") == 1
    assert not SessionLog.objects.exists()
    # Cancelled for pupils absent is the way to say it.
    response = client_for(ta).post(log_url(group, day), {"held": "0", "reason": "pupil_absent"})
    assert response.status_code == 302
    assert SessionLog.objects.get().status == "cancelled"


def test_quick_log_with_nobody_enrolled_is_refused(school, ta):
    g = GroupFactory(school=school, staff=ta)
    day = last_weekday(dt.date.today())
    response = client_for(ta).post(log_url(g, day, quick=True), HTTP_HX_REQUEST="true")
    assert response.status_code == 422
    assert "session-card" in response.content.decode()
    assert "Nobody was there" in response.content.decode()
    assert not SessionLog.objects.exists()


@pytest.mark.parametrize("offset", [-60, 7])
def test_form_log_outside_the_groups_dates_is_a_message_not_an_error_page(group, ta, offset):
    day = last_weekday(dt.date.today() + dt.timedelta(days=offset))
    response = client_for(ta).post(log_url(group, day), {"held": "1"})
    assert response.status_code == 422
    html = response.content.decode()
    assert "no session on" in html or "in the future" in html
    assert not SessionLog.objects.exists()


def test_log_todays_session_button_only_when_the_group_meets_today(school, ta, taught_pupil):
    today = dt.date.today()
    meets = GroupFactory(school=school, staff=ta, days=str(today.weekday()))
    other_day = str((today.weekday() + 1) % 7)
    does_not = GroupFactory(school=school, staff=ta, days=other_day)
    enrol(meets, taught_pupil)
    enrol(does_not, taught_pupil)
    client = client_for(ta)
    assert (
        "Log today's session"
        in client.get(reverse("provision:group", args=[meets.public_id])).content.decode()
    )
    assert (
        "Log today's session"
        not in client.get(reverse("provision:group", args=[does_not.public_id])).content.decode()
    )


# --- the SENCO's forms --------------------------------------------------------------------


def _group_data(school, ta, **extra):
    lexia = Intervention.objects.create(school=school, name="Lexia", area="CL")
    return group_form_data(school, ta, **{"intervention": lexia.pk, **extra})


@pytest.mark.parametrize(
    "extra, message",
    [
        ({"session_minutes": "0"}, "A session lasts 5 to 480 minutes."),
        ({"session_minutes": "900"}, "A session lasts 5 to 480 minutes."),
        ({"resource_cost": "-50"}, "A cost cannot be negative."),
        ({"external_cost": "-1"}, "A cost cannot be negative."),
        ({"ends_on": "2000-01-01"}, "The group must end after it starts."),
    ],
)
def test_group_form_refuses_bad_numbers(school, senco, ta, extra, message):
    response = client_for(senco).post(
        reverse("provision:group_new"), _group_data(school, ta, **extra)
    )
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not ProvisionGroup.objects.exists()


def test_group_form_widgets_are_styled_and_pupils_are_checkboxes(school, senco, taught_pupil):
    page = client_for(senco).get(reverse("provision:group_new")).content.decode()
    assert 'class="form-select"' in page and 'class="form-control"' in page
    assert 'type="checkbox" name="pupils"' in page
    assert "Amara Okafor (Year" in page


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("group_size", "0", "A group has between 1 and 30 pupils."),
        ("session_minutes", "0", "A session lasts 5 to 480 minutes."),
        ("sessions_per_week", "0", "Between 1 and 10 sessions a week."),
        ("default_weeks", "0", "Between 1 and 52 weeks."),
    ],
)
def test_intervention_form_refuses_zeroes_in_words(school, senco, field, value, message):
    data = {"name": "Toe by Toe", "area": "CL", "wave": "3", "group_size": "1",
            "session_minutes": "20", "sessions_per_week": "5", "default_weeks": "16",
            "delivered_by": "ta", "measure": "reading_age", "is_active": "on", field: value}  # fmt: skip
    response = client_for(senco).post(reverse("provision:intervention_new"), data)
    assert response.status_code == 422
    html = response.content.decode()
    assert message in html and "Constraint" not in html
    assert not Intervention.objects.exists()


def test_enrolling_a_pupil_twice_says_so(group, senco, taught_pupil):
    url = reverse("provision:group_enrol", args=[group.public_id])
    response = client_for(senco).post(
        url, {"pupil": taught_pupil.pk, "starts_on": dt.date.today().isoformat()}
    )
    assert response.status_code == 422
    assert "Amara Okafor has been in this group" in response.content.decode()
    assert Enrolment.objects.filter(group=group, pupil=taught_pupil).count() == 1


def test_a_pupil_who_left_can_rejoin(group, senco, taught_pupil):
    Enrolment.objects.filter(group=group, pupil=taught_pupil).update(ends_on=group.starts_on)
    url = reverse("provision:group_enrol", args=[group.public_id])
    response = client_for(senco).post(
        url, {"pupil": taught_pupil.pk, "starts_on": dt.date.today().isoformat()}
    )
    assert response.status_code == 302
    # A new place from the day they re-join; the first keeps its end (issue 6, stints).
    places = Enrolment.objects.filter(group=group, pupil=taught_pupil).order_by("starts_on")
    assert [(p.starts_on, p.ends_on) for p in places] == [
        (group.starts_on, group.starts_on),
        (dt.date.today(), None),
    ]


@pytest.mark.parametrize("days", [-400, 400])
def test_enrolment_start_outside_the_group_is_refused(group, senco, school, days):
    pupil = PupilFactory(school=school, sen_status="K")
    url = reverse("provision:group_enrol", args=[group.public_id])
    start = dt.date.today() + dt.timedelta(days=days)
    response = client_for(senco).post(url, {"pupil": pupil.pk, "starts_on": start.isoformat()})
    assert response.status_code == 422
    assert "choose a date between them" in response.content.decode()
    assert not Enrolment.objects.filter(pupil=pupil).exists()


def test_reading_age_in_years_dot_months_is_refused_with_an_example(school, senco, ta):
    intervention = Intervention.objects.create(
        school=school, name="Toe by Toe", area="CL", measure="reading_age"
    )
    g = GroupFactory(school=school, staff=ta, intervention=intervention)
    (enrolment,) = enrol(g, PupilFactory(school=school, sen_status="K"))
    url = reverse("provision:enrolment", args=[enrolment.public_id])
    page = client_for(senco).get(url).content.decode()
    assert "Entry reading age in months" in page
    response = client_for(senco).post(
        url, {"entry_score": "7.2", "entry_on": "2026-01-05", "exit_score": "8.0",
              "exit_on": "2026-05-05"},
    )  # fmt: skip
    assert response.status_code == 422
    assert "7 years 2 months is 86" in response.content.decode()
    enrolment.refresh_from_db()
    assert enrolment.entry_score is None
    # In months it is taken, and the ratio gain is the domain notes' example: 10 / 4 = 2.5.
    response = client_for(senco).post(
        url, {"entry_score": "86", "entry_on": "2026-01-05", "exit_score": "96",
              "exit_on": "2026-05-05"},
    )  # fmt: skip
    assert response.status_code == 302
    enrolment.refresh_from_db()
    assert enrolment.ratio_gain == Decimal("2.5")


def test_budget_topup_and_training_refuse_negative_numbers(school, senco, ta, taught_pupil):
    client = client_for(senco)
    response = client.post(reverse("provision:budget_edit") + "?year=2026", {"amount": "-100"})
    assert response.status_code == 422 and "The budget cannot be negative." in response.text
    assert not SenBudget.objects.exists()
    topup = {"pupil": taught_pupil.pk, "la_name": "Bristol", "amount": "-5",
             "starts_on": "2026-09-01", "ends_on": "2026-01-01"}  # fmt: skip
    response = client.post(reverse("provision:topup_new"), topup)
    assert response.status_code == 422
    assert "Give the annual amount" in response.text
    assert "The funding must end after it starts." in response.text
    assert not TopUpFunding.objects.exists()
    training = {"course": "ELSA", "date": "2026-11-01", "hours": "-3", "attendees": [ta.pk]}
    response = client.post(reverse("provision:training_new"), training)
    assert response.status_code == 422 and "Give the hours, from 0.5 to 500." in response.text
    assert not TrainingRecord.objects.exists()


def test_a_qualification_marked_achieved_needs_its_date(school, senco):
    data = {"membership": senco.pk, "qualification": "npq", "appointed_on": "2026-01-01",
            "previous_senco_months": "0"}  # fmt: skip
    response = client_for(senco).post(reverse("provision:qualification"), data)
    assert response.status_code == 422
    assert "Give the date the qualification was achieved." in response.text


def test_impact_page_says_so_when_nothing_has_run(school, senco):
    Intervention.objects.create(school=school, name="Lexia", area="CL")
    page = client_for(senco).get(reverse("provision:effectiveness")).content.decode()
    assert "No pupil has been enrolled in an intervention yet" in page


def test_pupil_provision_shows_when_the_sessions_are(group, teacher, taught_pupil):
    url = reverse("provision:pupil", args=[taught_pupil.public_id])
    page = client_for(teacher).get(url).content.decode()
    assert "Mon, Wed, Fri 09:10, 30 min" in page


def test_months_elapsed_are_calendar_months():
    from provision import measures

    assert measures.months_between(dt.date(2026, 1, 5), dt.date(2026, 5, 5)) == Decimal("4.0")
    assert measures.months_between(dt.date(2025, 9, 15), dt.date(2026, 1, 15)) == Decimal("4.0")
    assert measures.months_between(dt.date(2026, 1, 31), dt.date(2026, 2, 28)) == Decimal(
        "1.0"
    )  # month end
    assert measures.months_between(dt.date(2026, 1, 31), dt.date(2026, 3, 31)) == Decimal("2.0")
    assert measures.months_between(dt.date(2026, 1, 10), dt.date(2026, 1, 25)) == Decimal("0.5")
    # 86 -> 96 months between 5 January and 5 May: 10 / 4 = 2.5, as a SENCO works it by hand.
    assert measures.ratio_gain(86, 96, dt.date(2026, 1, 5), dt.date(2026, 5, 5)) == Decimal("2.5")


def test_demo_has_no_held_session_that_nobody_attended(db):
    from django.core.management import call_command
    from django.db.models import Count

    call_command("seed_demo", "--pupils", "120", "--today", "2026-11-20", "--seed", "7")
    held = SessionLog.objects.filter(status="held").annotate(n=Count("attended"))
    assert held.exists()
    assert not held.filter(n=0).exists()
    assert SessionLog.objects.filter(status="cancelled", reason="pupil_absent").exists()


# --- staff hourly rates -------------------------------------------------------------------


def _rate_url(member):
    return reverse("provision:staff_rate", args=[member.user.public_id])


def test_senco_sets_a_rate_and_groups_costed_at_nothing_take_it(school, senco, ta, taught_pupil):
    ta.hourly_rate = None
    ta.save()
    unpriced = GroupFactory(school=school, staff=ta, hourly_rate=Decimal("0"))
    priced = GroupFactory(school=school, staff=ta, hourly_rate=Decimal("15.00"))
    enrol(unpriced, taught_pupil)
    client = client_for(senco)
    group_page = client.get(reverse("provision:group", args=[unpriced.public_id])).text
    assert 'id="no-rate"' in group_page and _rate_url(ta) in group_page
    assert "not set" in client.get(reverse("provision:staff")).text
    response = client.post(_rate_url(ta), {"hourly_rate": "17.20"}, follow=True)
    assert "1 group costed at £0 now use it" in response.text
    ta.refresh_from_db()
    unpriced.refresh_from_db()
    priced.refresh_from_db()
    assert ta.hourly_rate == Decimal("17.20")
    assert unpriced.hourly_rate == Decimal("17.20")
    assert priced.hourly_rate == Decimal("15.00")  # costed groups keep the rate they began with


@pytest.mark.parametrize("value", ["", "0", "-3", "900"])
def test_a_rate_must_be_a_sensible_amount(senco, ta, value):
    response = client_for(senco).post(_rate_url(ta), {"hourly_rate": value})
    assert response.status_code == 422
    ta.refresh_from_db()
    assert ta.hourly_rate != Decimal(value or "0")


def test_head_may_set_rates_but_not_teachers_tas_or_other_schools(ta, head, teacher, outsider):
    assert client_for(head).get(_rate_url(ta)).status_code == 200
    for member in (teacher, ta):
        assert client_for(member).get(_rate_url(ta)).status_code == 403
        assert client_for(member).post(_rate_url(ta), {"hourly_rate": "1"}).status_code == 403
    assert client_for(outsider).get(_rate_url(ta)).status_code == 404
    assert client_for(outsider).post(_rate_url(ta), {"hourly_rate": "1"}).status_code == 404


def test_hourly_rates_are_for_the_senco_and_head_only(school, group, ta, senco, head, trustlead):
    ta.hourly_rate = Decimal("17.20")
    ta.save()
    group_url = reverse("provision:group", args=[group.public_id])
    timetable_url = reverse("provision:staff_timetable", args=[ta.user.public_id])
    for member in (senco, head):
        assert "£17.20 an hour" in client_for(member).get(group_url).text
        assert "Rate £17.20 an hour" in client_for(member).get(timetable_url).text
    # The trust lead sees what provision costs, not what a named person is paid.
    page = client_for(trustlead).get(group_url)
    assert page.status_code == 200 and 'id="group-cost"' in page.text
    assert "an hour" not in page.text
    assert "17.20" not in client_for(trustlead).get(timetable_url).text
