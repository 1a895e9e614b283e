"""Browser journeys: the SENCO records an EHC plan and issues it, then completes an annual
review with the LA's decision; the deadlines page lists what is due."""

import datetime as dt

import pytest

from pupils import hooks
from reviews.models import AnnualReview, EhcPlan
from tests.e2e.conftest import assert_accessible, screenshot
from tests.reviews.ehc_factories import EhcPlanFactory


@pytest.fixture
def ehc_pupil(taught_pupil):
    return taught_pupil


def test_senco_records_and_issues_a_plan(senco, ehc_pupil, sign_in, page):
    sign_in("senco", to=f"/reviews/ehc/pupil/{ehc_pupil.public_id}/")
    page.click("#record-plan")
    page.wait_for_selector("#plan-form")
    page.fill("#id_la_case_officer", "J. Whitfield")
    page.fill("#id_section_a", "Amara loves drawing and wants to be a vet.")
    page.fill("#id_section_b", "Language disorder affecting understanding and expression.")
    page.select_option("#id_outcomes-0-area", "CI")
    page.fill(
        "#id_outcomes-0-outcome", "Will follow two-step instructions in class without prompts"
    )
    page.fill("#id_outcomes-0-by_when", "July 2027")
    page.fill("#id_provision-0-provision", "Small-group language sessions set by the SALT")
    page.fill("#id_provision-0-hours_per_week", "1.5")
    page.fill("#id_provision-0-frequency", "3 x 30 minutes a week")
    page.fill("#id_provision-0-provided_by", "TA trained by the SALT")
    page.fill("#id_named_setting", "Oakfield Primary")
    page.select_option("#id_budget_type", "direct")
    page.fill("#id_budget_amount", "1200")
    screenshot(page, "ehc-plan-form")
    page.click("#save-plan")
    page.wait_for_selector("#plan-status")
    assert "Draft" in page.inner_text("#plan-status")
    assert_accessible(page)
    page.fill("#id_issued_on", "2026-10-05")
    page.click("#issue-plan")
    page.wait_for_selector("text=Plan issued and in force")
    assert "Issued" in page.inner_text("#plan-status")
    assert "1.5" in page.inner_text("#section-f")
    # The plan's top-up is the budget's record: recorded from the plan's page.
    page.click("#record-top-up")
    page.wait_for_selector("#top-up-form")
    page.fill("#id_band", "C")
    page.fill("#id_amount", "5400")
    page.fill("#id_starts_on", "2026-10-05")
    assert_accessible(page)
    page.click("#save-top-up")
    page.wait_for_selector("text=Top-up funding saved")
    assert "£5,400.00 a year" in page.inner_text("#top-up")
    assert "5 Oct 2026" in page.inner_text("#top-up")
    screenshot(page, "ehc-plan-issued")
    plan = EhcPlan.objects.get(pupil=ehc_pupil)
    assert plan.status == "issued" and plan.issued_on == dt.date(2026, 10, 5)
    assert hooks.has_ehc_plan(ehc_pupil)
    assert plan.top_ups.get().amount == 5400


def test_senco_completes_an_annual_review(senco, ehc_pupil, sign_in, page):
    # Every date recorded is of something that has happened, so the story is set a year back.
    plan = EhcPlanFactory(pupil=ehc_pupil, school=ehc_pupil.school, issued_on=dt.date(2024, 12, 9))
    sign_in("senco", to=f"/reviews/ehc/pupil/{ehc_pupil.public_id}/")
    # Review due 8 Dec 2025 (the 12 months starting 9 Dec 2024), shown with how late it is.
    assert "Mon 8 Dec 2025" in page.inner_text("main")
    screenshot(page, "ehc-pupil")
    assert_accessible(page)
    page.click("#start-review")
    page.wait_for_selector("#review-form")
    page.fill("#id_advice_requested_on", "2025-10-27")
    page.fill("#id_invitations_sent_on", "2025-11-03")
    page.fill("#id_advice_circulated_on", "2025-11-10")
    page.fill("#id_meeting_on", "2025-11-21")
    page.fill("#id_progress", "Good progress towards outcome 1; outcome 2 needs more time.")
    page.select_option("#id_recommendation", "amend")
    # A report dated before the meeting is refused with the reason next to the field.
    page.fill("#id_report_sent_on", "2025-11-20")
    page.click("#save-review")
    page.wait_for_selector(".invalid-feedback, .field-error, #error_1_id_report_sent_on")
    assert "cannot be before the meeting" in page.inner_text("#review-form")
    screenshot(page, "ehc-review-error")
    page.fill("#id_report_sent_on", "2025-11-28")
    page.fill("#id_la_decision_on", "2025-12-16")
    page.select_option("#id_la_outcome", "amend")
    page.fill("#id_amendment_proposals_on", "2025-12-16")
    page.click("#save-review")
    page.wait_for_selector("text=Review saved")
    table = page.inner_text("main")
    # Report: meeting + 14 days; LA decision: meeting + 4 weeks; final: proposals + 8 weeks.
    assert "Fri 5 Dec 2025" in table
    assert "Fri 19 Dec 2025" in table
    assert "Tue 10 Feb 2026" in table
    screenshot(page, "ehc-review-amending")
    assert_accessible(page)
    review = AnnualReview.objects.get(plan=plan)
    assert review.la_outcome == "amend" and not review.is_complete

    page.goto(page.url.split("/reviews/")[0] + "/reviews/deadlines/")
    assert "Final amended EHC plan issued" in page.inner_text("#deadlines")
    screenshot(page, "ehc-deadlines")
    assert_accessible(page)
