import datetime as dt

import pytest

from pupils import demo as pupils_demo
from pupils.models import Pupil
from reviews import demo
from reviews.models import ContributionLink, Review, SupportCycle
from reviews.selectors import review_calendar
from sencoweb import demo as core_demo
from sencoweb.models import Term

pytestmark = pytest.mark.django_db


def test_demo_has_every_stage_and_is_idempotent():
    today = dt.date(2026, 3, 4)
    ctx = core_demo.make_context(seed=1, today=today, password="x" * 12)
    core_demo.seed(ctx, secondary_pupils=200)
    pupils_demo.seed(ctx)
    demo.seed(ctx)
    school = ctx.schools[0]
    cycles = SupportCycle.objects.for_school(school)
    assert set(cycles.values_list("status", flat=True)) == {
        "assess",
        "planning",
        "issued",
        "closed",
    }
    carried = cycles.filter(number=2, outcomes__carried_from__isnull=False)
    assert carried.exists()
    cal = review_calendar(pupils=Pupil.objects.for_school(school), school=school, today=today)
    assert cal.overdue and cal.this_week
    assert ContributionLink.objects.filter(submitted_at__isnull=False).exists()
    count = SupportCycle.objects.count()
    demo.seed(ctx)
    assert SupportCycle.objects.count() == count


def test_demo_plans_are_the_responsibility_of_a_teacher_of_the_pupil():
    """Review reminders go to the teacher responsible: in the demo that is a teacher who
    teaches the pupil (where anyone is named for their classes), so the reminder's link opens
    for them and their class plans page shows the plan."""
    today = dt.date(2026, 3, 4)
    ctx = core_demo.make_context(seed=1, today=today, password="x" * 12)
    core_demo.seed(ctx, secondary_pupils=200)
    pupils_demo.seed(ctx)
    demo.seed(ctx)
    checked = 0
    for cycle in SupportCycle.objects.select_related("pupil", "teacher_responsible"):
        groups = cycle.pupil.teaching_groups.all()
        teachers = {u.pk for g in groups for u in g.staff.filter(memberships__role="teacher")}
        if teachers:
            assert cycle.teacher_responsible_id in teachers, cycle
            checked += 1
    assert checked


@pytest.mark.parametrize(
    "today",
    [
        dt.date(2026, 3, 6),  # a Friday: "due this week" used to spill into the weekend
        dt.date(2026, 3, 7),  # a Saturday
        dt.date(2026, 2, 18),  # the February half term
        dt.date(2026, 4, 8),  # the Easter holiday
    ],
)
def test_reviews_fall_on_school_days(today):
    ctx = core_demo.make_context(seed=3, today=today, password="x" * 12)
    core_demo.seed(ctx, secondary_pupils=200)
    pupils_demo.seed(ctx)
    demo.seed(ctx)
    days = list(
        SupportCycle.objects.filter(review_date__isnull=False).values_list(
            "school_id", "review_date"
        )
    ) + list(Review.objects.values_list("cycle__school_id", "meeting_date"))
    assert len(days) > 50
    terms: dict = {}
    for term in Term.objects.all():
        terms.setdefault(term.school_id, []).append(term)
    for school_id, day in days:
        assert day.weekday() < 5, f"a review on a {day:%A} ({day})"
        known = terms[school_id]
        if min(t.starts_on for t in known) <= day <= max(t.ends_on for t in known):
            term = next((t for t in known if t.starts_on <= day <= t.ends_on), None)
            assert term is not None, f"a review in the holidays ({day})"
            assert not term.half_term_starts <= day <= term.half_term_ends, f"half term {day}"
    # This week's reviews are still on the review calendar's "this week" on a school day.
    if today.weekday() < 5 and today.month == 3:
        school = ctx.schools[0]
        cal = review_calendar(pupils=Pupil.objects.for_school(school), school=school, today=today)
        assert cal.this_week


def test_demo_cycles_happen_in_order():
    """Opened, then issued, then reviewed (on or after the issue), then the next cycle opened:
    never a plan issued after its review, nothing in the future."""
    today = dt.date(2026, 3, 4)
    ctx = core_demo.make_context(seed=1, today=today, password="x" * 12)
    core_demo.seed(ctx, secondary_pupils=200)
    pupils_demo.seed(ctx)
    demo.seed(ctx)
    checked = 0
    for cycle in SupportCycle.objects.prefetch_related("versions").select_related(
        "review", "previous"
    ):
        opened = cycle.opened_at.date()
        assert opened <= today, cycle
        if cycle.issued_at:
            issued = cycle.issued_at.date()
            assert opened <= issued <= today, cycle
            assert [v.issued_at.date() for v in cycle.versions.all()] == [issued]
        review = getattr(cycle, "review", None)
        if review is not None:
            assert cycle.issued_at and cycle.issued_at.date() <= review.meeting_date <= today
            assert review.recorded_at.date() == review.meeting_date
            checked += 1
        if cycle.previous_id:
            assert cycle.opened_at == cycle.previous.closed_at
    assert checked


def test_demo_support_plans_take_no_query_per_pupil():
    """The trust benchmark seeds 50 schools of 1,000 pupils: a query per pupil (finding each
    pupil's class teacher) made seeding seven times slower there. A fixed handful of reads,
    whatever the number of plans made (the writes are bulk, bar one small UPDATE per pupil)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    ctx = core_demo.make_context(seed=1, today=dt.date(2026, 3, 4), password="x" * 12)
    core_demo.seed(ctx, secondary_pupils=400)
    pupils_demo.seed(ctx)
    school = ctx.schools[2]  # the secondary
    with CaptureQueriesContext(connection) as queries:
        demo._seed_school(ctx, school)
    made = SupportCycle.objects.for_school(school).count()
    reads = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT")]
    assert made >= 60 and len(reads) < 12, (len(reads), made)
