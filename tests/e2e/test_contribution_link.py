"""Browser: a parent and a pupil give their views through one-off links, with no account."""

from reviews import services
from tests.e2e.conftest import assert_accessible, screenshot


def test_parent_contributes_once_and_senco_sees_it(senco, taught_pupil, page, live_server, sign_in):
    from tests.reviews.cycle_helpers import issued_cycle

    cycle = issued_cycle(taught_pupil, senco.user)
    _, token = services.contribution_link_create(
        cycle=cycle, kind="parent", recipient_name="Mrs Okafor", by=senco.user
    )
    url = f"{live_server.url}/reviews/c/{token}/"
    page.goto(url)
    assert "Your views about Amara" in page.inner_text("h1")
    assert_accessible(page)
    screenshot(page, "contribution-parent")
    page.click("#send")
    assert "field-error" in page.content()  # the first question is needed
    page.fill("#id_going_well", "Amara loves the new reading club.")
    page.click("#send")
    page.wait_for_selector("#thanks")
    screenshot(page, "contribution-thanks")
    page.goto(url)
    assert page.locator("#thanks").is_visible()
    assert "reading club" not in page.content()

    sign_in("senco", to=f"/reviews/cycle/{cycle.public_id}/review/")
    assert "Amara loves the new reading club." in page.inner_text("#contributions")


def test_pupil_form_with_faces(senco, taught_pupil, page, live_server):
    from tests.reviews.cycle_helpers import issued_cycle

    cycle = issued_cycle(taught_pupil, senco.user)
    _, token = services.contribution_link_create(
        cycle=cycle, kind="pupil", recipient_name="Amara", by=senco.user
    )
    page.goto(f"{live_server.url}/reviews/c/{token}/")
    page.click("label[for='id_feel_school_0']")
    page.click("label[for='id_feel_learning_1']")
    page.fill("#id_helps", "When it is quiet")
    assert_accessible(page)
    screenshot(page, "contribution-pupil")
    page.click("#send")
    page.wait_for_selector("#thanks")
    assert page.inner_text("#thanks") == "Thank you, Amara!"
    assert_accessible(page)
    screenshot(page, "contribution-pupil-thanks")


def test_revoked_link_is_refused(senco, taught_pupil, page, live_server):
    from tests.reviews.cycle_helpers import issued_cycle

    cycle = issued_cycle(taught_pupil, senco.user)
    link, token = services.contribution_link_create(
        cycle=cycle, kind="parent", recipient_name="Dad", by=senco.user
    )
    services.contribution_link_revoke(link=link)
    response = page.goto(f"{live_server.url}/reviews/c/{token}/")
    assert response.status == 410
    assert "no longer in use" in page.inner_text("main")
    screenshot(page, "contribution-revoked")


def test_a_link_closes_when_the_pupil_leaves_and_their_plan_is_read_only(
    senco, taught_pupil, page, live_server, sign_in
):
    """The parent opened the form before the pupil left and sends it after: the answers are not
    kept and the page says only that the link is no longer in use. The SENCO finds the plan as it
    stood, with nothing to change and the link shown closed."""
    from django.utils import timezone

    from pupils.services import pupil_archive
    from tests.reviews.cycle_helpers import issued_cycle

    cycle = issued_cycle(taught_pupil, senco.user)
    _, token = services.contribution_link_create(
        cycle=cycle, kind="parent", recipient_name="Mrs Okafor", by=senco.user
    )
    page.goto(f"{live_server.url}/reviews/c/{token}/")
    page.fill("#id_going_well", "Amara loves the new reading club.")
    pupil_archive(pupil=taught_pupil, left_on=timezone.localdate(), left_for="home", by=None)
    page.click("#send")
    page.wait_for_selector("#gone")
    assert page.inner_text("#gone") == "This link is no longer in use"
    assert "Amara" not in page.content()
    assert_accessible(page)
    screenshot(page, "contribution-closed-pupil-left")

    sign_in("senco", to=f"/reviews/cycle/{cycle.public_id}/")
    assert "read only" in page.inner_text("#left-read-only")
    for write in ("#edit-assess", "#add-outcome", "#record-review", "#new-link"):
        assert page.locator(write).count() == 0, write
    assert "Closed" in page.inner_text("#links")
    assert page.inner_text("#no-review") == "No review was held before Amara left."
    assert "reading club" not in page.content()
    assert_accessible(page)
    screenshot(page, "cycle-pupil-left")
