"""The SEN budget page's top-up candidates follow the school's top-up threshold as the SENCO sets
it on the school settings page (sencoweb: School.top_up_threshold, £6,000 by default)."""

import re

import pytest
from django.urls import reverse

from tests.factories import PupilFactory
from tests.helpers import client_for
from tests.sencoweb.test_school_settings import _settings_data

from .factories import GroupFactory, InterventionFactory, enrol

pytestmark = pytest.mark.django_db


def _candidates(client) -> list[str]:
    page = client.get(reverse("provision:budget")).content.decode()
    table = re.search(r'<table[^>]*id="topup-candidates".*?</table>', page, re.S).group(0)
    return re.findall(r'<a href="/provision/pupils/[^"]+/">([^<]+)</a>', table)


def test_candidates_follow_the_threshold_set_on_the_settings_page(senco, school, ta):
    pupil = PupilFactory(school=school, sen_status="K", first_name="Dev", last_name="Rao")
    # A few weeks of 30-minute sessions for Dev alone: well under £6,000, over £50.
    group = GroupFactory(
        school=school,
        staff=ta,
        intervention=InterventionFactory(school=school, group_size=1),
        exclusive_to=pupil,
    )
    enrol(group, pupil)
    client = client_for(senco)
    assert _candidates(client) == []

    saved = client.post(reverse("school:settings"), _settings_data(school, top_up_threshold="50"))
    assert saved.status_code == 302
    assert _candidates(client) == [pupil.display_name]
    page = client.get(reverse("provision:budget")).content.decode()
    assert "planned support above £50 this year" in page

    school.refresh_from_db()
    client.post(reverse("school:settings"), _settings_data(school, top_up_threshold="6000"))
    assert _candidates(client) == []
