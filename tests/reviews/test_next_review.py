"""The pupil's next review (Pupil.next_review_due) is the EARLIEST review still to come: the open
support plan's review date and the next annual review of the EHC plan in force (issues 4 and 5).
Every write that moves either clock leaves that date, whichever of the two it wrote; a closed
or ended cycle and a ceased plan count for nothing.

Each writer test first puts a wrong date on the pupil, so it shows the writer itself set it."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from pupils import services as pupil_services
from pupils.models import Pupil
from reports.dashboards import reviews_due
from reviews import forms_ehc, next_review, services, services_ehc
from reviews.deadlines import add_months, review_period_end
from reviews.models import AnnualReview, EhcPlan, Review, SupportCycle
from tests.factories import NeedFactory, PupilFactory
from tests.helpers import client_for

from .cycle_helpers import add_outcome, issued_cycle, open_cycle
from .ehc_factories import AnnualReviewFactory, EhcPlanFactory

pytestmark = pytest.mark.django_db

WRONG = dt.date(2000, 1, 1)


def _today() -> dt.date:
    return timezone.localdate()


def _in(days: int) -> dt.date:
    return _today() + dt.timedelta(days=days)


def _plan_due_in(school, days: int) -> EhcPlan:
    """A plan in force issued a year before `days` from today: its first annual review falls
    due the day before that."""
    plan = EhcPlanFactory(pupil__school=school, issued_on=add_months(_in(days), -12))
    NeedFactory(pupil=plan.pupil)
    return plan


def _annual(plan) -> dt.date:
    return review_period_end(plan.review_anchor, 12)


def _due(pupil) -> dt.date | None:
    return Pupil.objects.get(pk=pupil.pk).next_review_due


def _spoil(pupil) -> None:
    Pupil.objects.filter(pk=pupil.pk).update(next_review_due=WRONG)


def _close(cycle, by, step=Review.NextStep.CONTINUE, next_date=None):
    return services.review_close(
        cycle=cycle,
        by=by,
        meeting_date=_today(),
        attendees="Mum\nSENCO",
        next_step=step,
        ratings=[services.OutcomeRating(o, "partly", 1) for o in cycle.outcomes.all()],
        summary="Steady progress",
        next_review_date=next_date,
    )


# The support plan's review either side of the annual review (due in about 60 days).
SOONER, LATER = 20, 120


@pytest.fixture
def plan(school):
    return _plan_due_in(school, 60)


def _earliest(plan, support_days):
    return min(_annual(plan), _in(support_days))


# --------------------------------------------------------------------------- the rule


def test_the_rule_is_the_earliest_of_the_dates_it_has():
    a, b = dt.date(2027, 3, 1), dt.date(2027, 1, 5)
    assert next_review.earliest_review(a, b) == b
    assert next_review.earliest_review(None, a) == a
    assert next_review.earliest_review(a, None) == a
    assert next_review.earliest_review(None, None) is None


def test_an_overdue_support_review_is_still_the_next_review(senco, plan):
    """A review date already past has not been held: it stays the next review (overdue)."""
    cycle = issued_cycle(plan.pupil, senco.user, review_in_days=SOONER)
    SupportCycle.objects.filter(pk=cycle.pk).update(review_date=_in(-3))
    next_review.pupil_next_review_sync(pupil=plan.pupil)
    assert _due(plan.pupil) == _in(-3)


# --------------------------------------------------------------------------- support plan writers


@pytest.mark.parametrize("support_days", [SOONER, LATER])
def test_issuing_a_support_plan_keeps_the_earliest(senco, plan, support_days):
    cycle = open_cycle(plan.pupil, senco.user)
    services.cycle_update(cycle=cycle, data={"review_date": _in(support_days)})
    add_outcome(cycle)
    _spoil(plan.pupil)
    services.plan_issue(cycle=cycle, by=senco.user)
    assert _due(plan.pupil) == _earliest(plan, support_days)


@pytest.mark.parametrize("support_days", [SOONER, LATER])
def test_changing_the_review_date_keeps_the_earliest(senco, plan, support_days):
    cycle = open_cycle(plan.pupil, senco.user)
    _spoil(plan.pupil)
    services.cycle_update(cycle=cycle, data={"review_date": _in(support_days)})
    assert _due(plan.pupil) == _earliest(plan, support_days)


def test_a_later_support_plan_date_does_not_hide_the_annual_review(senco, plan):
    """Issue 4: the reported defect, through the pages the SENCO uses."""
    cycle = open_cycle(plan.pupil, senco.user)
    add_outcome(cycle)
    client = client_for(senco)
    client.post(
        reverse("reviews:cycle_settings", args=[cycle.public_id]),
        {"review_date": _in(LATER).isoformat()},
    )
    assert _due(plan.pupil) == _annual(plan)
    client.post(reverse("reviews:plan_issue_version", args=[cycle.public_id]))
    cycle.refresh_from_db()
    assert cycle.status == SupportCycle.Status.ISSUED
    assert _due(plan.pupil) == _annual(plan)


def test_a_new_date_on_the_settings_page_moves_the_next_review(senco, taught_pupil):
    """The page's form sets the new date on the cycle before the service sees it: the service
    compares with the stored date, so the pupil's next review moves and a fresh reminder can go
    (it did neither before)."""
    cycle = issued_cycle(taught_pupil, senco.user, review_in_days=LATER)
    SupportCycle.objects.filter(pk=cycle.pk).update(reminder_sent_for=cycle.review_date)
    response = client_for(senco).post(
        reverse("reviews:cycle_settings", args=[cycle.public_id]),
        {"review_date": _in(SOONER).isoformat()},
    )
    assert response.status_code == 302
    cycle.refresh_from_db()
    assert cycle.review_date == _in(SOONER) and cycle.reminder_sent_for is None
    assert _due(taught_pupil) == _in(SOONER)


@pytest.mark.parametrize("support_days", [SOONER, LATER])
def test_a_review_that_opens_the_next_cycle_keeps_the_earliest(senco, plan, support_days):
    cycle = issued_cycle(plan.pupil, senco.user, review_in_days=5)
    _spoil(plan.pupil)
    _close(cycle, senco.user, next_date=_in(support_days))
    assert SupportCycle.objects.filter(pupil=plan.pupil).open().get().number == 2
    assert _due(plan.pupil) == _earliest(plan, support_days)


def test_a_review_that_opens_a_cycle_with_no_date_leaves_the_annual_review(senco, plan):
    cycle = issued_cycle(plan.pupil, senco.user, review_in_days=5)
    _spoil(plan.pupil)
    _close(cycle, senco.user, next_date=None)
    assert _due(plan.pupil) == _annual(plan)


def test_a_review_that_ends_support_leaves_the_annual_review(senco, plan):
    """The reviewed (closed) cycle's date counts for nothing once no cycle follows it."""
    cycle = issued_cycle(plan.pupil, senco.user, review_in_days=5)
    _spoil(plan.pupil)
    _close(cycle, senco.user, step=Review.NextStep.LEAVE)
    assert _due(plan.pupil) == _annual(plan)


