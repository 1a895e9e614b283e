import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from reviews import services
from reviews.models import Outcome, Review, SupportCycle
from tests.factories import PupilFactory

from .cycle_helpers import add_outcome, issued_cycle, open_cycle

pytestmark = pytest.mark.django_db


def test_cycle_needs_a_pupil_on_the_register(school, senco):
    pupil = PupilFactory(school=school, sen_status="M")
    with pytest.raises(ValidationError, match="on the SEN register"):
        open_cycle(pupil, senco.user)


def test_only_one_open_cycle_and_numbers_increase(taught_pupil, senco):
    first = open_cycle(taught_pupil, senco.user)
    assert first.number == 1 and first.status == SupportCycle.Status.ASSESS
    with pytest.raises(ValidationError, match="already has an open cycle"):
        open_cycle(taught_pupil, senco.user)


def test_assessment_moves_to_planning_and_review_date_updates_the_pupil(taught_pupil, senco):
    cycle = open_cycle(taught_pupil, senco.user)
    due = timezone.localdate() + dt.timedelta(days=40)
    services.cycle_update(
        cycle=cycle, data={"teacher_assessment": "Below peers", "review_date": due}
    )
    taught_pupil.refresh_from_db()
    assert cycle.status == SupportCycle.Status.PLANNING
    assert taught_pupil.next_review_due == due


def test_issue_needs_outcomes_and_a_date(taught_pupil, senco):
    cycle = open_cycle(taught_pupil, senco.user)
    with pytest.raises(ValidationError, match="at least one outcome"):
        services.plan_issue(cycle=cycle, by=senco.user)
    add_outcome(cycle)
    with pytest.raises(ValidationError, match="review date"):
        services.plan_issue(cycle=cycle, by=senco.user)


def test_issue_freezes_a_version_and_amending_makes_the_next(taught_pupil, senco):
    cycle = issued_cycle(taught_pupil, senco.user, outcomes=1)
    v1 = cycle.versions.get()
    assert cycle.status == SupportCycle.Status.ISSUED
    assert v1.number == 1 and len(v1.outcomes) == 1
    with pytest.raises(ValidationError, match="Nothing has changed"):
        services.plan_issue(cycle=cycle, by=senco.user, change_note="x")
    outcome = cycle.outcomes.get()
    outcome.description = "Reads a longer passage aloud with 95% accuracy"
    services.outcome_save(cycle=cycle, outcome=outcome)
    with pytest.raises(ValidationError, match="Say what changed"):
        services.plan_issue(cycle=cycle, by=senco.user)
    v2 = services.plan_issue(cycle=cycle, by=senco.user, change_note="Raised the bar")
    v1.refresh_from_db()
    assert v2.number == 2
    assert v2.outcomes[0]["description"].startswith("Reads a longer")
    # The first version is unchanged.
    assert v1.outcomes[0]["description"].startswith("Outcome number 1")


def _close(cycle, by, ratings, step=Review.NextStep.CONTINUE, next_date=None):
    return services.review_close(
        cycle=cycle,
        by=by,
        meeting_date=timezone.localdate(),
        attendees="Mum\nClass teacher\nSENCO",
        next_step=step,
        ratings=ratings,
        pupil_voice="I like reading with Mrs B",
        summary="Good progress on reading",
        next_review_date=next_date or timezone.localdate() + dt.timedelta(weeks=12),
    )


def test_review_close_carries_unfinished_outcomes_forward(taught_pupil, senco):
    cycle = issued_cycle(taught_pupil, senco.user, outcomes=3)
    a, b, c = cycle.outcomes.all()
    next_date = timezone.localdate() + dt.timedelta(weeks=10)
    _close(
        cycle,
        senco.user,
        [
            services.OutcomeRating(a, Outcome.Rating.ACHIEVED, 2),
            services.OutcomeRating(b, Outcome.Rating.PARTLY, 1),
            services.OutcomeRating(c, Outcome.Rating.NOT_YET, -1, "Absent a lot"),
        ],
        next_date=next_date,
    )
    cycle.refresh_from_db()
    assert cycle.status == SupportCycle.Status.CLOSED
    nxt = cycle.next_cycle
    assert nxt.number == 2 and nxt.status == SupportCycle.Status.PLANNING
    assert [o.carried_from_id for o in nxt.outcomes.all()] == [b.pk, c.pk]
    assert nxt.pupil_views == "I like reading with Mrs B"
    taught_pupil.refresh_from_db()
    assert taught_pupil.next_review_due == next_date


def test_leaving_the_register_opens_no_next_cycle(taught_pupil, senco):
    cycle = issued_cycle(taught_pupil, senco.user, outcomes=1)
    (o,) = cycle.outcomes.all()
    _close(cycle, senco.user, [services.OutcomeRating(o, "achieved", 2)], Review.NextStep.LEAVE)
    assert not SupportCycle.objects.filter(pupil=taught_pupil).open().exists()
    taught_pupil.refresh_from_db()
    assert taught_pupil.next_review_due is None


def test_review_rolls_back_on_bad_progress(taught_pupil, senco):
    cycle = issued_cycle(taught_pupil, senco.user, outcomes=1)
    (o,) = cycle.outcomes.all()
    with pytest.raises(ValidationError):
        _close(cycle, senco.user, [services.OutcomeRating(o, "achieved", 5)])
    cycle.refresh_from_db()
    assert cycle.status == SupportCycle.Status.ISSUED
    assert not Review.objects.exists()


def test_review_reminders_are_sent_once_per_date(taught_pupil, senco, teacher, mailoutbox):
    cycle = issued_cycle(taught_pupil, senco.user, review_in_days=3)
    SupportCycle.objects.filter(pk=cycle.pk).update(teacher_responsible=teacher.user)
    assert services.review_reminders_send() == 1
    assert services.review_reminders_send() == 0
    assert len(mailoutbox) == 1
    assert taught_pupil.last_name not in mailoutbox[0].subject
    assert set(mailoutbox[0].to) == {senco.user.email, teacher.user.email}
    # A new date lets one more reminder go out.
    services.cycle_update(
        cycle=cycle, data={"review_date": timezone.localdate() + dt.timedelta(days=2)}
    )
    assert services.review_reminders_send() == 1


def test_reminders_wait_until_close_to_the_review(taught_pupil, senco, mailoutbox):
    issued_cycle(taught_pupil, senco.user, review_in_days=20)
    assert services.review_reminders_send() == 0
    assert mailoutbox == []
