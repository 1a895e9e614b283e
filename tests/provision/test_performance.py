"""Regression tests for the performance fixes of issue 9 (bench/results.md): the budget's
top-up candidates are read without a query per pupil, and the week-stepping session calendar
gives exactly the dates a day-by-day walk gives."""

import datetime as dt
import random
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from provision import costs, selectors
from provision.models import SenBudget, SessionLog
from tests.factories import PupilFactory
from tests.helpers import client_for

from .factories import GroupFactory, InterventionFactory, enrol

pytestmark = pytest.mark.django_db


def _one_to_one(school, ta, name, start, end):
    pupil = PupilFactory(school=school, sen_status="E", first_name=name)
    group = GroupFactory(
        school=school, staff=ta, intervention=InterventionFactory(school=school, group_size=1),
        days="01234", session_minutes=180, starts_on=start, ends_on=end, exclusive_to=pupil,
        hourly_rate=Decimal("17.20"),
    )  # fmt: skip
    enrol(group, pupil)
    return pupil


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), response.content.decode()


def test_budget_candidates_cost_no_query_per_pupil(school, senco, ta, django_assert_num_queries):
    today = dt.date.today()
    fy = costs.financial_year_of(today, september=False)
    start, end = costs.financial_year_bounds(fy, september=False)
    SenBudget.objects.create(school=school, year=fy, amount=Decimal("20000"))
    _one_to_one(school, ta, "Dev", start, end)
    client = client_for(senco)
    url = reverse("provision:budget")
    client.get(url)  # warm per-process caches
    one, _ = _queries(client, url)
    for name in ("Ama", "Bilal", "Cleo"):
        _one_to_one(school, ta, name, start, end)
    with django_assert_num_queries(one):
        page = client.get(url).content.decode()
    # The names come from the slimmed-down pupil rows: all four candidates are listed.
    for name in ("Dev", "Ama", "Bilal", "Cleo"):
        assert name in page
    summary = selectors.budget_summary(school, fy, today=today)
    assert len(summary["candidates"]) == 4


def _walk_every_day(weekdays, start, end, open_days, closed):
    out, day = [], start
    while day <= end:
        in_term = open_days is None or any(a <= day <= b for a, b in open_days)
        if day.weekday() in weekdays and in_term and not any(a <= day <= b for a, b in closed):
            out.append(day)
        day += dt.timedelta(days=1)
    return out


def test_session_dates_match_a_day_by_day_walk():
    rng = random.Random(9)
    terms = [
        (dt.date(2025, 9, 3), dt.date(2025, 12, 19)),
        (dt.date(2026, 1, 5), dt.date(2026, 3, 27)),
    ]
    closed = [(dt.date(2025, 10, 27), dt.date(2025, 10, 31)), (dt.date(2026, 2, 16), dt.date(2026, 2, 20))]  # fmt: skip
    for _ in range(500):
        start = dt.date(2025, 8, 1) + dt.timedelta(days=rng.randint(0, 250))
        end = start + dt.timedelta(days=rng.randint(-3, 240))
        weekdays = rng.sample(range(5), rng.randint(0, 5))
        open_days = None if rng.random() < 0.3 else terms
        assert costs.session_dates(
            weekdays, start, end, open_days=open_days, closed=closed
        ) == _walk_every_day(weekdays, start, end, open_days, closed)


def _held(group, day, *pupils):
    log = SessionLog.objects.create(group=group, date=day, status=SessionLog.Status.HELD)
    log.attended.set(pupils)
    return log


def test_pupil_shares_are_exact_to_the_penny_and_folded_in_the_database(school, ta):
    """A 20-minute session at 15.91 an hour is 5.30333... (a recurring decimal). Ann attends
    twelve sessions shared by three and one shared by two: 12 x 5.30333/3 + 5.30333/2 = 23.865
    exactly, which rounds half up to 23.87 (adding rounded thirds gave 23.86)."""
    start = dt.date.today() - dt.timedelta(days=60)
    group = GroupFactory(
        school=school, staff=ta, session_minutes=20, hourly_rate=Decimal("15.91"),
        starts_on=start, days="01234",
    )  # fmt: skip
    ann, ben, cal = (PupilFactory(school=school, sen_status="K") for _ in range(3))
    enrol(group, ann, ben, cal)
    for n in range(12):
        _held(group, start + dt.timedelta(days=n), ann, ben, cal)
    _held(group, start + dt.timedelta(days=12), ann, ben)
    stats = selectors.group_stats([group], school=school, today=dt.date.today())
    shares = selectors.pupil_shares([group], stats, until=dt.date.today())
    assert shares[(group.pk, ann.pk)].cost_to_date == Decimal("23.87")
    assert shares[(group.pk, ann.pk)].hours == Decimal("4.33")  # 13 x 20 minutes
    assert shares[(group.pk, ann.pk)].attended == 13
    assert shares[(group.pk, cal.pk)].cost_to_date == Decimal("21.21")  # 12 x 1.76777...
    # One row per pupil and number present, however many sessions were logged.
    rows = selectors._attendance_folded([group.pk], None, dt.date.today())
    assert sorted((p, present, n) for _, p, present, n in rows) == sorted(
        [(ann.pk, 3, 12), (ann.pk, 2, 1), (ben.pk, 3, 12), (ben.pk, 2, 1), (cal.pk, 3, 12)]
    )