def test_without_a_plan_a_reviewed_last_cycle_leaves_no_next_review(senco, taught_pupil):
    cycle = issued_cycle(taught_pupil, senco.user)
    _close(cycle, senco.user, step=Review.NextStep.LEAVE)
    assert _due(taught_pupil) is None


def test_ending_the_cycle_off_the_register_leaves_the_annual_review(senco, plan):
    issued_cycle(plan.pupil, senco.user, review_in_days=SOONER)
    assert _due(plan.pupil) == _in(SOONER)
    _spoil(plan.pupil)
    pupil_services.status_decision_record(
        pupil=plan.pupil,
        to_status="M",
        decided_on=_today(),
        reason="Needs met by the plan's provision",
        evidence="Annual review",
        decided_by="SENCO",
        parents_informed=False,
        parents_informed_on=None,
        by=senco.user,
    )
    assert not SupportCycle.objects.filter(pupil=plan.pupil).open().exists()
    assert _due(plan.pupil) == _annual(plan)


# --------------------------------------------------------------------------- EHC writers


@pytest.mark.parametrize("support_days", [SOONER, LATER])
def test_issuing_an_ehc_plan_keeps_the_earliest(school, senco, support_days):
    pupil = PupilFactory(school=school, sen_status="K")
    NeedFactory(pupil=pupil)
    issued_cycle(pupil, senco.user, review_in_days=support_days)
    draft = EhcPlanFactory(pupil=pupil, status=EhcPlan.Status.DRAFT, issued_on=None)
    issued_on = add_months(_in(60), -12)
    _spoil(pupil)
    plan = services_ehc.ehc_plan_issue(plan=draft, issued_on=issued_on, by=senco.user)
    assert _due(pupil) == _earliest(plan, support_days)


