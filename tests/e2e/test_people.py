"""Browser: the head adds a teacher from the staff accounts page; the teacher gets the
set-password email."""

from django.core import mail

from sencoweb.models import Membership
from tests.e2e.conftest import assert_accessible, screenshot


def test_head_adds_a_teacher(head, senco, teacher, school, sign_in, page):
    page = sign_in("head", to="/people/")
    page.wait_for_selector("#members")
    page.click("#add-member")
    page.wait_for_selector("#add-member-form")
    page.fill("#id_email", "priya.shah@oakfield.sch.uk")
    page.fill("#id_first_name", "Priya")
    page.fill("#id_last_name", "Shah")
    page.select_option("#id_role", "teacher")
    page.fill("#id_job_title", "Year 4 teacher")
    assert_accessible(page)
    screenshot(page, "people-add")
    page.click("#save")
    page.wait_for_selector("text=Added Priya Shah (user name priya.shah) as Teacher.")
    row = page.inner_text("#members")
    assert "priya.shah@oakfield.sch.uk" in row and "Year 4 teacher" in row
    assert "Password not set yet" in row
    assert_accessible(page)
    screenshot(page, "people-list")
    membership = Membership.objects.get(user__username="priya.shah", school=school)
    assert membership.role == "teacher"
    assert len(mail.outbox) == 1 and "/accounts/reset/" in mail.outbox[0].body
