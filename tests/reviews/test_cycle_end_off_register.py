"""A status decision that takes a pupil off the SEN register (to N or the monitoring list) ends
their open support plan cycle in the same transaction: closed as "Ended: left the SEN register
on <date>" (not "Reviewed"), its working contribution links revoked, and its review date no
longer due anywhere (calendar, home panel, dashboard, register, iCal feed, class plans,
reminders, chasers). A leaving agreed at a review is closed by the review, once."""

import datetime as dt
from unittest import mock

import pytest
from django.db import DatabaseError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from pupils import hooks
from pupils import services as pupil_services
from pupils.models import Pupil, StatusDecision
from reports.dashboards import reviews_due
from reviews import services, tasks
from reviews.models import ContributionLink, Review, SupportCycle
from reviews.selectors import feed_cycles_for_user, review_calendar
from tests.factories import NeedFactory, PupilFactory
from tests.helpers import client_for

from .cycle_helpers import issued_cycle, open_cycle

pytestmark = pytest.mark.django_db


def _today():
    return timezone.localdate()


def _at(day):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(9)))


def decide(pupil, to, by, decided_on=None):
    return pupil_services.status_decision_record(
        pupil=pupil,
        to_status=to,
        decided_on=decided_on or _today(),
        reason="Reading now at age-related expectations",
        evidence="Termly data",
        decided_by="SENCO",
        parents_informed=False,
        parents_informed_on=None,
        by=by,
    )


def _link(cycle, senco, email="mum@example.org", name="Mrs Okafor"):
    link, token = services.contribution_link_create(
        cycle=cycle, kind="parent", recipient_name=name, recipient_email=email, by=senco.user
    )
    return link, token


def _review(cycle, senco, step):
    return services.review_close(
        cycle=cycle,
        by=senco.user,
        meeting_date=_today(),
        attendees="Mrs Okafor (parent)\nMs Reid (SENCO)",
        next_step=step,
        ratings=[
            services.OutcomeRating(outcome=o, rating="achieved", progress=2)
            for o in cycle.outcomes.all()
        ],
        next_review_date=_today() + dt.timedelta(weeks=12),
    )


@pytest.fixture
def cycle(taught_pupil, senco):
    return issued_cycle(taught_pupil, senco.user, review_in_days=5)


@pytest.mark.parametrize("to", ["N", "M"])
def test_a_decision_off_the_register_ends_the_open_cycle(taught_pupil, senco, cycle, to):
    day = _today() - dt.timedelta(days=1)
    decision = decide(taught_pupil, to, senco.user, decided_on=day)
    cycle.refresh_from_db()
    assert cycle.status == SupportCycle.Status.CLOSED and not cycle.is_open
    assert cycle.ended_reason == SupportCycle.EndReason.LEFT_REGISTER and cycle.ended_on == day
    assert cycle.closed_at is not None
    assert cycle.stage == "ended"
    assert cycle.stage_label == f"Ended: left the SEN register on {day:%-d %b %Y}"
    assert not Review.objects.filter(cycle=cycle).exists()  # it was not reviewed
    # Issued versions stay readable.
    assert cycle.versions.count() == 1
    assert decision.ended == [
        f"Support plan 1 (review due {cycle.review_date:%-d %b %Y}) ended: left the SEN "
        f"register on {day:%-d %b %Y}."
    ]


def test_a_cycle_not_yet_issued_ends_too(taught_pupil, senco):
    cycle = open_cycle(taught_pupil, senco.user)
    decision = decide(taught_pupil, "N", senco.user)
    cycle.refresh_from_db()
    assert cycle.is_ended and cycle.status == "closed"
    assert decision.ended == [
        f"Support plan 1 ended: left the SEN register on {_today():%-d %b %Y}."
    ]


def test_a_change_within_the_register_keeps_the_cycle(school, senco):
    pupil = PupilFactory(school=school, sen_status="E")
    NeedFactory(pupil=pupil)
    cycle = issued_cycle(pupil, senco.user)
    decision = decide(pupil, "K", senco.user)
    cycle.refresh_from_db()
    assert decision.ended == [] and cycle.is_open and not cycle.is_ended
    pupil.refresh_from_db()
    assert pupil.next_review_due == cycle.review_date


def test_a_pupil_with_no_open_cycle_has_nothing_ended(taught_pupil, senco):
    assert decide(taught_pupil, "N", senco.user).ended == []
    assert hooks.off_register_preview(taught_pupil) == []