@pytest.mark.parametrize("support_days", [SOONER, LATER])
def test_an_amended_plan_issued_keeps_the_earliest(senco, plan, support_days):
    issued_cycle(plan.pupil, senco.user, review_in_days=support_days)
    draft = services_ehc.ehc_plan_amend(plan=plan, by=senco.user)
    _spoil(plan.pupil)
    services_ehc.ehc_plan_issue(plan=draft, issued_on=_today(), by=senco.user)
    assert _due(plan.pupil) == _earliest(plan, support_days)  # the clock runs from the first


def test_recording_an_annual_review_does_not_hide_a_sooner_support_review(senco, plan):
    """Issue 5, through the pages: the review meeting restarts the 12 months, but the support
    plan's review is sooner, so it stays the next review."""
    issued_cycle(plan.pupil, senco.user, review_in_days=SOONER)
    client = client_for(senco)
    response = client.post(reverse("reviews:review_new", args=[plan.public_id]))
    assert _due(plan.pupil) == _in(SOONER)
    meeting = _in(-1)
    _spoil(plan.pupil)
    response = client.post(response.url, {"meeting_on": meeting.isoformat()})
    assert response.status_code == 302
    assert _due(plan.pupil) == _in(SOONER)


def test_recording_an_annual_review_moves_the_date_when_it_is_the_sooner(senco, plan):
    issued_cycle(plan.pupil, senco.user, review_in_days=LATER * 4)
    review = AnnualReviewFactory(plan=plan, last_review_on=None)
    form = forms_ehc.AnnualReviewForm(
        {"meeting_on": _in(-1).isoformat()},
        instance=review,
        profile=forms_ehc.profile_for_plan(plan),
    )
    assert form.is_valid(), form.errors
    _spoil(plan.pupil)
    services_ehc.annual_review_save(form=form)
    # Held, the LA's decision awaited: the next 12 months start with the meeting.
    assert _due(plan.pupil) == min(review_period_end(_in(-1), 12), _in(LATER * 4))


@pytest.mark.parametrize("with_cycle", [True, False])
def test_a_ceased_plan_counts_for_nothing(senco, plan, with_cycle):
    if with_cycle:
        issued_cycle(plan.pupil, senco.user, review_in_days=LATER)
    _spoil(plan.pupil)
    services_ehc.ehc_plan_cease(plan=plan, ceased_on=_today(), reason="Needs met", by=senco.user)
    assert _due(plan.pupil) == (_in(LATER) if with_cycle else None)


def test_a_draft_or_superseded_plan_counts_for_nothing(school, senco):
    pupil = PupilFactory(school=school, sen_status="K")
    EhcPlanFactory(pupil=pupil, status=EhcPlan.Status.SUPERSEDED, issued_on=_in(-300))
    EhcPlanFactory(pupil=pupil, version=2, status=EhcPlan.Status.DRAFT, issued_on=None)
    cycle = issued_cycle(pupil, senco.user, review_in_days=LATER)
    assert _due(pupil) == cycle.review_date


# --------------------------------------------------------------------------- readers agree


def test_register_filter_and_dashboard_follow_the_earliest(senco, school):
    """Due in four weeks: the dashboard counts and the register's "review due by" lists the
    pupil whose annual review is soon though their support plan review is months away."""
    soon = _plan_due_in(school, 10)
    soon.pupil.last_name = "Annualsoon"
    soon.pupil.save()
    issued_cycle(soon.pupil, senco.user, review_in_days=LATER)
    later = _plan_due_in(school, LATER)
    later.pupil.last_name = "Bothlater"
    later.pupil.save()
    issued_cycle(later.pupil, senco.user, review_in_days=LATER + 10)
    assert _due(soon.pupil) == _annual(soon) <= _in(28)
    by = _in(28).isoformat()
    page = client_for(senco).get(
        reverse("pupils:register"), {"review_from": _today().isoformat(), "review_before": by}
    )
    listed = page.content.decode()
    assert "Annualsoon" in listed and "Bothlater" not in listed
    assert reviews_due(school, _today()) == {"overdue": 0, "due_soon": 1}


def test_the_sync_costs_the_same_queries_however_long_the_history(
    senco, plan, django_assert_num_queries
):
    issued_cycle(plan.pupil, senco.user, review_in_days=SOONER)
    for months in (1, 2, 3):
        AnnualReviewFactory(plan=plan, kind=AnnualReview.Kind.INTERIM, meeting_on=_in(-months))
    # open cycles' dates, plans in force, their pupils' annual reviews, the update
    with django_assert_num_queries(4):
        next_review.pupil_next_review_sync(pupil=plan.pupil)
    assert _due(plan.pupil) == _in(SOONER)


