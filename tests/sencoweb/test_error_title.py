"""A page whose form came back with errors says so first: its title starts 'Error: ' (on staff
pages and the public contribution forms); other pages, and the same form unsent, do not."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from reviews import services
from tests.helpers import client_for
from tests.reviews.cycle_helpers import issued_cycle

pytestmark = pytest.mark.django_db


def _title(response) -> str:
    return re.search(r"<title>(.*?)</title>", response.content.decode(), re.S).group(1).strip()


def test_staff_form_with_errors_is_titled_error(teacher, taught_pupil):
    client = client_for(teacher)
    url = reverse("pupils:concern_new")
    assert not _title(client.get(url)).startswith("Error")
    response = client.post(url, {"pupil": "", "description": ""})
    assert response.status_code in (200, 422)
    assert _title(response).startswith("Error: Raise a concern")
    assert not _title(client.get(reverse("home"))).startswith("Error")


def test_public_contribution_form_with_errors_is_titled_error(senco, taught_pupil):
    cycle = issued_cycle(taught_pupil, senco.user)
    _, token = services.contribution_link_create(
        cycle=cycle, kind="pupil", recipient_name="Amara", by=senco.user
    )
    url = reverse("reviews:contribute", args=[token])
    assert not _title(Client().get(url)).startswith("Error")
    assert _title(Client().post(url, {"helps": ""})).startswith("Error: All about me")
