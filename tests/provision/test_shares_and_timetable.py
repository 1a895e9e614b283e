"""A group's cost is always the sum of its pupils' costs, also for a group set up for one pupil
whose sessions went ahead while that pupil was away; a member of staff's timetable counts only
the pupils they teach now."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from provision import selectors
from provision.models import Enrolment, SessionLog
from tests.factories import PupilFactory
from tests.helpers import client_for

from .factories import GroupFactory, InterventionFactory, enrol, group_form_data

pytestmark = pytest.mark.django_db


def _weekdays_before(day, n):
    """The last n weekdays up to and including `day`, oldest first."""
    out = []
    while len(out) < n:
        if day.weekday() < 5:
            out.append(day)
        day -= dt.timedelta(days=1)
    return out[::-1]


# --- a group set up for one pupil ---------------------------------------------------------


@pytest.fixture
def one_to_one(school, ta):
    """Dev's 1:1 (charged wholly to him), which his classmate Ben joins: 30 minutes at
    £17.20 an hour is £8.60 a session, £5 of resources."""
    dev = PupilFactory(school=school, sen_status="E", first_name="Dev")
    ben = PupilFactory(school=school, sen_status="K", first_name="Ben")
    group = GroupFactory(
        school=school,
        staff=ta,
        intervention=InterventionFactory(school=school, group_size=1),
        days="01234",
        starts_on=dt.date.today() - dt.timedelta(days=20),
        exclusive_to=dev,
        resource_cost=Decimal("5.00"),
    )
    enrol(group, dev, ben)
    return group, dev, ben


def _costs(group, school):
    today = timezone.localdate()
    stats = selectors.group_stats([group], school=school, today=today)
    shares = selectors.pupil_shares([group], stats, until=today)
    return stats[group.pk], shares


def test_held_session_without_the_pupil_it_exists_for_is_still_charged_to_them(
    one_to_one, school, ta
):
    group, dev, ben = one_to_one
    days = _weekdays_before(timezone.localdate(), 3)
    client = client_for(ta)
    for day in days[:2]:  # Dev (and Ben) there
        url = reverse("provision:session", args=[group.public_id, day.isoformat()])
        assert client.post(url, {"held": "1", "attended": [dev.pk, ben.pk]}).status_code == 302
    # Dev away: the TA still took the session, with Ben. It happened, so it is logged held
    # (not refused), and the group exists for Dev, so Dev's share carries its cost.
    url = reverse("provision:session", args=[group.public_id, days[2].isoformat()])
    assert client.post(url, {"held": "1", "attended": [ben.pk]}).status_code == 302
    log = SessionLog.objects.get(group=group, date=days[2])
    assert log.status == "held" and list(log.attended.all()) == [ben]

    stats, shares = _costs(group, school)
    assert stats.held == 3
    assert stats.cost_to_date == Decimal("30.80")  # 3 x 8.60 + 5.00
    assert shares[(group.pk, dev.pk)].cost_to_date == Decimal("30.80")
    assert shares[(group.pk, ben.pk)].cost_to_date == Decimal("0.00")
    assert sum(s.cost_to_date for s in shares.values()) == stats.cost_to_date
    # Dev's attendance and hours stay what he attended: two sessions, an hour.
    assert shares[(group.pk, dev.pk)].attended == 2
    assert shares[(group.pk, dev.pk)].hours == Decimal("1.00")
    assert shares[(group.pk, ben.pk)].attended == 3


def test_group_page_costs_add_up_for_a_one_pupil_group(one_to_one, school, senco):
    group, dev, ben = one_to_one
    day = _weekdays_before(timezone.localdate(), 1)[0]
    SessionLog.objects.create(group=group, date=day, status="held").attended.set([ben])
    page = client_for(senco).get(reverse("provision:group", args=[group.public_id]))
    html = page.content.decode()
    # £8.60 + £5.00 of resources, on the group and on Dev's row; Ben's row £0.00.
    assert "£13.60 to date" in html
    assert html.count("£13.60") == 2 and "£0.00" in html
    pupil_page = client_for(senco).get(reverse("provision:pupil", args=[dev.public_id]))
    assert "£13.60" in pupil_page.content.decode()


def test_one_pupil_group_with_the_pupil_not_enrolled_still_adds_up(school, ta):
    """The pupil the group exists for is charged even when the enrolment list lacks them (a
    group set up before they were enrolled, or after they left it)."""
    dev = PupilFactory(school=school, sen_status="E", first_name="Dev")
    ben = PupilFactory(school=school, sen_status="K", first_name="Ben")
    group = GroupFactory(school=school, staff=ta, days="01234", exclusive_to=dev)
    enrol(group, ben)
    day = _weekdays_before(timezone.localdate(), 1)[0]
    SessionLog.objects.create(group=group, date=day, status="held").attended.set([ben])
    stats, shares = _costs(group, school)
    assert stats.cost_to_date == Decimal("8.60")
    assert shares[(group.pk, dev.pk)].cost_to_date == Decimal("8.60")
    assert sum(s.cost_to_date for s in shares.values()) == stats.cost_to_date


def _group_data(school, ta, **extra):
    one_to_one = InterventionFactory(school=school, group_size=1)
    return group_form_data(school, ta, **{"intervention": one_to_one.pk, **extra})


def test_a_group_set_up_for_one_pupil_has_that_pupil_in_it(school, senco, ta):
    """Set up for Dev without ticking him under Pupils: he is enrolled, so the group's cost
    shows on his row of the map and on his provision page."""
    dev = PupilFactory(school=school, sen_status="E", first_name="Dev")
    ben = PupilFactory(school=school, sen_status="K", first_name="Ben")
    response = client_for(senco).post(
        reverse("provision:group_new"),
        _group_data(school, ta, exclusive_to=dev.pk, pupils=[ben.pk]),
    )
    assert response.status_code == 302
    enrolments = Enrolment.objects.filter(group__exclusive_to=dev)
    assert sorted(e.pupil.first_name for e in enrolments) == ["Ben", "Dev"]
    assert {e.starts_on for e in enrolments} == {timezone.localdate()}


def test_editing_a_group_to_be_for_one_pupil_enrols_them_from_today(school, senco, ta):
    today = timezone.localdate()
    dev = PupilFactory(school=school, sen_status="E", first_name="Dev")
    group = GroupFactory(school=school, staff=ta, starts_on=today - dt.timedelta(days=20))
    url = reverse("provision:group_edit", args=[group.public_id])
    data = _group_data(
        school, ta, intervention=group.intervention.pk, exclusive_to=dev.pk,
        starts_on=group.starts_on.isoformat(), ends_on=group.ends_on.isoformat(),
    )  # fmt: skip
    assert client_for(senco).post(url, data).status_code == 302
    assert Enrolment.objects.get(group=group, pupil=dev).starts_on == today
    # Saving again changes nothing; a pupil who left the group is not brought back.
    Enrolment.objects.filter(group=group, pupil=dev).update(ends_on=today)
    assert client_for(senco).post(url, data).status_code == 302
    assert Enrolment.objects.get(group=group, pupil=dev).ends_on == today


# --- a member of staff's timetable --------------------------------------------------------


def test_timetable_counts_only_pupils_in_the_group_now(school, ta, senco):
    today = timezone.localdate()
    group = GroupFactory(school=school, staff=ta, starts_on=today - dt.timedelta(days=30))
    here, left, archived, later = (
        PupilFactory(school=school, sen_status="K", first_name=name)
        for name in ("Amara", "Ben", "Cleo", "Dylan")
    )
    enrol(group, here, left, archived)
    Enrolment.objects.filter(group=group, pupil=left).update(ends_on=today - dt.timedelta(days=3))
    archived.archived_at = timezone.now()
    archived.save(update_fields=["archived_at"])
    Enrolment.objects.create(group=group, pupil=later, starts_on=today + dt.timedelta(days=7))
    # A second group with Amara again and one who left it: still one pupil more, not two.
    other = GroupFactory(school=school, staff=ta, starts_on=today - dt.timedelta(days=30))
    enrol(other, here)

    load = selectors.staff_load(ta, today=today)
    assert load["pupils"] == 1
    for viewer in (ta, senco):
        url = reverse("provision:staff_timetable", args=[ta.user.public_id])
        html = client_for(viewer).get(url).content.decode()
        assert "1 pupil, 2 groups" in html