def test_the_bulk_sync_writes_only_what_changed(school, senco, plan):
    issued_cycle(plan.pupil, senco.user, review_in_days=LATER)
    other = PupilFactory(school=school, sen_status="K")
    issued_cycle(other, senco.user, review_in_days=SOONER)
    _spoil(plan.pupil)
    assert next_review.pupils_next_review_sync(pupils=Pupil.objects.all()) == 1
    assert _due(plan.pupil) == _annual(plan) and _due(other) == _in(SOONER)
    assert next_review.pupils_next_review_sync(pupils=Pupil.objects.all()) == 0


@pytest.mark.parametrize(
    "support_days, kind",
    [(SOONER, "(support plan review)"), (LATER, "(EHC plan annual review)")],
)
def test_the_support_plans_page_says_which_review_is_next(senco, plan, support_days, kind):
    issued_cycle(plan.pupil, senco.user, review_in_days=support_days)
    page = client_for(senco).get(reverse("reviews:pupil_cycles", args=[plan.pupil.public_id]))
    text = page.content.decode()
    due = _earliest(plan, support_days)
    assert f"Next review due <strong>{due:%-d %b %Y}</strong>" in text
    assert f'<span id="next-review-kind">{kind}</span>' in text


def test_the_support_plans_page_of_a_plan_with_no_cycle_names_the_annual_review(senco, plan):
    next_review.pupil_next_review_sync(pupil=plan.pupil)
    page = client_for(senco).get(reverse("reviews:pupil_cycles", args=[plan.pupil.public_id]))
    assert "(EHC plan annual review)" in page.content.decode()


# --------------------------------------------------------------------------- the profile's card


def _card(senco, pupil) -> str:
    """The next review badge on the profile's summary card."""
    text = client_for(senco).get(reverse("pupils:detail", args=[pupil.public_id])).content.decode()
    start = text.index('id="next-review">') + len('id="next-review">')
    return text[start : text.index("</span>", start)]


@pytest.mark.parametrize(
    "support_days, kind",
    [(SOONER, "support plan review"), (LATER, "EHC plan annual review")],
)
def test_the_profile_card_says_which_review_is_next(senco, plan, support_days, kind):
    issued_cycle(plan.pupil, senco.user, review_in_days=support_days)
    due = _earliest(plan, support_days)
    assert _card(senco, plan.pupil) == f"Next review {due:%-d %b %Y} ({kind})"


def test_the_profile_card_of_a_plan_with_no_cycle_names_the_annual_review(senco, plan):
    next_review.pupil_next_review_sync(pupil=plan.pupil)
    assert (
        _card(senco, plan.pupil)
        == f"Next review {_annual(plan):%-d %b %Y} (EHC plan annual review)"
    )


def test_the_profile_card_says_an_overdue_support_plan_review_is_overdue(senco, plan):
    cycle = issued_cycle(plan.pupil, senco.user, review_in_days=SOONER)
    SupportCycle.objects.filter(pk=cycle.pk).update(review_date=_in(-3))
    next_review.pupil_next_review_sync(pupil=plan.pupil)
    assert _card(senco, plan.pupil) == f"Support plan review overdue: due {_in(-3):%-d %b %Y}"


def test_the_profile_card_says_an_overdue_annual_review_is_overdue(school, senco):
    late = _plan_due_in(school, -20)
    issued_cycle(late.pupil, senco.user, review_in_days=LATER)
    assert _due(late.pupil) == _annual(late) < _today()
    assert (
        _card(senco, late.pupil) == f"EHC plan annual review overdue: due {_annual(late):%-d %b %Y}"
    )


def test_the_profile_card_kind_costs_no_query(senco, plan, monkeypatch, django_assert_num_queries):
    """The kind comes from the cycles the profile loads for its chronology and card."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from pupils import hooks

    issued_cycle(plan.pupil, senco.user, review_in_days=SOONER)
    client = client_for(senco)
    url = reverse("pupils:detail", args=[plan.pupil.public_id])
    client.get(url)  # warm the session
    with monkeypatch.context() as patch:
        patch.setattr(hooks, "next_review_kinds", [])
        with CaptureQueriesContext(connection) as without:
            assert "(support plan review)" not in client.get(url).content.decode()
    with django_assert_num_queries(len(without)):
        assert "(support plan review)" in client.get(url).content.decode()
