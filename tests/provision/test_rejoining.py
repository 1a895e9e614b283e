"""A pupil who leaves a provision group and re-joins it has a new place from the day they
re-join (issue 6, stints): the first place keeps its dates and measures, the gap is not time in
the group (no session expects them, no share of it is theirs), two places of one pupil in one
group never overlap, and the pages and records list both places, counting the pupil once."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from provision import selectors, services
from provision.models import Enrolment, SessionLog
from reports import pack_sections
from tests.factories import PupilFactory
from tests.helpers import client_for

from .factories import GroupFactory, log_url

pytestmark = pytest.mark.django_db

MON = dt.date.today() - dt.timedelta(days=dt.date.today().weekday())
# Mondays of the weeks of the story: the group starts 8 weeks ago, Amara leaves after two
# weeks, is away for three, and re-joins 3 weeks ago.
START = MON - dt.timedelta(weeks=8)
LEFT = START + dt.timedelta(weeks=2, days=4)  # a Friday
GAP_DAY = START + dt.timedelta(weeks=4)  # a Monday while she was away
BACK = START + dt.timedelta(weeks=5)  # Monday: re-joins
SECOND_DAY = BACK + dt.timedelta(weeks=1)  # a Monday in the second place


@pytest.fixture
def group(school, ta):
    return GroupFactory(
        school=school, staff=ta, days="024", session_minutes=30, hourly_rate=Decimal("18.00"),
        starts_on=START, ends_on=MON + dt.timedelta(weeks=4),
    )  # fmt: skip


@pytest.fixture
def amara(school):
    return PupilFactory(school=school, sen_status="K", first_name="Amara", last_name="Okafor")


@pytest.fixture
def ben(school):
    return PupilFactory(school=school, sen_status="K", first_name="Ben", last_name="Adeyemi")


@pytest.fixture
def first(group, amara):
    """Amara's first place: measured at entry and when she left."""
    place = services.enrolment_add(group=group, pupil=amara, starts_on=START)
    place.entry_score, place.entry_on = Decimal("82"), START
    place.exit_score, place.exit_on, place.ends_on = Decimal("85"), LEFT, LEFT
    place.save()
    return place


@pytest.fixture
def rejoined(group, amara, ben, first):
    """Ben all along; Amara's second place from BACK, measured again on re-joining."""
    services.enrolment_add(group=group, pupil=ben, starts_on=START)
    second = services.enrolment_add(group=group, pupil=amara, starts_on=BACK)
    second.entry_score, second.entry_on = Decimal("86"), BACK
    second.save()
    return second


def _held(group, day, *pupils):
    log = SessionLog.objects.create(group=group, date=day, status=SessionLog.Status.HELD)
    log.attended.set(pupils)
    return log


# --- the place --------------------------------------------------------------------------------


def test_rejoining_makes_a_second_place_and_keeps_the_first(group, amara, first, rejoined):
    places = list(Enrolment.objects.filter(group=group, pupil=amara).order_by("starts_on"))
    assert [p.pk for p in places] == [first.pk, rejoined.pk]
    first.refresh_from_db()
    assert (first.starts_on, first.ends_on) == (START, LEFT)
    assert (first.entry_score, first.exit_score, first.exit_on) == (82, 85, LEFT)
    assert (rejoined.starts_on, rejoined.ends_on) == (BACK, None)
    assert (rejoined.entry_score, rejoined.exit_score) == (86, None)


def test_rejoining_through_the_group_page(group, amara, first, senco):
    url = reverse("provision:group_enrol", args=[group.public_id])
    response = client_for(senco).post(url, {"pupil": amara.pk, "starts_on": BACK.isoformat()})
    assert response.status_code == 302
    places = Enrolment.objects.filter(group=group, pupil=amara).order_by("starts_on")
    assert [(p.starts_on, p.ends_on) for p in places] == [(START, LEFT), (BACK, None)]


def _error_of(html, field):
    """The text of the error Django ties to `field` (aria-describedby ... id_<field>_error)."""
    assert re.search(rf'id="id_{field}"[^>]*aria-invalid="true"', html) or re.search(
        rf'aria-invalid="true"[^>]*id="id_{field}"', html
    ), f"{field} is not marked invalid"
    match = re.search(rf'id="id_{field}_error"[^>]*>(.*?)</div>', html, re.S)
    assert match, f"no error tied to {field}"
    return re.sub(r"<[^>]+>", "", match.group(1)).strip()


