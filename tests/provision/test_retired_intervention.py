"""A group of an intervention since retired from the catalogue can still be edited: its own
intervention stays a choice on its form (it was left out, so saving the group was refused with
'Select a valid choice'). New groups offer only interventions in use."""

import pytest
from django.urls import reverse

from tests.helpers import client_for

from .factories import GroupFactory, InterventionFactory, group_form_data

pytestmark = pytest.mark.django_db


def test_group_of_a_retired_intervention_can_be_saved(school, senco, ta):
    retired = InterventionFactory(school=school, name="Old phonics", is_active=False)
    group = GroupFactory(school=school, staff=ta, intervention=retired)
    client = client_for(senco)
    url = reverse("provision:group_edit", args=[group.public_id])
    assert "Old phonics" in client.get(url).content.decode()
    data = group_form_data(
        school, ta, intervention=retired.pk, place="Room 2",
        starts_on=group.starts_on.isoformat(), ends_on=group.ends_on.isoformat(),
    )  # fmt: skip
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    group.refresh_from_db()
    assert group.place == "Room 2" and group.intervention == retired


def test_new_groups_offer_only_interventions_in_use(school, senco):
    InterventionFactory(school=school, name="Old phonics", is_active=False)
    InterventionFactory(school=school, name="Fresh Start")
    html = client_for(senco).get(reverse("provision:group_new")).content.decode()
    assert "Fresh Start" in html and "Old phonics" not in html
