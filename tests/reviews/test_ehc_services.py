"""EHC services and selectors: versioned amendments, phase transfer, reminders, section F link
point, and the engine's dates for a demo case."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail

from reviews import selectors_ehc as sel
from reviews import services_ehc as services
from reviews.models import EhcPlan, EhcReminderSent, LaRuleProfile
from tests.factories import MembershipFactory

from .ehc_factories import (
    AnnualReviewFactory,
    EhcPlanFactory,
    EhcRequestFactory,
    ProvisionItemFactory,
)

pytestmark = pytest.mark.django_db


def test_amendment_is_a_new_version_and_records_the_review(senco):
    plan = EhcPlanFactory(pupil__school=senco.school, issued_on=dt.date(2025, 10, 6))
    ProvisionItemFactory(plan=plan)
    review = AnnualReviewFactory(
        plan=plan,
        meeting_on=dt.date(2026, 9, 28),
        la_decision_on=dt.date(2026, 10, 20),
        la_outcome="amend",
        amendment_proposals_on=dt.date(2026, 10, 20),
    )
    draft = services.ehc_plan_amend(plan=plan, by=senco.user)
    assert draft.version == 2 and draft.is_draft
    assert draft.provision_items.count() == 1
    assert services.ehc_plan_amend(plan=plan, by=senco.user) == draft, "one draft at a time"
    services.ehc_plan_issue(plan=draft, issued_on=dt.date(2026, 12, 1), by=senco.user)
    plan.refresh_from_db()
    draft.refresh_from_db()
    review.refresh_from_db()
    assert plan.status == EhcPlan.Status.SUPERSEDED
    assert draft.status == EhcPlan.Status.ISSUED and draft.previous == plan
    # The 12-month clock keeps running from the first plan and the last review, not the amendment.
    assert draft.first_issued_on == dt.date(2025, 10, 6)
    assert review.final_amended_plan_on == dt.date(2026, 12, 1) and review.is_complete
    draft.pupil.refresh_from_db()
    assert draft.pupil.next_review_due == dt.date(2027, 9, 27)  # the 12 months from 28 Sept


def test_cannot_issue_before_the_plan_it_replaces(senco):
    plan = EhcPlanFactory(pupil__school=senco.school, issued_on=dt.date(2026, 3, 1))
    draft = services.ehc_plan_amend(plan=plan, by=senco.user)
    with pytest.raises(ValueError, match="cannot be issued before"):
        services.ehc_plan_issue(plan=draft, issued_on=dt.date(2026, 2, 1), by=senco.user)


def test_demo_case_dates_come_from_the_engine(school):
    """Plan issued Mon 12 Jan 2026; Bristol asks for the report within 10 days; meeting
    Wed 2 Dec 2026; the LA decides to amend."""
    LaRuleProfile.objects.create(
        school=school, la_code="801", la_name="Bristol", report_to_la_days=10
    )
    plan = EhcPlanFactory(pupil__school=school, issued_on=dt.date(2026, 1, 12))
    AnnualReviewFactory(plan=plan, meeting_on=dt.date(2026, 12, 2), la_outcome="amend")
    plans = list(sel.plans_in_force(schools=[school]))
    rows = sel.deadline_rows(
        plans=plans,
        requests=[],
        profiles=sel.rule_profiles(schools=[school]),
        today=dt.date(2026, 11, 22),
    )
    due = {row.deadline.key: row.deadline.due for row in rows}
    assert due["review_report"] == dt.date(2026, 12, 16)  # 2 weeks, statutory
    assert due["review_report_la"] == dt.date(2026, 12, 12)  # Bristol's 10 days
    assert due["la_decision"] == dt.date(2026, 12, 30)
    assert due["final_amended_plan"] == dt.date(2027, 2, 24)  # proposals due 30 Dec + 8 weeks


def test_request_deadlines_stop_after_a_refusal(school):
    refused = EhcRequestFactory(
        pupil__school=school, decision_to_assess_on=dt.date(2026, 10, 20), decided_to_assess=False
    )
    assert [d.key for d in refused.deadlines()] == ["decision_to_assess"]
    assert refused.stage == "refused"
    assert list(sel.open_requests(schools=[school])) == []


@pytest.mark.parametrize(
    "nc_year, override, expected",
    [
        ("6", "", (2027, False)),
        ("11", "", (2027, True)),
        ("N2", "", (2027, False)),
        ("N1", "", None),  # moves up to N2: no phase transfer
        ("4", "", None),
        ("6", "none", None),
        ("2", "school", (2027, False)),
    ],
)
def test_phase_transfer_from_year_group_with_override(school, nc_year, override, expected):
    plan = EhcPlanFactory(pupil__school=school, pupil__nc_year=nc_year, phase_transfer=override)
    assert sel.phase_transfer_of(plan, today=dt.date(2026, 11, 22)) == expected


@pytest.mark.parametrize("phase", ["middle", "all_through", "special"])
def test_year_6_who_stays_on_has_no_automatic_transfer(phase):
    plan = EhcPlanFactory(pupil__school__phase=phase, pupil__nc_year="6")
    assert sel.phase_transfer_of(plan, today=dt.date(2026, 11, 22)) is None
    plan.phase_transfer = EhcPlan.Transfer.SCHOOL  # the SENCO says this pupil moves
    assert sel.phase_transfer_of(plan, today=dt.date(2026, 11, 22)) == (2027, False)


def test_year_6_transfer_deadline_is_14_february(school):
    plan = EhcPlanFactory(pupil__school=school, pupil__nc_year="6")
    deadlines = sel.transfer_deadlines(plan, [], today=dt.date(2026, 11, 22))
    assert {d.key: d.due for d in deadlines}["phase_transfer"] == dt.date(2027, 2, 14)


def test_reminders_are_sent_once(senco, teacher):
    senco.user.email = "senco@example.org"
    senco.user.save()
    plan = EhcPlanFactory(pupil__school=senco.school, issued_on=dt.date(2025, 12, 1))
    AnnualReviewFactory(plan=plan, meeting_on=dt.date(2026, 11, 20))
    today = dt.date(2026, 11, 22)
    sent = services.deadline_reminders_send(today=today)
    assert sent >= 1 and len(mail.outbox) == sent
    assert all(m.to == ["senco@example.org"] for m in mail.outbox), "teachers get no EHC emails"
    assert plan.pupil.last_name not in mail.outbox[0].subject
    assert services.deadline_reminders_send(today=today) == 0
    assert EhcReminderSent.objects.count() == sent


def test_reminder_task_runs(senco):
    from reviews.tasks_ehc import send_ehc_deadline_reminders

    assert send_ehc_deadline_reminders.delay().get() == 0


def test_section_f_without_provision_delivery(school):
    plan = EhcPlanFactory(pupil__school=school)
    ProvisionItemFactory(plan=plan, hours_per_week=Decimal("2.5"))
    ProvisionItemFactory(plan=plan, hours_per_week=Decimal("1"))
    result = sel.section_f_vs_delivery(plan, today=dt.date(2026, 11, 22))
    assert result["specified_per_week"] == Decimal("3.5")


def test_shared_membership_factory(school):
    # A second school membership does not leak plans into the first school's overview.
    MembershipFactory(school=school, role="senco")
    assert list(sel.plans_in_force(schools=[school])) == []


def test_ehc_events_appear_on_the_chronology(school):
    from pupils import hooks

    plan = EhcPlanFactory(pupil__school=school, issued_on=dt.date(2026, 1, 12))
    EhcRequestFactory(pupil=plan.pupil, received_on=dt.date(2025, 9, 1))
    AnnualReviewFactory(plan=plan, meeting_on=dt.date(2026, 11, 2), la_outcome="maintain")
    entries = [e for source in hooks.chronology_sources for e in source(plan.pupil)]
    titles = {e.title for e in entries}
    assert {"EHC plan issued", "Annual review meeting"} <= titles
    assert any(t.startswith("EHC needs assessment requested") for t in titles)