@pytest.mark.parametrize(
    "starts_on",
    [LEFT, START + dt.timedelta(weeks=1), START],
    ids=["on-the-day-she-left", "inside-the-first-place", "same-start"],
)
def test_a_place_overlapping_the_first_is_refused_on_the_date(
    group, amara, first, senco, starts_on
):
    url = reverse("provision:group_enrol", args=[group.public_id])
    response = client_for(senco).post(url, {"pupil": amara.pk, "starts_on": starts_on.isoformat()})
    assert response.status_code == 422
    message = _error_of(response.content.decode(), "starts_on")
    assert message == (
        f"Amara Okafor was in this group from {START:%-d %b %Y} to "
        f"{LEFT:%-d %b %Y}: a new place can start on {LEFT + dt.timedelta(days=1):%-d %b %Y} "
        "at the earliest."
    )
    assert Enrolment.objects.filter(group=group, pupil=amara).count() == 1


def test_a_pupil_still_in_the_group_is_told_since_when(group, amara, senco):
    services.enrolment_add(group=group, pupil=amara, starts_on=START)
    url = reverse("provision:group_enrol", args=[group.public_id])
    response = client_for(senco).post(url, {"pupil": amara.pk, "starts_on": BACK.isoformat()})
    assert response.status_code == 422
    assert _error_of(response.content.decode(), "pupil") == (
        f"Amara Okafor has been in this group since {START:%-d %b %Y}."
    )
    assert Enrolment.objects.filter(group=group, pupil=amara).count() == 1


def test_a_place_before_a_later_one_would_overlap_it(group, amara):
    services.enrolment_add(group=group, pupil=amara, starts_on=BACK)
    with pytest.raises(ValidationError) as caught:
        services.enrolment_add(group=group, pupil=amara, starts_on=START)
    assert caught.value.message_dict == {
        "pupil": [f"Amara Okafor has been in this group since {BACK:%-d %b %Y}."]
    }


def test_the_first_place_cannot_be_stretched_over_the_second(group, amara, rejoined, senco):
    first = Enrolment.objects.get(group=group, pupil=amara, starts_on=START)
    url = reverse("provision:enrolment", args=[first.public_id])
    data = {"entry_score": "82", "entry_on": START.isoformat(), "exit_score": "85",
            "exit_on": LEFT.isoformat(), "impact_note": ""}  # fmt: skip
    client = client_for(senco)
    for ends_on in (BACK.isoformat(), ""):  # into the second place, or open again
        response = client.post(url, {**data, "ends_on": ends_on})
        assert response.status_code == 422
        assert _error_of(response.content.decode(), "ends_on") == (
            f"Amara Okafor has another place in this group from {BACK:%-d %b %Y}: this place "
            "must end before then."
        )
    first.refresh_from_db()
    assert first.ends_on == LEFT
    # The day before she re-joined is fine.
    day_before = BACK - dt.timedelta(days=1)
    assert client.post(url, {**data, "ends_on": day_before.isoformat()}).status_code == 302
    first.refresh_from_db()
    assert first.ends_on == day_before


def test_the_database_allows_one_open_place_per_pupil_and_group(group, amara):
    Enrolment.objects.create(group=group, pupil=amara, starts_on=START)
    with pytest.raises(IntegrityError), transaction.atomic():
        Enrolment.objects.create(group=group, pupil=amara, starts_on=BACK)


# --- the session register ---------------------------------------------------------------------


def test_the_register_expects_her_in_each_place_and_not_in_the_gap(group, ta, amara, ben, rejoined):
    def expected(day):
        items = selectors.today_sessions(ta, day)
        return {e.pupil.first_name for e in items[0]["pupils"]}

    assert expected(START) == {"Amara", "Ben"}
    assert expected(GAP_DAY) == {"Ben"}
    assert expected(SECOND_DAY) == {"Amara", "Ben"}
    # Logged with everyone there, the gap's session is Ben's alone.
    gap = services.session_log(group=group, date=GAP_DAY, membership=ta)
    assert set(gap.attended.values_list("first_name", flat=True)) == {"Ben"}
    back = services.session_log(group=group, date=SECOND_DAY, membership=ta)
    assert set(back.attended.values_list("first_name", flat=True)) == {"Amara", "Ben"}


