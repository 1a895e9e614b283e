"""File names in Content-Disposition come from pupils' names: a quote, a semicolon or a letter
outside ASCII must not change the header's meaning (no second filename parameter)."""

from email.message import Message
from email.utils import collapse_rfc2231_value

import pytest
from django.urls import reverse

from tests.helpers import client_for
from tests.reviews.cycle_helpers import issued_cycle

pytestmark = pytest.mark.django_db


def _params(header: str) -> dict:
    message = Message()
    message["Content-Disposition"] = header
    return dict(message.get_params(header="Content-Disposition")[1:])


def test_plan_pdf_file_name_cannot_be_broken_by_the_pupils_name(senco, taught_pupil):
    taught_pupil.first_name = 'Zoë"; filename=evil.html; x="'
    taught_pupil.save()
    cycle = issued_cycle(taught_pupil, senco.user, outcomes=1)
    response = client_for(senco).get(reverse("reports:plan_pdf", args=[cycle.public_id]))
    assert response.status_code == 200
    header = response["Content-Disposition"]
    assert header.startswith("inline;")
    params = _params(header)
    assert set(params) <= {"filename", "filename*"}, header
    name = collapse_rfc2231_value(params.get("filename*") or params["filename"])
    assert name.endswith(f"-{cycle.number}-v1.pdf")
