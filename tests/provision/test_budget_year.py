"""The budget page's ?year= (its Previous and Next year buttons): a year out of the calendar's
range shows the current financial year, not a server error."""

import pytest
from django.urls import reverse

from tests.helpers import client_for

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("year", ["99999", "10000", "9999", "0", "-5", "abc"])
def test_a_year_out_of_range_shows_the_current_one(senco, year):
    client = client_for(senco)
    current = client.get(reverse("provision:budget")).context["s"]["label"]
    response = client.get(reverse("provision:budget") + f"?year={year}")
    assert response.status_code == 200
    assert response.context["s"]["label"] == current
    edit = client.get(reverse("provision:budget_edit") + f"?year={year}")
    assert edit.status_code == 200


def test_an_ordinary_year_is_kept(senco):
    response = client_for(senco).get(reverse("provision:budget") + "?year=2024")
    assert response.context["s"]["label"] == "Apr 2024 to Mar 2025"
