"""The EHC demo seed: every E pupil has an issued plan, reviews and requests at every stage."""

import datetime as dt

import pytest

from pupils import hooks
from reviews import demo_ehc
from reviews import selectors_ehc as sel
from reviews.models import AnnualReview, EhcPlan, EhcRequest
from sencoweb.demo import DemoContext
from tests.factories import PupilFactory, SchoolFactory

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 22)


def test_seed_covers_every_stage_and_is_idempotent():
    school = SchoolFactory(phase="primary")
    e_pupils = [PupilFactory(school=school, sen_status="E", nc_year="4") for _ in range(9)]
    for _ in range(10):
        PupilFactory(school=school, sen_status="K")
    ctx = DemoContext(seed=1, today=TODAY, password_hash="", schools=[school])
    demo_ehc.seed(ctx)
    demo_ehc.seed(ctx)  # second run adds nothing
    assert all(hooks.has_ehc_plan(p) for p in e_pupils)
    assert EhcPlan.objects.filter(status="superseded").count() == 1
    assert EhcPlan.objects.filter(status="issued").count() == 9
    stages = {r.stage for r in EhcRequest.objects.all()}
    # ... and each plan came from a request, closed when the final plan was issued.
    assert stages == {"awaiting", "assessing", "draft", "refused", "not_issuing", "final"}
    rows = sel.deadline_rows(
        plans=sel.plans_in_force(schools=[school]),
        requests=sel.open_requests(schools=[school]),
        profiles=sel.rule_profiles(schools=[school]),
        today=TODAY,
    )
    statuses = {(r.subject, str(r.status(TODAY))) for r in rows}
    assert ("Annual review", "overdue") in statuses
    assert ("Annual review", "due_soon") in statuses
    assert ("EHC needs assessment", "overdue") in statuses
    assert any(
        r.subject == "Phase transfer" and r.deadline.due == dt.date(2027, 2, 14) for r in rows
    )
    keys = {r.deadline.key for r in rows if r.status(TODAY) == "overdue"}
    assert {"review_report", "la_decision", "review_due"} <= keys
    assert AnnualReview.objects.filter(
        la_outcome="amend", final_amended_plan_on__isnull=True
    ).exists()


def test_demo_moves_to_e_no_earlier_than_the_plan_was_issued(senco):
    from pupils.models import StatusDecision

    school = SchoolFactory(phase="primary")
    pupils = [PupilFactory(school=school, sen_status="E", nc_year="4") for _ in range(9)]
    for pupil in pupils:  # as the register's demo does: a move to E dated long ago
        StatusDecision.objects.create(
            pupil=pupil, decided_on=dt.date(2019, 9, 1), from_status="K", to_status="E",
            reason="EHC plan", decided_by="SENCO", parents_informed=True,
            parents_informed_on=dt.date(2019, 9, 4), recorded_by=senco.user,
        )  # fmt: skip
    demo_ehc.seed(DemoContext(seed=1, today=TODAY, password_hash="", schools=[school]))
    for plan in EhcPlan.objects.filter(status="issued").select_related("pupil"):
        decision = StatusDecision.objects.get(pupil=plan.pupil, to_status="E")
        first = plan.first_issued_on or plan.issued_on
        assert decision.decided_on >= first
        assert decision.parents_informed_on <= TODAY
        plan.pupil.refresh_from_db()
        assert plan.pupil.sen_status_since == decision.decided_on


@pytest.mark.parametrize("today", [TODAY + dt.timedelta(days=n) for n in range(7)])
def test_demo_annual_review_meetings_fall_on_weekdays(today):
    school = SchoolFactory(phase="primary")
    for _ in range(9):
        PupilFactory(school=school, sen_status="E", nc_year="4")
    demo_ehc.seed(DemoContext(seed=1, today=today, password_hash="", schools=[school]))
    meetings = [r.meeting_on for r in AnnualReview.objects.exclude(meeting_on=None)]
    assert meetings and all(day.weekday() < 5 for day in meetings)


# A Sunday and a Monday, so dates snapped to weekdays are checked both ways.
@pytest.mark.parametrize("today", [dt.date(2026, 11, 29), dt.date(2026, 11, 30)])
def test_seeded_demo_tells_each_plan_in_the_order_it_happened(db, today):
    """For every pupil with a plan: on SEN support (K) before the needs assessment request, the
    request before the plan (issued within its 20 weeks), E on or soon after the issue date
    (DOMAIN.md 2.2: never before the plan exists), annual reviews within the 12 months the
    engine allows, and nothing that has happened dated after today. (The demo once dated
    plans months or years before the pupil was even put on SEN support.)"""
    from django.core.management import call_command

    from pupils.models import Need, StatusDecision
    from reviews.deadlines import review_period_end

    call_command("seed_demo", "--pupils", "300", "--today", today.isoformat(), "--seed", "5")
    firsts = list(
        EhcPlan.objects.filter(version=1).select_related("pupil", "request").order_by("pk")
    )
    assert len(firsts) >= 15
    decisions = {}
    for d in StatusDecision.objects.order_by("decided_on", "pk"):
        decisions.setdefault(d.pupil_id, []).append(d)
    needs = {}
    for need in Need.objects.filter(rank=1):
        needs[need.pupil_id] = need
    for plan in firsts:
        pupil, issued, request = plan.pupil, plan.first_issued_on, plan.request
        who = f"{pupil} ({plan.school_id}): plan issued {issued}"
        assert issued == plan.issued_on and issued < today, who
        path = [(d.from_status, d.to_status) for d in decisions.get(pupil.pk, [])]
        assert path == [("N", "K"), ("K", "E")], who
        to_k, to_e = decisions[pupil.pk]
        assert request is not None and request.pupil_id == pupil.pk, who
        assert request.stage == EhcRequest.Stage.FINAL and request.final_issued_on == issued
        request.deadlines()  # the engine accepts the order of its dates
        assert issued <= request.received_on + dt.timedelta(weeks=20), who
        assert pupil.date_of_birth + dt.timedelta(days=2 * 365) < to_k.decided_on, who
        assert to_k.decided_on < request.received_on, f"{who}, K {to_k.decided_on}"
        assert issued <= to_e.decided_on <= issued + dt.timedelta(weeks=4), f"{who}, E {to_e}"
        assert to_e.decided_on <= today and pupil.sen_status_since == to_e.decided_on, who
        for d in (to_k, to_e):
            assert d.decided_on <= d.parents_informed_on <= today, who
        assert pupil.date_parents_notified <= today, who
        assert needs[pupil.pk].starts_on <= request.received_on, who
    plans = {p.pk: p for p in EhcPlan.objects.all()}
    reviews = list(AnnualReview.objects.all())
    assert reviews
    for review in reviews:
        first = plans[review.plan_id].first_issued_on
        base = review.last_review_on or first
        if review.last_review_on:
            assert first < review.last_review_on <= review_period_end(first), review.pk
        if review.meeting_on:
            assert base < review.meeting_on <= review_period_end(base), review.pk
        for field in ("advice_requested_on", "invitations_sent_on", "meeting_on",
                      "report_sent_on", "la_decision_on", "final_amended_plan_on"):  # fmt: skip
            value = getattr(review, field)
            assert value is None or base < value <= today, (review.pk, field, value)
    for plan in plans.values():
        if plan.version > 1:
            assert plans[plan.previous_id].first_issued_on == plan.first_issued_on
            assert plan.first_issued_on < plan.issued_on <= today