def test_the_review_date_is_no_longer_due_anywhere(school, senco, teacher, cycle, taught_pupil):
    staying = PupilFactory(school=school, sen_status="K", first_name="Bilal")
    staying.teaching_groups.add(*taught_pupil.teaching_groups.all())
    other = issued_cycle(staying, senco.user, review_in_days=5)
    # Overdue for the leaving pupil, so both the overdue and the due-soon figures would count it.
    SupportCycle.objects.filter(pk=cycle.pk).update(review_date=_today() - dt.timedelta(days=2))
    services.pupil_next_review_sync(pupil=taught_pupil)
    assert reviews_due(school, _today()) == {"overdue": 1, "due_soon": 1}

    decide(taught_pupil, "N", senco.user)

    taught_pupil.refresh_from_db()
    assert taught_pupil.next_review_due is None  # the register's "next review"
    assert reviews_due(school, _today()) == {"overdue": 0, "due_soon": 1}
    cal = review_calendar(pupils=Pupil.objects.for_school(school), school=school, today=_today())
    assert cal.overdue == [] and cal.this_week + cal.this_half_term == [other]
    assert feed_cycles_for_user(teacher.user) == [other]
    # Teachers' class pages no longer show the plan's strategies.
    assert set(hooks.class_strategies([taught_pupil, staying])) == {staying.pk}
    client = client_for(senco)
    calendar = client.get(reverse("reviews:calendar")).content.decode()
    assert "Bilal" in calendar and taught_pupil.last_name not in calendar
    home = client.get(reverse("home")).content.decode()
    assert taught_pupil.last_name not in home
    plans = client_for(teacher).get(reverse("reviews:class_plans")).content.decode()
    assert "Bilal" in plans and taught_pupil.last_name not in plans


def test_no_reminder_goes_out_for_the_ended_cycle(school, senco, cycle, taught_pupil, mailoutbox):
    senco.user.email = "senco@example.org"
    senco.user.save()
    staying = PupilFactory(school=school, sen_status="K", first_name="Bilal")
    issued_cycle(staying, senco.user, review_in_days=3)
    decide(taught_pupil, "N", senco.user)
    assert tasks.send_review_reminders() == 1
    assert [m.subject for m in mailoutbox] == [
        f"Support plan review on {_today() + dt.timedelta(days=3):%-d %B}: "
        f"Bilal {staying.last_name[:1]}."
    ]
    cycle.refresh_from_db()
    assert cycle.reminder_sent_for is None


def test_working_links_are_revoked_and_never_chased(senco, cycle, taught_pupil, mailoutbox):
    waiting, token = _link(cycle, senco)
    answered, answered_token = _link(cycle, senco, email="gran@example.org", name="Gran")
    assert Client().post(
        reverse("reviews:contribute", args=[answered_token]),
        {"going_well": "Reading club", "worries": "Spelling"},
    ).status_code in (200, 302)
    expired, _ = _link(cycle, senco, email="dad@example.org", name="Dad")
    ContributionLink.objects.filter(pk=expired.pk).update(
        created_at=timezone.now() - dt.timedelta(days=20),
        expires_at=timezone.now() - dt.timedelta(days=1),
    )
    assert hooks.off_register_preview(taught_pupil) == [
        f"Support plan 1 (review due {cycle.review_date:%-d %b %Y}) will end, and 1 "
        "contribution link will be revoked."
    ]

    decision = decide(taught_pupil, "N", senco.user)

    assert decision.ended[0].endswith("; 1 contribution link revoked.")
    for link in (waiting, answered, expired):
        link.refresh_from_db()
    assert waiting.revoked_at is not None and waiting.state() == "revoked"
    assert answered.submitted_at and answered.revoked_at is None  # what came back is kept
    assert answered.answers["going_well"] == "Reading club"
    assert expired.revoked_at is None  # it had stopped working already
    # The public link is gone, and no chaser goes out.
    assert Client().get(reverse("reviews:contribute", args=[token])).status_code == 410
    tomorrow = _today() + dt.timedelta(days=1)
    assert services.contributions_chase(today=tomorrow, now=_at(tomorrow)) == 0
    assert tasks.chase_contributions() == 0
    assert mailoutbox == []


def test_preview_counts_every_working_link(senco, cycle, taught_pupil):
    _link(cycle, senco)
    _link(cycle, senco, email="dad@example.org", name="Dad")
    assert hooks.off_register_preview(taught_pupil) == [
        f"Support plan 1 (review due {cycle.review_date:%-d %b %Y}) will end, and 2 "
        "contribution links will be revoked."
    ]


def test_leaving_agreed_at_a_review_is_closed_once(senco, cycle, taught_pupil):
    _link(cycle, senco)
    _review(cycle, senco, Review.NextStep.LEAVE)
    cycle.refresh_from_db()
    closed_at = cycle.closed_at
    assert hooks.off_register_preview(taught_pupil) == []

    decision = decide(taught_pupil, "N", senco.user)

    assert decision.ended == []
    cycle.refresh_from_db()
    assert cycle.stage_label == "Reviewed" and not cycle.is_ended
    assert cycle.closed_at == closed_at and cycle.review.next_step == "leave"
    assert SupportCycle.objects.filter(pupil=taught_pupil).count() == 1


