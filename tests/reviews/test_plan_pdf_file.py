import os

import pytest
from django.urls import reverse

from tests.helpers import client_for

from .cycle_helpers import issued_cycle

pytestmark = pytest.mark.django_db


def test_plan_pdf_renders_every_outcome_and_version(senco, taught_pupil):
    cycle = issued_cycle(taught_pupil, senco.user, outcomes=4)
    response = client_for(senco).get(reverse("reports:plan_pdf", args=[cycle.public_id]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    if os.environ.get("PLAN_PDF_OUT"):
        with open(os.environ["PLAN_PDF_OUT"], "wb") as fh:
            fh.write(response.content)
    missing = client_for(senco).get(
        reverse("reports:plan_pdf", args=[cycle.public_id]) + "?version=9"
    )
    assert missing.status_code == 404
