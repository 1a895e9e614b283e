"""Browser: the SENCO deletes a parent contact entered by mistake from the pupil's profile, and
sets the school's review settings from the Plans and reviews menu."""

from pupils.models import Contact
from reviews.models import ReviewSettings
from sencoweb.models import AuditEvent
from tests.e2e.conftest import assert_accessible, screenshot


def test_senco_deletes_a_contact_from_the_profile(senco, taught_pupil, sign_in, page):
    Contact.objects.create(pupil=taught_pupil, name="Ada Keep", relationship="Mother")
    mistake = Contact.objects.create(
        pupil=taught_pupil, name="Grace Mistake", relationship="Aunt", phone="07700 900123"
    )
    sign_in("senco", to=f"/pupils/{taught_pupil.public_id}/")
    assert "Grace Mistake" in page.inner_text("#family")
    page.get_by_role("link", name="Delete Grace Mistake").click()
    page.wait_for_selector("#confirm-delete")
    assert "07700 900123" in page.inner_text("#delete-details")
    assert "edit the contact instead" in page.inner_text("main")
    assert_accessible(page)
    screenshot(page, "pupil-contact-delete-confirm")
    page.click("#confirm-delete")
    page.wait_for_selector("text=Deleted parent or carer: Grace Mistake (Aunt).")
    family = page.inner_text("#family")
    assert "Grace Mistake" not in family and "Ada Keep" in family
    assert page.url.endswith("#family")
    assert_accessible(page)
    screenshot(page, "pupil-contact-deleted")
    assert not Contact.objects.filter(pk=mistake.pk).exists()
    assert AuditEvent.objects.filter(action="delete", object_id=str(mistake.public_id)).exists()


def test_senco_sets_review_settings_from_the_menu(senco, school, sign_in, page):
    sign_in("senco")
    page.get_by_role("button", name="Plans and reviews").click()
    page.get_by_role("link", name="Review settings").click()
    page.wait_for_selector("#review-settings")
    page.check("#id_teachers_may_edit")
    page.fill("#id_link_days", "21")
    assert_accessible(page)
    screenshot(page, "review-settings")
    page.click("#save")
    page.wait_for_selector("text=Review settings saved.")
    saved = ReviewSettings.for_school(school)
    assert saved.teachers_may_edit and saved.link_days == 21
