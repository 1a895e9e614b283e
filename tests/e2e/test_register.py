"""Browser journeys: the SENCO puts a pupil on the register; a teacher raises a concern."""

import datetime as dt

from pupils.models import Concern
from tests.e2e.conftest import assert_accessible, screenshot
from tests.factories import NeedFactory, PupilFactory


def test_senco_adds_a_pupil_to_the_register(senco, school, class_group, sign_in, page, live_server):
    pupil = PupilFactory(school=school, first_name="Maisie", last_name="O'Connor", sen_status="N")
    pupil.teaching_groups.add(class_group)
    other = PupilFactory(school=school, last_name="Ahmed", sen_status="K")
    NeedFactory(pupil=other, sen_type="ASD")
    # The pupil is not on the register yet: the register's search finds them all the same.
    sign_in("senco", to="/pupils/register/")
    page.fill("#id_q", "o'connor")
    page.click("#apply-filters")
    page.click("#not-on-register >> text=O'Connor, Maisie")
    page.wait_for_selector("#pupil-name")
    page.click("#add-need")
    page.select_option("#id_sen_type", "SLCN")
    page.fill("#id_description", "Difficulty following spoken instructions <b>in class</b>")
    page.click("#submit")
    page.wait_for_selector("text=Need added")
    page.click("#change-status")
    page.select_option("#id_to_status", "K")
    page.fill("#id_reason", "Two terms of targeted support; still well below peers.")
    page.fill("#id_evidence", "SALT screener, teacher assessment")
    page.check("#id_parents_informed")
    page.fill("#id_parents_informed_on", dt.date.today().isoformat())
    assert_accessible(page)
    screenshot(page, "register-decision-form")
    page.click("#submit")
    page.wait_for_selector("#pupil-status")
    assert page.inner_text("#pupil-status") == "K"
    assert "Speech, language and communication needs" in page.inner_text("#active-needs")
    assert "SEN support (K)" in page.inner_text("#history")
    assert "<b>in class</b>" in page.inner_text("#chronology")  # shown as text, not markup
    assert_accessible(page)
    screenshot(page, "register-profile")
    page.goto(f"{live_server.url}/pupils/register/")
    table = page.inner_text("#register-table")
    assert "O'Connor" in table and "Ahmed" in table
    page.select_option("#id_primary_need", "SLCN")
    page.click("#apply-filters")
    page.wait_for_selector("#register-table")
    assert "Ahmed" not in page.inner_text("#register-table")
    assert_accessible(page)
    screenshot(page, "register-list")


def test_teacher_raises_a_concern(teacher, senco, taught_pupil, sign_in, page):
    taught_pupil.what_helps = "Visual timetable and a quiet start"
    taught_pupil.save()
    sign_in("teacher", to="/pupils/my-classes/")
    assert "Visual timetable" in page.inner_text("main")
    screenshot(page, "register-my-classes")
    page.click(f"text={taught_pupil.display_name}")
    page.click("text=Raise a concern")
    page.select_option("#id_area", "SEMH")
    page.fill("#id_what_seen", "Has become withdrawn at break times over the last month.")
    page.check("#id_parents_aware")
    assert_accessible(page)
    page.click("#submit")
    page.wait_for_selector("text=the SENCO has been told")
    assert_accessible(page)
    screenshot(page, "register-concern-raised")
    concern = Concern.objects.get(pupil=taught_pupil)
    assert concern.raised_by == teacher.user and concern.area == "SEMH" and concern.parents_aware


def test_senco_archives_a_pupil_who_moved_school_then_records_the_file_sent(
    senco, school, sign_in, page
):
    pupil = PupilFactory(school=school, first_name="Ruby", last_name="Marsh", sen_status="K")
    NeedFactory(pupil=pupil, sen_type="SLCN")
    sign_in("senco", to=f"/pupils/{pupil.public_id}/")
    page.click("text=Pupil has left")
    page.check("#id_left_for_0")  # moved to another school
    page.fill("#id_destination", "Elm High (URN 100001)")
    assert_accessible(page)
    screenshot(page, "register-pupil-has-left")
    page.click("#submit")
    page.wait_for_selector("#archived-note")
    note = page.inner_text("#archived-note")
    assert "not recorded as sent" in note and "date of birth + 31 years" in note
    # Read only: no way to add to or change the record, but the leaving details.
    main = page.inner_text("main")
    for offer in ("Add contact", "Log contact", "Edit", "Change status", "Add a need"):
        assert offer not in main, offer
    assert_accessible(page)
    screenshot(page, "register-archived-profile")
    page.click("#leaving-details")
    sent = dt.date.today() - dt.timedelta(days=3)
    page.fill("#id_file_sent_on", sent.isoformat())
    page.click("#submit")
    page.wait_for_selector("#archived-note")
    assert f"SEN file transferred to Elm High (URN 100001) on {sent:%-d %b %Y}" in page.inner_text(
        "#archived-note"
    )
    # Kept 90 days after the transfer was done: the pupil left today, after the file went.
    kept = dt.date.today() + dt.timedelta(days=90)
    assert f"until {kept:%-d %B %Y}" in page.inner_text("main")
