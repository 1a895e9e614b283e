import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from reviews.models import SupportCycle
from reviews.selectors import half_term_end
from sencoweb.models import Term
from tests.factories import PupilFactory
from tests.helpers import audit_queries, client_for

from .cycle_helpers import issued_cycle

pytestmark = pytest.mark.django_db


def _pupils_with_reviews(school, senco, group, offsets):
    cycles = []
    for offset in offsets:
        pupil = PupilFactory(school=school, sen_status="K")
        if group:
            pupil.teaching_groups.add(group)
        cycle = issued_cycle(pupil, senco.user, review_in_days=30)
        SupportCycle.objects.filter(pk=cycle.pk).update(
            review_date=timezone.localdate() + dt.timedelta(days=offset)
        )
        cycles.append(cycle)
    return cycles


def test_senco_sees_all_buckets(school, senco, class_group):
    _pupils_with_reviews(school, senco, None, [-3, -1, 0, 20])
    page = client_for(senco).get(reverse("reviews:calendar"))
    cal = page.context["cal"]
    assert len(cal.overdue) == 2 and len(cal.this_week) == 1


def test_teacher_sees_only_their_pupils(school, senco, teacher, class_group):
    _pupils_with_reviews(school, senco, class_group, [-2])
    _pupils_with_reviews(school, senco, None, [-2, -1])
    cal = client_for(teacher).get(reverse("reviews:calendar")).context["cal"]
    assert len(cal.overdue) == 1


def test_governor_403_outsider_sees_own_school_only(school, senco, governor, outsider):
    _pupils_with_reviews(school, senco, None, [-2])
    assert client_for(governor).get(reverse("reviews:calendar")).status_code == 403
    cal = client_for(outsider).get(reverse("reviews:calendar")).context["cal"]
    assert cal.overdue == []


@pytest.mark.parametrize("rows", [1, 8])
def test_calendar_query_count_is_constant(
    school, senco, class_group, django_assert_num_queries, rows
):
    _pupils_with_reviews(school, senco, None, list(range(-rows, 0)))
    client = client_for(senco)
    client.get(reverse("reviews:calendar"))  # warm the session and settings rows
    # 6 for the page and its audit row (tests.helpers.audit_queries).
    with django_assert_num_queries(6 + audit_queries()):
        client.get(reverse("reviews:calendar"))


def test_half_term_uses_term_dates(school):
    today = dt.date(2026, 10, 5)
    Term.objects.create(
        school=school,
        academic_year=2026,
        name="autumn",
        starts_on=dt.date(2026, 9, 3),
        ends_on=dt.date(2026, 12, 18),
        half_term_starts=dt.date(2026, 10, 26),
        half_term_ends=dt.date(2026, 10, 30),
    )
    assert half_term_end(school, today) == dt.date(2026, 10, 25)
    assert half_term_end(school, dt.date(2026, 11, 5)) == dt.date(2026, 12, 18)
    assert half_term_end(school, dt.date(2027, 3, 1)) == dt.date(2027, 4, 12)


def test_ical_feed_lists_visible_reviews_with_first_name_and_initial(
    school, senco, teacher, class_group
):
    (cycle,) = _pupils_with_reviews(school, senco, class_group, [5])
    _pupils_with_reviews(school, senco, None, [6])
    client = client_for(teacher)
    assert client.post(reverse("reviews:calendar_token")).status_code == 302
    teacher.user.refresh_from_db()
    token = teacher.user.calendar_token
    feed = client_for(teacher).get(reverse("reviews:ical_feed", args=[token]))
    body = feed.content.decode()
    assert feed["Content-Type"].startswith("text/calendar")
    assert body.count("BEGIN:VEVENT") == 1
    pupil = cycle.pupil
    assert f"{pupil.first_name} {pupil.last_name[0]}." in body
    assert pupil.last_name not in body.replace(f"{pupil.last_name[0]}.", "")
    # Rotating the token kills the old link.
    client.post(reverse("reviews:calendar_token"))
    from django.test import Client

    assert Client().get(reverse("reviews:ical_feed", args=[token])).status_code == 404
    assert Client().get(reverse("reviews:ical_feed", args=["x" * 43])).status_code == 404
