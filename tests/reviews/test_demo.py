import datetime as dt

import pytest

from pupils import demo as pupils_demo
from pupils.models import Pupil
from reviews import demo
from reviews.models import ContributionLink, SupportCycle
from reviews.selectors import review_calendar
from sencoweb import demo as core_demo

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