def test_the_register_page_on_a_gap_day_does_not_list_her(group, ta, rejoined):
    client = client_for(ta)
    assert "Amara" not in client.get(log_url(group, GAP_DAY)).content.decode()
    assert "Amara" in client.get(log_url(group, SECOND_DAY)).content.decode()


# --- costs and hours --------------------------------------------------------------------------


@pytest.fixture
def sessions(group, amara, ben, rejoined):
    """Two sessions in her first place, one in the gap (Ben alone), two in her second."""
    for day in (START, START + dt.timedelta(days=2)):
        _held(group, day, amara, ben)
    _held(group, GAP_DAY, ben)
    for day in (BACK, SECOND_DAY):
        _held(group, day, amara, ben)


def test_her_share_is_over_both_places_and_counted_once(school, group, amara, ben, sessions):
    today = dt.date.today()
    stats = selectors.group_stats([group], school=school, today=today)
    assert stats[group.pk].pupils == 2  # two pupils, three places
    shares = selectors.pupil_shares([group], stats, until=today)
    mine, his = shares[(group.pk, amara.pk)], shares[(group.pk, ben.pk)]
    assert (mine.attended, mine.hours) == (4, Decimal("2.00"))
    assert (his.attended, his.hours) == (5, Decimal("2.50"))
    # A 30-minute session at 18.00 is 9.00: shared by two, or Ben's alone in the gap.
    assert mine.cost_to_date == Decimal("18.00")
    assert his.cost_to_date == Decimal("27.00")
    assert mine.cost_to_date + his.cost_to_date == stats[group.pk].cost_to_date
    # The plan is shared between two pupils, not three places.
    assert mine.planned_cost == his.planned_cost
    assert mine.planned_cost + his.planned_cost == stats[group.pk].planned_cost


def test_her_provision_is_one_row_a_group_with_both_places(school, group, amara, first, sessions):
    rows = selectors.provision_for_pupil(amara)
    assert len(rows) == 1
    row = rows[0]
    assert [e.starts_on for e in row.stints] == [START, BACK]
    assert row.enrolment.starts_on == BACK  # the place she is in now
    totals = selectors.pupil_totals(rows)
    assert totals["hours"] == Decimal("2.00")
    assert totals["weekly_hours"] == Decimal("1.50")  # three 30-minute sessions, once
    # The map: one row for her in the group, her share once.
    sections = selectors.provision_map(school, pupils=None, today=dt.date.today())["sections"]
    mine = [r for rows in sections.values() for r in rows if r.pupil.pk == amara.pk]
    assert len(mine) == 1 and mine[0].share.cost_to_date == Decimal("18.00")


def test_the_budget_counts_her_share_once(school, group, amara, ben, sessions):
    from provision import costs

    school.top_up_threshold = 1
    school.save()
    year = costs.financial_year_of(dt.date.today(), september=False)
    summary = selectors.budget_summary(school, year)
    by_pupil = {c["pupil"].pk: c["cost"] for c in summary["candidates"]}
    assert by_pupil[amara.pk] == by_pupil[ben.pk]
    assert by_pupil[amara.pk] + by_pupil[ben.pk] == summary["planned"]


def test_the_transition_pack_lists_each_place_with_its_part(group, amara, sessions):
    items = [i for i in pack_sections.provision(amara) if i["group"] == str(group)]
    assert [(i["starts_on"], i["ends_on"]) for i in items] == [
        (START.isoformat(), LEFT.isoformat()),
        (BACK.isoformat(), None),
    ]
    assert [(i["entry"], i["exit"]) for i in items] == [("82.0", "85.0"), ("86.0", "")]
    assert [i["sessions_attended"] for i in items] == [2, 2]
    assert [i["hours"] for i in items] == ["1.00", "1.00"]
    assert [i["cost"] for i in items] == ["9.00", "9.00"]


