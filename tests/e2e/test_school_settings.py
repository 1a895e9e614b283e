"""Browser: the SENCO sets the school's suppression threshold (refused first when too low) and
its top-up threshold (refused first when negative), and adds a term with its half term."""

import datetime as dt

from sencoweb.models import AuditEvent, Term
from tests.e2e.conftest import assert_accessible, screenshot


def test_senco_sets_the_threshold_and_adds_a_term(senco, school, sign_in, page):
    sign_in("senco", to="/school/settings/")
    page.wait_for_selector("#school-settings")
    assert school.urn in page.inner_text("#school-urn")
    page.fill("#id_suppression_threshold", "1")
    page.click("#save")
    page.wait_for_selector("text=1 is too low")
    assert_accessible(page)
    screenshot(page, "school-settings-refused")
    page.fill("#id_suppression_threshold", "10")
    page.click("#save")
    page.wait_for_selector("text=School settings saved.")
    assert_accessible(page)
    screenshot(page, "school-settings-saved")
    school.refresh_from_db()
    assert school.suppression_threshold == 10

    page.fill("#id_top_up_threshold", "-5")
    page.click("#save")
    page.wait_for_selector("#error_1_id_top_up_threshold")
    assert "cannot be negative" in page.inner_text("#error_1_id_top_up_threshold")
    assert page.title().startswith("Error: ")
    assert page.evaluate("document.activeElement.id") == "id_top_up_threshold"
    assert_accessible(page)
    screenshot(page, "school-settings-top-up-refused")
    page.fill("#id_top_up_threshold", "7000")
    page.click("#save")
    page.wait_for_selector("text=School settings saved.")
    school.refresh_from_db()
    assert school.top_up_threshold == 7000
    page.goto(page.url.replace("/school/settings/", "/provision/budget/"))
    assert "planned support above £7,000 this year" in page.inner_text("main")
    page.go_back()

    page.get_by_role("link", name="Term dates").click()
    page.wait_for_selector("#no-terms")
    page.click("#add-term")
    page.select_option("#id_name", "autumn")
    page.fill("#id_starts_on", "2026-09-02")
    page.fill("#id_ends_on", "2026-12-18")
    page.fill("#id_half_term_starts", "2026-12-21")
    page.fill("#id_half_term_ends", "2026-12-23")
    page.click("#save-term")
    page.wait_for_selector("text=must start inside the term")
    assert_accessible(page)
    screenshot(page, "school-term-refused")
    page.fill("#id_half_term_starts", "2026-10-26")
    page.fill("#id_half_term_ends", "2026-10-30")
    page.click("#save-term")
    page.wait_for_selector("text=Added the Autumn 2026/27 term.")
    assert "School year 2026/27" in page.inner_text("main")
    assert_accessible(page)
    screenshot(page, "school-terms")
    term = Term.objects.get(school=school)
    assert (term.starts_on, term.half_term_ends) == (dt.date(2026, 9, 2), dt.date(2026, 10, 30))
    assert AuditEvent.objects.filter(action="create", object_type="sencoweb.Term").exists()
