"""Deleting a contact, an agency involvement or an access arrangement entered by mistake: a
confirmation page, then a POST; SENCO only; another school's record is a 404; audited."""

import datetime as dt

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from pupils.models import (
    AccessArrangement,
    Agency,
    Contact,
    Involvement,
    LiaisonEntry,
    PupilDocument,
)
from sencoweb.models import AuditEvent
from tests.factories import PupilFactory
from tests.helpers import client_for


def _contact(pupil):
    return Contact.objects.create(pupil=pupil, name="Grace Mistake", relationship="Aunt")


def _involvement(pupil):
    agency = Agency.objects.create(school=pupil.school, name="City EP Service", kind="ep")
    return Involvement.objects.create(
        pupil=pupil, agency=agency, referral_date=dt.date(2025, 10, 1)
    )


def _arrangement(pupil, by):
    return AccessArrangement.objects.create(
        pupil=pupil,
        kind="rest",
        route="delegated",
        normal_way_of_working="Takes short breaks in lessons",
        recorded_by=by,
    )


def _record(kind, pupil, senco):
    """(url name, model, record) for each kind of deletable record."""
    if kind == "contact":
        return "pupils:contact_delete", Contact, _contact(pupil)
    if kind == "involvement":
        return "pupils:involvement_delete", Involvement, _involvement(pupil)
    return "pupils:access_delete", AccessArrangement, _arrangement(pupil, senco.user)


KINDS = ["contact", "involvement", "arrangement"]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("senco", 200),
        ("head", 403),
        ("trustlead", 403),
        ("teacher", 403),
        ("ta", 403),
        ("governor", 403),
        ("outsider", 404),
    ],
)
def test_who_may_open_the_confirmation(cast, who, status, kind, taught_pupil):
    name, model, record = _record(kind, taught_pupil, cast["senco"])
    url = reverse(name, args=[taught_pupil.public_id, record.public_id])
    client = client_for(cast[who])
    assert client.get(url).status_code == status
    if who != "senco":
        assert client.post(url).status_code == status
    assert model.objects.filter(pk=record.pk).exists()  # GET never deletes; refusals neither


@pytest.mark.parametrize("kind", KINDS)
def test_senco_confirms_and_the_record_goes(senco, kind, taught_pupil):
    name, model, record = _record(kind, taught_pupil, senco)
    url = reverse(name, args=[taught_pupil.public_id, record.public_id])
    client = client_for(senco)
    page = client.get(url)
    assert page.status_code == 200 and 'id="confirm-delete"' in page.content.decode()
    assert AuditEvent.objects.filter(
        action="view", object_id=str(record.public_id), pupil_id=taught_pupil.public_id
    ).exists()
    response = client.post(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("pupils:detail", args=[taught_pupil.public_id]))
    assert not model.objects.filter(pk=record.pk).exists()
    event = AuditEvent.objects.get(action="delete", object_id=str(record.public_id))
    assert event.pupil_id == taught_pupil.public_id and event.user == senco.user
    assert "entered by mistake" in event.summary
    profile = client.get(reverse("pupils:detail", args=[taught_pupil.public_id]))
    assert profile.status_code == 200  # the profile and chronology still render
    assert str(record.public_id) not in profile.content.decode()


def test_another_pupils_record_is_404(senco, school, taught_pupil):
    other = PupilFactory(school=school)
    contact = _contact(other)
    url = reverse("pupils:contact_delete", args=[taught_pupil.public_id, contact.public_id])
    assert client_for(senco).post(url).status_code == 404
    assert Contact.objects.filter(pk=contact.pk).exists()


def test_delete_is_only_get_or_post(senco, taught_pupil):
    contact = _contact(taught_pupil)
    url = reverse("pupils:contact_delete", args=[taught_pupil.public_id, contact.public_id])
    assert client_for(senco).delete(url).status_code == 405
    assert Contact.objects.filter(pk=contact.pk).exists()


