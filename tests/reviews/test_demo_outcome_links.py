"""The demo links support plan outcomes to the provision groups that work on them (same area of
need), so the plan page's 'linked provision' shows delivered sessions, not nothing."""

import datetime as dt

import pytest

from provision import demo as provision_demo
from provision.models import Enrolment
from reviews import demo as reviews_demo
from reviews.models import Outcome
from sencoweb.demo import DemoContext
from tests.factories import PupilFactory

pytestmark = pytest.mark.django_db


def test_demo_outcomes_link_to_the_pupils_groups_of_the_same_area(school, senco, ta):
    for _ in range(24):
        PupilFactory(school=school, sen_status="K")
    ctx = DemoContext(
        seed=1, today=dt.date.today(), password_hash="", schools=[school],
        staff={(school.urn, "senco"): [senco.user], (school.urn, "ta"): [ta.user]},
    )  # fmt: skip
    provision_demo.seed(ctx)
    reviews_demo.seed(ctx)
    linked = list(Outcome.objects.exclude(provision_group_id=None).select_related("cycle"))
    assert linked
    for outcome in linked:
        place = Enrolment.objects.get(
            pupil=outcome.cycle.pupil_id, group__public_id=outcome.provision_group_id
        )
        assert place.group.intervention.area == outcome.area
