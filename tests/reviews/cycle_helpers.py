"""Builders for support plan cycles at each stage, used by the reviews tests."""

import datetime as dt

from django.utils import timezone

from reviews import services
from reviews.models import Outcome


def open_cycle(pupil, by, **kwargs):
    return services.cycle_open(pupil=pupil, by=by, **kwargs)


def add_outcome(cycle, text="Reads a short passage aloud with 90% accuracy", area="CL"):
    return services.outcome_save(
        cycle=cycle,
        outcome=Outcome(
            area=area,
            description=text,
            success_criterion="8 of 10 weekly probes at 90% or better",
            strategies="Pre-teach key words; coloured overlay; chunked instructions",
            provision="Reading intervention 3 x 20 min",
        ),
    )


def issued_cycle(pupil, by, *, review_in_days=30, outcomes=2):
    cycle = open_cycle(pupil, by)
    services.cycle_update(
        cycle=cycle,
        data={
            "teacher_assessment": "Reading age 18 months behind",
            "review_date": timezone.localdate() + dt.timedelta(days=review_in_days),
        },
    )
    for n in range(outcomes):
        add_outcome(cycle, f"Outcome number {n + 1}: reads a passage aloud accurately")
    services.plan_issue(cycle=cycle, by=by)
    cycle.refresh_from_db()
    return cycle
