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
    assert stages == {"awaiting", "assessing", "draft", "refused", "not_issuing"}
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