def test_involvement_documents_stay_on_the_pupils_file(senco, taught_pupil):
    involvement = _involvement(taught_pupil)
    document = PupilDocument(
        pupil=taught_pupil,
        involvement=involvement,
        title="EP report March",
        original_name="ep.pdf",
        content_type="application/pdf",
        size=12,
        uploaded_by=senco.user,
    )
    document.file.save("ep.pdf", ContentFile(b"%PDF-1.4 test"), save=False)
    document.save()
    client = client_for(senco)
    url = reverse("pupils:involvement_delete", args=[taught_pupil.public_id, involvement.public_id])
    page = client.get(url).content.decode()
    assert "stay on the pupil&#x27;s file" in page and "EP report March" in page
    assert "When the agency discharges the pupil, update the involvement instead" in page
    assert client.post(url).status_code == 302
    document.refresh_from_db()
    assert document.involvement is None and document.pupil == taught_pupil
    event = AuditEvent.objects.get(action="delete", object_id=str(involvement.public_id))
    assert event.detail == {"kept_unlinked": [str(document.public_id)]}
    profile = client.get(reverse("pupils:detail", args=[taught_pupil.public_id])).content.decode()
    assert "EP report March" in profile and "Referred to City EP Service" not in profile
    download = reverse(
        "pupils:document_download", args=[taught_pupil.public_id, document.public_id]
    )
    assert client.get(download).status_code == 200


def test_liaison_entries_stay_when_their_contact_goes(senco, taught_pupil):
    contact = _contact(taught_pupil)
    entry = LiaisonEntry.objects.create(
        pupil=taught_pupil,
        contact=contact,
        kind="call",
        happened_on=dt.date(2026, 1, 5),
        summary="Discussed reading at home",
        recorded_by=senco.user,
    )
    client = client_for(senco)
    url = reverse("pupils:contact_delete", args=[taught_pupil.public_id, contact.public_id])
    assert "1 liaison log entry names Grace Mistake" in client.get(url).content.decode()
    done = client.post(url, follow=True).content.decode()
    assert "Deleted parent or carer: Grace Mistake (Aunt)." in done
    entry.refresh_from_db()
    assert entry.contact is None
    profile = client.get(reverse("pupils:detail", args=[taught_pupil.public_id])).content.decode()
    assert "Discussed reading at home" in profile and "Grace Mistake" not in profile


def test_a_left_pupils_file_is_kept_as_it_stood(senco, taught_pupil):
    contact = _contact(taught_pupil)
    taught_pupil.archived_at = timezone.now()
    taught_pupil.left_on = timezone.localdate()
    taught_pupil.save()
    client = client_for(senco)
    url = reverse("pupils:contact_delete", args=[taught_pupil.public_id, contact.public_id])
    assert client.post(url).status_code == 403
    assert Contact.objects.filter(pk=contact.pk).exists()
    profile = client.get(reverse("pupils:detail", args=[taught_pupil.public_id])).content.decode()
    assert url not in profile


def test_profile_links_to_each_delete_for_the_senco_only(senco, head, taught_pupil):
    contact = _contact(taught_pupil)
    involvement = _involvement(taught_pupil)
    arrangement = _arrangement(taught_pupil, senco.user)
    urls = [
        reverse("pupils:contact_delete", args=[taught_pupil.public_id, contact.public_id]),
        reverse("pupils:involvement_delete", args=[taught_pupil.public_id, involvement.public_id]),
        reverse("pupils:access_delete", args=[taught_pupil.public_id, arrangement.public_id]),
    ]
    detail = reverse("pupils:detail", args=[taught_pupil.public_id])
    senco_page = client_for(senco).get(detail).content.decode()
    head_page = client_for(head).get(detail).content.decode()
    assert all(u in senco_page for u in urls)
    assert not any(u in head_page for u in urls)


def test_edit_forms_offer_the_delete(senco, taught_pupil):
    contact = _contact(taught_pupil)
    client = client_for(senco)
    edit = client.get(
        reverse("pupils:contact_edit", args=[taught_pupil.public_id, contact.public_id])
    )
    delete = reverse("pupils:contact_delete", args=[taught_pupil.public_id, contact.public_id])
    assert delete in edit.content.decode()
    blank = client.get(reverse("pupils:contact_new", args=[taught_pupil.public_id]))
    assert 'id="delete"' not in blank.content.decode()