def test_a_review_that_continues_then_a_decision_ends_the_next_cycle(senco, cycle, taught_pupil):
    _review(cycle, senco, Review.NextStep.CONTINUE)
    following = SupportCycle.objects.get(pupil=taught_pupil, number=2)
    decide(taught_pupil, "N", senco.user)
    cycle.refresh_from_db()
    following.refresh_from_db()
    assert cycle.stage_label == "Reviewed"
    assert following.is_ended and not following.is_open


def test_coming_back_onto_the_register_opens_the_next_cycle(senco, cycle, taught_pupil):
    NeedFactory(pupil=taught_pupil)
    decide(taught_pupil, "N", senco.user)
    decide(taught_pupil, "K", senco.user)
    taught_pupil.refresh_from_db()
    again = open_cycle(taught_pupil, senco.user)
    assert again.number == 2 and again.previous_id == cycle.pk and again.is_open
    cycle.refresh_from_db()
    assert cycle.is_ended  # the ended cycle stays as it was


def test_the_chronology_shows_the_ending(senco, cycle, taught_pupil):
    decide(taught_pupil, "N", senco.user)
    pupil = Pupil.objects.get(pk=taught_pupil.pk)
    entries = [e for source in hooks.chronology_sources for e in source(pupil)]
    ended = [e for e in entries if e.title == "Support plan 1 ended: Left the SEN register"]
    assert len(ended) == 1
    assert ended[0].date == _today()
    assert ended[0].detail == f"Not reviewed; the review had been due {cycle.review_date:%-d %b %Y}"
    assert not any("reviewed:" in e.title for e in entries)


def test_a_failure_later_in_the_decision_undoes_the_ending(senco, cycle, taught_pupil):
    link, _ = _link(cycle, senco)
    with (
        mock.patch(
            "reviews.services.pupil_next_review_sync", side_effect=DatabaseError("disk full")
        ),
        pytest.raises(DatabaseError),
    ):
        decide(taught_pupil, "N", senco.user)
    cycle.refresh_from_db()
    link.refresh_from_db()
    assert cycle.is_open and not cycle.is_ended and link.revoked_at is None
    assert not StatusDecision.objects.filter(pupil=taught_pupil).exists()
    taught_pupil.refresh_from_db()
    assert taught_pupil.sen_status == "K"


def test_an_ended_cycle_takes_no_more_changes(senco, cycle, taught_pupil):
    decide(taught_pupil, "N", senco.user)
    cycle.refresh_from_db()
    with pytest.raises(Exception, match="Only an issued plan can be reviewed"):
        _review(cycle, senco, Review.NextStep.CONTINUE)


def test_the_data_migration_ends_cycles_left_open_off_the_register(school, senco, taught_pupil):
    """Before decisions ended cycles, a pupil taken off the register kept an open one."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("reviews.migrations.0011_end_cycles_of_pupils_off_register")
    left = issued_cycle(taught_pupil, senco.user)
    link, _ = _link(left, senco)
    since = _today() - dt.timedelta(days=10)
    Pupil.objects.filter(pk=taught_pupil.pk).update(sen_status="M", sen_status_since=since)
    staying = issued_cycle(PupilFactory(school=school, sen_status="K"), senco.user)

    migration.end_cycles(apps, None)
    migration.end_cycles(apps, None)  # a second run changes nothing

    left.refresh_from_db()
    staying.refresh_from_db()
    link.refresh_from_db()
    assert left.is_ended and left.ended_on == since and not left.is_open
    assert link.revoked_at is not None
    assert Pupil.objects.get(pk=taught_pupil.pk).next_review_due is None
    assert staying.is_open and not staying.is_ended
    assert Pupil.objects.get(pk=staying.pupil_id).next_review_due == staying.review_date


def test_an_ehc_plan_still_in_force_keeps_its_review_clock(school, senco):
    """Off the register before the LA ceased the plan: the support plan ends, but the plan's
    annual review is still the register's next review (statutory until the plan ceases)."""
    from reviews.services_ehc import pupil_next_review_sync

    from .ehc_factories import EhcPlanFactory

    plan = EhcPlanFactory(pupil__school=school, issued_on=_today() - dt.timedelta(days=100))
    pupil = plan.pupil
    NeedFactory(pupil=pupil)
    pupil_next_review_sync(pupil=pupil)
    annual = Pupil.objects.get(pk=pupil.pk).next_review_due
    cycle = issued_cycle(pupil, senco.user, review_in_days=5)
    assert annual is not None and annual != cycle.review_date

    decide(pupil, "M", senco.user)

    cycle.refresh_from_db()
    assert cycle.is_ended
    assert Pupil.objects.get(pk=pupil.pk).next_review_due == annual
