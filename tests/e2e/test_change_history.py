"""Browser: the SENCO changes a pupil's one-page profile and reads who changed it, from what, to
what, on the pupil's change history."""

import pytest

from pupils.models import Pupil
from sencoweb.history import record_baselines
from tests.factories import PupilFactory

from .conftest import assert_accessible, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def test_senco_reads_the_change_history_of_a_profile(sign_in, live_server, senco, school):
    (pupil,) = Pupil.objects.bulk_create(
        [PupilFactory.build(school=school, sen_status="K", what_helps="Short instructions")]
    )
    record_baselines()
    page = sign_in("senco", to=f"/pupils/{pupil.public_id}/")
    page.click("#edit-profile")
    page.fill("#id_what_helps", "A visual timetable on the desk")
    page.locator("form button[type=submit]").last.click()
    page.wait_for_selector("#record-changes")
    page.click("#record-changes")
    page.wait_for_selector("#changes")
    page.locator("#changes details summary").first.click()
    text = page.inner_text("#changes")
    assert "What helps me" in text
    assert "Short instructions" in text and "A visual timetable on the desk" in text
    assert senco.user.get_full_name() in text
    assert "1 record that already existed" in page.inner_text("#history-began")
    screenshot(page, "pupil-change-history")
    assert_accessible(page)