def test_effectiveness_measures_each_place_and_counts_the_pupil_once(school, group, rejoined):
    rejoined.exit_score, rejoined.exit_on = Decimal("90"), SECOND_DAY
    rejoined.save()
    row = next(
        r
        for r in selectors.intervention_effectiveness(school)
        if r["intervention"] == group.intervention
    )
    assert (row["pupils"], row["measured"], row["measured_pupils"]) == (2, 2, 1)
    assert row["mean_gain"] == Decimal("3.5")  # 85 - 82 and 90 - 86


def test_leaving_school_drops_a_later_place_with_no_session_of_its_own(group, amara):
    """Sessions of her first place do not keep a second one that starts after she left."""
    services.enrolment_add(group=group, pupil=amara, starts_on=START)
    Enrolment.objects.filter(pupil=amara).update(ends_on=LEFT)
    _held(group, START, amara)
    later = services.enrolment_add(group=group, pupil=amara, starts_on=MON + dt.timedelta(days=7))
    amara.left_on = MON
    done = services.end_places_on_leaving(amara)
    assert not Enrolment.objects.filter(pk=later.pk).exists()
    assert any("which they were to join on" in line for line in done)


# --- the pages ----------------------------------------------------------------------------------


def _rows_of(html, table_start):
    table = html[html.index(table_start) :]
    table = table[: table.index("</table>")]
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", r)).strip()
            for r in re.findall(r"<tr class=\"place[^\"]*\">(.*?)</tr>", table, re.S)]  # fmt: skip


def test_the_group_page_shows_both_places(group, senco, first, sessions):
    html = client_for(senco).get(reverse("provision:group", args=[group.public_id])).content
    rows = _rows_of(html.decode(), "Pupils in")
    assert rows[1].startswith(
        f"Amara Okafor left and re-joined {START:%-d %b %Y} to {LEFT:%-d %b %Y}"
    )
    assert "4 (2.00 h) 82.0 85.0 3.0 £18.00 Measures" in rows[1]
    assert rows[2] == (
        f"From {BACK:%-d %b %Y} 86.0 - - Measures for Amara Okafor, place from {BACK:%-d %b %Y}"
    )
    assert rows[0].startswith(f"Ben Adeyemi From {START:%-d %b %Y} 5 (2.50 h)")


def test_the_pupil_page_shows_both_places(group, senco, amara, sessions):
    url = reverse("provision:pupil", args=[amara.public_id])
    rows = _rows_of(client_for(senco).get(url).content.decode(), "Provision groups")
    assert len(rows) == 2
    assert f"left and re-joined {START:%-d %b %Y} to {LEFT:%-d %b %Y}" in rows[0]
    assert "4 of 5 held (2.00 h) Standardised score 82.0 → 85.0 (gain 3.0 points) £18.00" in rows[0]
    assert rows[1] == f"{BACK:%-d %b %Y} to {group.ends_on:%-d %b %Y} Standardised score 86.0 → …"


def test_a_place_that_ended_unmeasured_says_so(group, senco, amara, first, rejoined):
    """The first place ended with no exit score: not '…', which is for one still running."""
    Enrolment.objects.filter(pk=first.pk).update(exit_score=None, exit_on=None)
    url = reverse("provision:pupil", args=[amara.public_id])
    rows = _rows_of(client_for(senco).get(url).content.decode(), "Provision groups")
    assert "82.0 → not measured at exit" in rows[0]
    assert rows[1].endswith("86.0 → …")


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("page", ["group", "pupil", "map"])
def test_a_second_place_adds_no_query(school, group, amara, ben, senco, page):
    services.enrolment_add(group=group, pupil=ben, starts_on=START)
    place = services.enrolment_add(group=group, pupil=amara, starts_on=START)
    url = {
        "group": reverse("provision:group", args=[group.public_id]),
        "pupil": reverse("provision:pupil", args=[amara.public_id]),
        "map": reverse("provision:map"),
    }[page]
    client = client_for(senco)
    client.get(url)  # warm per-process caches
    one = _queries(client, url)
    place.ends_on, place.exit_score, place.exit_on = LEFT, Decimal("85"), LEFT
    place.entry_score, place.entry_on = Decimal("82"), START
    place.save()
    services.enrolment_add(group=group, pupil=amara, starts_on=BACK)
    assert _queries(client, url) == one
