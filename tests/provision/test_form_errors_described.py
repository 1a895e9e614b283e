"""The provision forms tie each field's help and error to it: every id an input names in
aria-describedby is on the page (Django names '<id>_helptext' and '<id>_error'; the template
gave neither an id, so a screen reader read the field without its message)."""

import re

import pytest
from django.urls import reverse

from tests.helpers import client_for

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url_name, data",
    [
        ("provision:qualification", {"qualification": "npq", "previous_senco_months": "-3"}),
        ("provision:topup_new", {"amount": "0", "starts_on": "2026-05-01"}),
        ("provision:intervention_new", {"name": "", "group_size": "0", "measure": "scale"}),
    ],
)
def test_every_described_by_id_is_on_the_page(senco, url_name, data):
    response = client_for(senco).post(reverse(url_name), data)
    assert response.status_code == 422
    html = response.content.decode()
    named = {i for ids in re.findall(r'aria-describedby="([^"]+)"', html) for i in ids.split()}
    assert any(i.endswith("_error") for i in named)
    present = set(re.findall(r'\bid="([^"]+)"', html))
    assert named <= present, named - present
