"""A pupil who has left keeps their support plans and EHC record as they stood: read only."""

from django.urls import reverse
from django.utils import timezone

from reviews.models import Outcome
from tests.helpers import client_for

from .cycle_helpers import open_cycle


def _leave(pupil):
    pupil.archived_at = timezone.now()
    pupil.left_on = timezone.localdate()
    pupil.save()


def test_a_left_pupils_cycle_refuses_changes_with_a_clear_message(senco, taught_pupil):
    taught_pupil.sen_status = "K"
    taught_pupil.save()
    cycle = open_cycle(taught_pupil, senco.user)
    _leave(taught_pupil)
    client = client_for(senco)
    for name, data in [
        ("cycle_assess", {"teacher_assessment": "After leaving"}),
        ("outcome_add", {"area": "CL", "description": "Reads a passage aloud accurately"}),
    ]:
        response = client.post(reverse(f"reviews:{name}", args=[cycle.public_id]), data)
        assert response.status_code == 403, name
        assert "read only" in response.content.decode()
    cycle.refresh_from_db()
    assert cycle.teacher_assessment != "After leaving"
    assert not Outcome.objects.filter(cycle=cycle).exists()
    # Still readable.
    assert client.get(reverse("reviews:cycle_detail", args=[cycle.public_id])).status_code == 200


def test_a_left_pupils_ehc_page_offers_no_new_request_or_plan(senco, taught_pupil):
    url = reverse("reviews:pupil_ehc", args=[taught_pupil.public_id])
    client = client_for(senco)
    request_new = reverse("reviews:request_new", args=[taught_pupil.public_id])
    assert request_new in client.get(url).content.decode()
    _leave(taught_pupil)
    body = client.get(url).content.decode()
    assert request_new not in body and 'id="record-plan"' not in body
