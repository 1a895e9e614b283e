"""The teacher's "my classes" page shows each pupil's issued support plan strategies through
pupils.hooks.class_strategy_sources, in a constant number of queries."""

import pytest
from django.urls import reverse

from pupils import hooks
from reviews import registry, services
from tests.factories import NeedFactory, PupilFactory
from tests.helpers import audit_queries, client_for

from .cycle_helpers import add_outcome, issued_cycle, open_cycle

pytestmark = pytest.mark.django_db


def test_reviews_registers_its_strategies_source():
    assert registry.strategies_for in hooks.class_strategy_sources


def test_strategies_come_from_the_latest_issued_version_only(senco, school, taught_pupil):
    cycle = issued_cycle(taught_pupil, senco.user, outcomes=1)
    drafting = open_cycle(PupilFactory(school=school, sen_status="K"), senco.user)
    add_outcome(drafting, "Draft outcome: not yet shared with class teachers")
    # An amendment in progress is not shown until it is issued.
    add_outcome(cycle, "Amendment outcome being drafted by the SENCO right now")
    found = registry.strategies_for([taught_pupil, drafting.pupil])
    assert list(found) == [taught_pupil.pk]
    assert found[taught_pupil.pk] == [
        "Pre-teach key words; coloured overlay; chunked instructions "
        "(for: Outcome number 1: reads a passage aloud accurately)"
    ]
    services.plan_issue(cycle=cycle, by=senco.user, change_note="Added a reading outcome")
    assert len(registry.strategies_for([taught_pupil])[taught_pupil.pk]) == 2


def test_my_classes_shows_plan_strategies_with_pinned_queries(
    senco, teacher, school, class_group, django_assert_num_queries
):
    def make(n):
        for _ in range(n):
            p = PupilFactory(school=school, sen_status="K")
            NeedFactory(pupil=p)
            p.teaching_groups.add(class_group)
            issued_cycle(p, senco.user, outcomes=2)
        PupilFactory(school=school, sen_status="K").teaching_groups.add(class_group)

    make(2)
    client = client_for(teacher)
    html = client.get(reverse("pupils:my_classes")).content.decode()
    assert "Support plan strategies" in html
    assert html.count("Pre-teach key words; coloured overlay") == 4
    assert "No issued plan" in html
    # The same 16 queries as tests/pupils/test_views.py pins (one for the plan strategies).
    with django_assert_num_queries(9 + audit_queries()):
        client.get(reverse("pupils:my_classes"))
    make(8)
    with django_assert_num_queries(9 + audit_queries()):
        response = client.get(reverse("pupils:my_classes"))
    assert response.content.decode().count("Pre-teach key words; coloured overlay") == 20
