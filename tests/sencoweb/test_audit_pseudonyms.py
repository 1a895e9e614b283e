"""Audit rows outlive the records they are about (they cannot be changed: the hash chain shows
it), so they name a pupil by random id, never by name: the trail shows the name while the
record exists, and says the record was destroyed once retention has removed it."""

import pytest
from django.urls import reverse

from pupils.models import Pupil
from sencoweb.models import AuditEvent
from tests.factories import PupilFactory
from tests.helpers import client_for

pytestmark = pytest.mark.django_db


def test_no_pupil_name_is_stored_in_the_audit_trail(senco, school):
    pupil = PupilFactory(school=school, first_name="Zanele", last_name="Quartermaine")
    client = client_for(senco)
    client.get(reverse("pupils:detail", args=[pupil.public_id]))
    event = AuditEvent.objects.filter(pupil_id=pupil.public_id).latest("id")
    assert event.summary == "Viewed the profile of [pupil]"
    stored = " ".join(AuditEvent.objects.values_list("summary", flat=True))
    assert "Quartermaine" not in stored

    page = client.get(reverse("audit_log")).content.decode()
    assert "Viewed the profile of Zanele Quartermaine" in page
    export = client.get(reverse("audit_log"), {"format": "csv"}).content.decode()
    assert "Viewed the profile of Zanele Quartermaine" in export


def test_after_destruction_the_trail_shows_no_name(senco, school):
    pupil = PupilFactory(school=school, first_name="Zanele", last_name="Quartermaine")
    client = client_for(senco)
    client.get(reverse("pupils:detail", args=[pupil.public_id]))
    Pupil.objects.filter(pk=pupil.pk).delete()  # as the retention command does
    page = client.get(reverse("audit_log")).content.decode()
    assert "Quartermaine" not in page
    assert "Viewed the profile of [a pupil whose record was destroyed]" in page
