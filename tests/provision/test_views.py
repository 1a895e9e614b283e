"""Provision views per role: the session register (own groups only), planned vs delivered,
costs only for those who may see them, and another school's records as 404."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from provision import selectors
from provision.models import SessionLog
from tests.factories import MembershipFactory, PupilFactory
from tests.helpers import client_for

from .factories import GroupFactory, enrol, group_form_data, last_weekday, log_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def group(school, ta, taught_pupil):
    ta.hourly_rate = Decimal("17.20")
    ta.save()
    g = GroupFactory(school=school, staff=ta)
    other = PupilFactory(school=school, sen_status="K", first_name="Ben")
    enrol(g, taught_pupil, other)
    return g


def test_ta_logs_held_everyone_here_with_one_tap(group, ta):
    day = last_weekday(dt.date.today())
    response = client_for(ta).post(log_url(group, day, quick=True), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "Held" in response.content.decode()
    log = SessionLog.objects.get(group=group, date=day)
    assert log.status == "held" and log.attended.count() == 2


def test_session_page_has_one_h1_and_ties_a_missing_reason_to_its_field(group, ta):
    """The session register opened on its own had no h1 (its first heading was the card's h2),
    and 'Say why the session was cancelled.' was tied to no field."""
    day = last_weekday(dt.date.today())
    response = client_for(ta).post(log_url(group, day), {"held": "0", "reason": ""})
    assert response.status_code == 422
    html = response.content.decode()
    assert html.count("<h1") == 1 and "Session on " in html
    error_id = f"reason-{group.public_id}-error"
    assert f'aria-invalid="true" aria-describedby="{error_id}"' in html
    assert f'id="{error_id}"' in html


def test_logging_twice_updates_rather_than_duplicates(group, ta, taught_pupil):
    day = last_weekday(dt.date.today())
    client = client_for(ta)
    client.post(log_url(group, day, quick=True))
    response = client.post(
        log_url(group, day), {"held": "1", "attended": [taught_pupil.pk], "note": "Good focus"}
    )
    assert response.status_code == 302
    log = SessionLog.objects.get(group=group, date=day)
    assert list(log.attended.all()) == [taught_pupil]
    assert log.note == "Good focus"
    client.post(log_url(group, day), {"held": "0", "reason": "trip"})
    assert SessionLog.objects.filter(group=group).count() == 1
    log.refresh_from_db()
    assert log.status == "cancelled" and log.reason == "trip" and log.attended.count() == 0


def test_cancelling_without_a_reason_is_refused_next_to_the_field(group, ta):
    day = last_weekday(dt.date.today())
    response = client_for(ta).post(log_url(group, day), {"held": "0"})
    assert response.status_code == 422
    assert "Say why the session was cancelled" in response.content.decode()
    assert not SessionLog.objects.exists()


def test_only_the_groups_own_staff_or_senco_may_log(group, school, teacher, senco, outsider):
    day = last_weekday(dt.date.today())
    other_ta = MembershipFactory(school=school, role="ta")
    for member in (teacher, other_ta, outsider):
        assert client_for(member).post(log_url(group, day, quick=True)).status_code == 404
    assert not SessionLog.objects.exists()
    assert client_for(senco).post(log_url(group, day, quick=True)).status_code == 302
    assert SessionLog.objects.count() == 1


def test_governor_cannot_log_or_see(group, governor):
    day = last_weekday(dt.date.today())
    assert client_for(governor).post(log_url(group, day, quick=True)).status_code == 403
    assert client_for(governor).get(reverse("provision:map")).status_code == 403


def test_future_sessions_cannot_be_logged(group, ta):
    day = dt.date.today() + dt.timedelta(days=7)
    client_for(ta).post(log_url(group, day, quick=True))
    assert not SessionLog.objects.exists()


def test_today_lists_my_sessions_only(group, ta, school):
    day = last_weekday(dt.date.today())
    response = client_for(ta).get(reverse("provision:today"), {"date": day.isoformat()})
    assert response.status_code == 200
    assert "Held, everyone here" in response.content.decode()
    other_ta = MembershipFactory(school=school, role="ta")
    response = client_for(other_ta).get(reverse("provision:today"), {"date": day.isoformat()})
    assert "Held, everyone here" not in response.content.decode()


def test_planned_vs_delivered_and_cost_to_date(group, ta, senco, school, taught_pupil):
    days = [
        d
        for d in (dt.date.today() - dt.timedelta(days=n) for n in range(14))
        if d.weekday() in (0, 2, 4)
    ]
    assert len(days) == 6  # two weeks of Mon/Wed/Fri
    for d in days[:4]:
        client_for(ta).post(log_url(group, d, quick=True))
    client_for(ta).post(log_url(group, days[4]), {"held": "0", "reason": "staff_absent"})
    # one session of 30 minutes at 17.20 = 8.60; four held = 34.40, shared between 2 pupils.
    stats = selectors.group_stats([group], school=school, today=dt.date.today())[group.pk]
    assert (stats.planned_to_date, stats.held, stats.cancelled, stats.unlogged) == (6, 4, 1, 1)
    assert stats.cost_to_date == Decimal("34.40")
    rows = selectors.provision_map_rows(school, today=dt.date.today())
    assert {r.share.cost_to_date for r in rows} == {Decimal("17.20")}
    assert {r.share.hours for r in rows} == {Decimal("2.00")}
    hours = selectors.delivered_hours_by_pupil(school, [taught_pupil], days[-1], dt.date.today())
    assert hours == {taught_pupil.pk: Decimal("2.00")}
    page = client_for(senco).get(reverse("provision:map")).content.decode()
    assert "4 / 6" in page and "£34.40" in page


def test_costs_hidden_from_teachers_and_tas(group, ta, teacher, head):
    for member in (ta, teacher):
        page = client_for(member).get(reverse("provision:group", args=[group.public_id]))
        assert page.status_code == 200
        assert "17.20" not in page.content.decode() and "Cost to date" not in page.content.decode()
    page = client_for(head).get(reverse("provision:group", args=[group.public_id]))
    assert "£17.20 an hour" in page.content.decode()


def test_group_links_the_staff_timetable_only_for_those_who_may_open_it(group, ta, teacher, senco):
    """A teacher saw the TA's name as a link to a timetable that is a 404 for them."""
    timetable = reverse("provision:staff_timetable", args=[ta.user.public_id])
    group_url = reverse("provision:group", args=[group.public_id])
    for member, linked in ((teacher, False), (ta, True), (senco, True)):
        page = client_for(member).get(group_url).content.decode()
        assert (timetable in page) is linked, member.role
        assert (client_for(member).get(timetable).status_code == 200) is linked, member.role


def test_session_register_rows_open_the_session_for_those_who_may_log_it(
    group, ta, teacher, senco, head
):
    """A past session on the group's register is a row to tap and correct, for the group's own
    member of staff and the SENCO (services.can_log); the others see it as text, not a link
    to a page that is a 404 for them."""
    day = last_weekday(dt.date.today() - dt.timedelta(days=1))
    client_for(ta).post(log_url(group, day, quick=True))
    session = reverse("provision:session", args=[group.public_id, day.isoformat()])
    group_url = reverse("provision:group", args=[group.public_id])
    for member, linked in ((ta, True), (senco, True), (teacher, False), (head, False)):
        page = client_for(member).get(group_url).content.decode()
        assert (f'href="{session}?from=group"' in page) is linked, member.role
        assert f"{day:%a %-d %b}:" in page, member.role
    page = client_for(ta).get(f"{session}?from=group").content.decode()
    assert f'id="back-to-group" href="{group_url}"' in page and "back-to-day" not in page
    assert 'id="back-to-day"' in client_for(ta).get(session).content.decode()


def test_teacher_map_shows_only_their_pupils(group, teacher, senco):
    teacher_page = client_for(teacher).get(reverse("provision:map")).content.decode()
    senco_page = client_for(senco).get(reverse("provision:map")).content.decode()
    assert "Amara" in teacher_page and "Ben " not in teacher_page
    assert "Ben" in senco_page


def test_ta_sees_pupils_of_groups_they_deliver_on_the_register(group, ta, school):
    from django.test import RequestFactory

    from pupils.access import visible_pupils

    extra = PupilFactory(school=school, sen_status="K", first_name="Cara")
    enrol(group, extra)
    request = RequestFactory().get("/")
    request.user, request.membership, request.school = ta.user, ta, school
    assert extra in visible_pupils(request)


def test_other_school_gets_404(group, outsider, taught_pupil):
    client = client_for(outsider)
    assert client.get(reverse("provision:group", args=[group.public_id])).status_code == 404
    assert client.get(reverse("provision:pupil", args=[taught_pupil.public_id])).status_code == 404
    assert client.get(reverse("provision:group_edit", args=[group.public_id])).status_code == 404


def test_untaught_teacher_gets_404_for_group(group, school):
    stranger = MembershipFactory(school=school, role="teacher")
    response = client_for(stranger).get(reverse("provision:group", args=[group.public_id]))
    assert response.status_code == 404


def test_senco_creates_group_with_rate_copied(senco, school, ta, taught_pupil):
    from .factories import InterventionFactory

    ta.hourly_rate = Decimal("18.50")
    ta.save()
    intervention = InterventionFactory(school=school)
    response = client_for(senco).post(
        reverse("provision:group_new"),
        {
            "intervention": intervention.pk,
            "staff": ta.pk,
            "days": ["1", "3"],
            "start_time": "10:00",
            "session_minutes": 30,
            "starts_on": "2026-01-05",
            "ends_on": "2026-03-27",
            "resource_cost": "0",
            "external_cost": "0",
            "pupils": [taught_pupil.pk],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    group = intervention.groups.get()
    assert group.hourly_rate == Decimal("18.50") and group.days == "13"
    assert group.enrolments.count() == 1


def test_bad_group_dates_get_a_message(senco, school, ta):
    from .factories import InterventionFactory

    intervention = InterventionFactory(school=school)
    response = client_for(senco).post(
        reverse("provision:group_new"),
        {
            "intervention": intervention.pk,
            "staff": ta.pk,
            "days": ["1"],
            "start_time": "10:00",
            "session_minutes": 30,
            "starts_on": "2026-03-05",
            "ends_on": "2026-01-27",
            "resource_cost": "0",
            "external_cost": "0",
        },
    )
    assert response.status_code == 422
    assert "The group must end after it starts" in response.content.decode()


def test_manage_pages_forbidden_to_staff(teacher, ta, head):
    for member in (teacher, ta):
        assert client_for(member).get(reverse("provision:intervention_new")).status_code == 403
        assert client_for(member).get(reverse("provision:budget")).status_code == 403
        assert client_for(member).get(reverse("provision:staff")).status_code == 403
    assert client_for(head).get(reverse("provision:budget")).status_code == 200
    assert client_for(head).get(reverse("provision:staff")).status_code == 200


def test_budget_flags_top_up_candidates(senco, school, ta):
    from provision.models import SenBudget

    from .factories import InterventionFactory

    pupil = PupilFactory(school=school, sen_status="E", first_name="Dev")
    today = dt.date.today()
    fy = selectors.costs.financial_year_of(today, september=False)
    start, end = selectors.costs.financial_year_bounds(fy, september=False)
    one_to_one = GroupFactory(
        school=school,
        staff=ta,
        intervention=InterventionFactory(school=school, group_size=1),
        days="01234",
        session_minutes=180,
        starts_on=start,
        ends_on=end,
        exclusive_to=pupil,
        hourly_rate=Decimal("17.20"),
    )
    enrol(one_to_one, pupil)
    SenBudget.objects.create(school=school, year=fy, amount=Decimal("20000"))
    summary = selectors.budget_summary(school, fy, today=today)
    assert summary["candidates"][0]["pupil"] == pupil
    assert summary["candidates"][0]["above"] > 0
    page = client_for(senco).get(reverse("provision:budget")).content.decode()
    assert "Dev" in page and "Top-up candidates" in page


def test_measures_saved_and_gain_shown(group, senco):
    e = group.enrolments.first()
    url = reverse("provision:enrolment", args=[e.public_id])
    response = client_for(senco).post(
        url,
        {
            "entry_score": "78",
            "entry_on": "2025-09-15",
            "exit_score": "72",
            "exit_on": "2025-09-10",
        },
    )
    assert response.status_code == 422
    assert "must come after the entry" in response.content.decode()
    client_for(senco).post(
        url,
        {
            "entry_score": "78",
            "entry_on": "2025-09-15",
            "exit_score": "86",
            "exit_on": "2026-01-10",
        },
    )
    e.refresh_from_db()
    assert e.gain == Decimal(8)
    eff = selectors.intervention_effectiveness(group.school)
    row = next(r for r in eff if r["intervention"] == group.intervention)
    assert row["measured"] == 1 and row["mean_gain"] == Decimal("8.0")


def _make_groups(school, ta, n):
    for _ in range(n):
        g = GroupFactory(school=school, staff=ta)
        pupils = [PupilFactory(school=school, sen_status="K") for _ in range(3)]
        enrol(g, *pupils)
        day = last_weekday(dt.date.today())
        SessionLog.objects.create(group=g, date=day, status="held").attended.set(pupils)


def _count(django_assert_max_num_queries, client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url_name", ["provision:map", "provision:today"])
def test_query_count_does_not_grow_with_data(
    school, senco, ta, url_name, django_assert_max_num_queries
):
    member = senco if url_name == "provision:map" else ta
    _make_groups(school, ta, 2)
    url = reverse(url_name) + (
        "?date=" + last_weekday(dt.date.today()).isoformat()
        if url_name == "provision:today"
        else ""
    )
    client = client_for(member)
    client.get(url)  # warm per-process caches (session, content types)
    small = _count(django_assert_max_num_queries, client, url)
    _make_groups(school, ta, 6)
    large = _count(django_assert_max_num_queries, client, url)
    assert large == small


def test_a_group_whose_member_of_staff_left_says_so_when_saved(senco, ta, school):
    """A deactivated member of staff is no longer a choice: the form says who left and asks
    who delivers the group now, not 'Select a valid choice'."""
    group = GroupFactory(school=school, staff=ta)
    ta.is_active = False
    ta.save()
    url = reverse("provision:group_edit", args=[group.public_id])
    data = group_form_data(school, ta, intervention=group.intervention_id)
    response = client_for(senco).post(url, data)
    assert response.status_code == 422
    name = ta.user.get_full_name()
    assert response.context["form"].errors["staff"] == [
        f"{name} no longer works here: choose who delivers the group now."
    ]
