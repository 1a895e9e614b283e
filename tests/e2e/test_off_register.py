"""Browser: the SENCO takes a pupil off the SEN register from the profile. The decision form
warns that the support plan will end (and follows the status chosen), the decision says what
ended, and the plan reads as ended, not reviewed."""

from django.utils import timezone

from reviews import services
from reviews.models import SupportCycle
from tests.e2e.conftest import assert_accessible, screenshot


def test_senco_takes_a_pupil_off_the_register_and_the_plan_ends(
    senco, taught_pupil, sign_in, page, live_server
):
    from tests.reviews.cycle_helpers import issued_cycle

    cycle = issued_cycle(taught_pupil, senco.user, review_in_days=20)
    for name in ("Mrs Okafor", "Mr Okafor"):
        services.contribution_link_create(
            cycle=cycle, kind="parent", recipient_name=name, by=senco.user
        )
    due = f"{cycle.review_date:%-d %b %Y}"
    today = f"{timezone.localdate():%-d %b %Y}"

    page = sign_in("senco", to=f"/pupils/{taught_pupil.public_id}/")
    assert f"review by {due}" in page.inner_text("#plans-provision")
    page.click("#change-status")
    page.wait_for_selector("#id_to_status")
    warning = page.locator("#off-register-warning")
    # The select starts on "Not on the SEN register": the warning shows.
    assert page.input_value("#id_to_status") == "N"
    assert warning.is_visible()
    assert (
        f"Support plan 1 (review due {due}) will end, and 2 contribution links will be revoked."
    ) in warning.inner_text()
    # It follows the status chosen: gone for an EHC plan, back for monitoring.
    page.select_option("#id_to_status", "E")
    assert warning.is_hidden()
    page.select_option("#id_to_status", "M")
    assert warning.is_visible()
    page.select_option("#id_to_status", "N")
    page.fill("#id_reason", "Reading now in line with her class over two terms.")
    assert_accessible(page)
    screenshot(page, "decision-off-register-warning")
    page.click("#submit")

    page.wait_for_selector("text=Amara Okafor: Not on the SEN register.")
    messages = page.inner_text(".messages")
    assert (
        f"Support plan 1 (review due {due}) ended: left the SEN register on {today}; "
        "2 contribution links revoked."
    ) in messages
    assert f"Support plan 1: Ended: left the SEN register on {today}" in page.inner_text(
        "#plans-provision"
    )
    assert "Support plan 1 ended: Left the SEN register" in page.inner_text("#chronology")
    assert "Next review" not in page.inner_text("main")
    screenshot(page, "profile-after-leaving-register")

    page.goto(f"{live_server.url}/reviews/cycle/{cycle.public_id}/")
    assert page.inner_text("#cycle-stage") == f"Ended: left the SEN register on {today}"
    assert "without a review" in page.inner_text("#cycle-ended")
    assert page.locator("#links >> text=Revoked").count() == 2
    assert page.locator("#record-review").count() == 0
    assert_accessible(page)
    screenshot(page, "cycle-ended-off-register")

    page.goto(f"{live_server.url}/reviews/calendar/")
    assert "Okafor" not in page.inner_text("main")
    cycle.refresh_from_db()
    assert cycle.is_ended and cycle.status == SupportCycle.Status.CLOSED
