"""Browser: the SENCO plans, issues and reviews a support plan; a teacher sees the strategies."""

import datetime as dt

from django.utils import timezone

from reviews.models import SupportCycle
from tests.e2e.conftest import assert_accessible, screenshot


def test_senco_plans_issues_and_reviews(senco, teacher, taught_pupil, sign_in, page, live_server):
    page = sign_in("senco", to=f"/reviews/pupil/{taught_pupil.public_id}/")
    page.click("#open-cycle-btn")
    page.wait_for_selector("#cycle-stage")
    page.click("#edit-assess")
    page.fill("#id_teacher_assessment", "Reading age 18 months below chronological age.")
    page.fill("#id_pupil_views", "I like reading with a friend.")
    page.click("#save")
    page.click("#add-outcome")
    page.select_option("#id_area", "CL")
    page.fill("#id_description", "Reads 40 high-frequency words by sight")
    page.fill("#id_success_criterion", "40 of 40 on two checks a week apart")
    page.fill("#id_strategies", "Word wall; pre-teach key words before each lesson")
    page.click("#save")
    page.click("#edit-settings")
    due = timezone.localdate()  # due today: always "this week"
    page.fill("#id_review_date", due.isoformat())
    page.click("#save")
    # Opening the form again shows the saved date (a date input shows only ISO values), so
    # saving it unchanged keeps the date rather than erasing it.
    page.click("#edit-settings")
    assert page.input_value("#id_review_date") == due.isoformat()
    page.click("#save")
    page.click("#issue-plan")
    page.wait_for_selector("text=Version 1 of the plan issued")
    assert "Plan issued" in page.inner_text("#cycle-stage")
    assert_accessible(page)
    screenshot(page, "cycle-issued")

    page.goto(f"{live_server.url}/reviews/calendar/")
    assert page.inner_text("#count-week") == "1"
    screenshot(page, "review-calendar")

    cycle = SupportCycle.objects.get(pupil=taught_pupil)
    page.goto(f"{live_server.url}/reviews/cycle/{cycle.public_id}/review/")
    assert page.input_value("#id_meeting_date") == timezone.localdate().isoformat()
    page.fill("#id_attendees", "Mrs Okafor (mum)\nClass teacher\nSENCO")
    page.fill("#id_parent_voice", "Much happier reading at home.")
    outcome = cycle.outcomes.get()
    page.select_option(f"#id_rating_{outcome.public_id.hex}", "partly")
    page.select_option(f"#id_progress_{outcome.public_id.hex}", "1")
    page.check("input[name='next_step'][value='continue']")
    page.fill("#id_next_review_date", (timezone.localdate() + dt.timedelta(weeks=12)).isoformat())
    assert_accessible(page)
    screenshot(page, "review-form")
    page.click("#close-review")
    page.wait_for_selector("text=Review recorded")
    screenshot(page, "cycle-list-after-review")
    nxt = SupportCycle.objects.get(pupil=taught_pupil, number=2)
    assert nxt.outcomes.get().carried_from == outcome


def test_teacher_sees_strategies_on_class_plans(senco, teacher, taught_pupil, sign_in, page):
    from tests.reviews.cycle_helpers import issued_cycle

    issued_cycle(taught_pupil, senco.user)
    page = sign_in("teacher", to="/reviews/class-plans/")
    assert "Pre-teach key words" in page.inner_text("main")
    assert_accessible(page)
    screenshot(page, "class-plans")


def test_a_review_that_ends_sen_support_leads_to_the_decision(senco, taught_pupil, sign_in, page):
    from tests.reviews.cycle_helpers import issued_cycle

    cycle = issued_cycle(taught_pupil, senco.user)
    page = sign_in("senco", to=f"/reviews/cycle/{cycle.public_id}/review/")
    page.fill("#id_attendees", "Mrs Okafor (mum)\nSENCO")
    page.fill("#id_summary", "Reading now in line with her class; no extra provision needed.")
    for outcome in cycle.outcomes.all():
        page.select_option(f"#id_rating_{outcome.public_id.hex}", "achieved")
    page.check("input[name='next_step'][value='leave']")
    page.click("#close-review")
    page.wait_for_selector("#decision-leave")
    assert "Next: Record the decision to remove Amara Okafor" in page.inner_text(".messages")
    assert_accessible(page)
    screenshot(page, "review-closed-leave-register")
    page.click("#decision-leave")
    assert page.input_value("#id_to_status") == "N"
    assert page.input_value("#id_decided_on") == timezone.localdate().isoformat()
    assert "Agreed at the review of support plan 1" in page.input_value("#id_reason")
    assert "no extra provision needed" in page.input_value("#id_evidence")
    screenshot(page, "decision-from-review")
