"""The import pages: upload -> preview -> confirm, for every role."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from pupils.models import Pupil, StatusDecision
from sencoweb.models import AuditEvent
from tests.helpers import client_for
from tests.pupils.fixtures.builders import FIXTURES, csv_bytes, make_upn, row

IMPORT_PAGES = ["pupils:import", "pupils:import_preview", "pupils:import_done"]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def upload(client, data, name="export.csv"):
    return client.post(reverse("pupils:import"), {"file": SimpleUploadedFile(name, data)})


def pending_files(tmp_path) -> list[Path]:
    folder = tmp_path / "imports"
    return list(folder.iterdir()) if folder.exists() else []


@pytest.mark.parametrize("role", ["teacher", "ta", "head", "governor", "trustlead"])
def test_only_the_senco_may_import(cast, role):
    client = client_for(cast[role])
    for name in IMPORT_PAGES:
        assert client.get(reverse(name)).status_code == 403
    response = upload(client, csv_bytes([row(1)]))
    assert response.status_code == 403
    assert client.post(reverse("pupils:import_confirm"), {"fingerprint": "x"}).status_code == 403
    assert not Pupil.objects.exists()


def test_anonymous_is_sent_to_sign_in(db, client):
    response = client.get(reverse("pupils:import"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_senco_uploads_previews_and_confirms(senco, school, tmp_path):
    client = client_for(senco)
    assert client.get(reverse("pupils:import")).status_code == 200
    response = upload(client, (FIXTURES / "mis_export.csv").read_bytes(), "mis_export.csv")
    assert response.status_code == 302
    assert response["Location"] == reverse("pupils:import_preview")
    assert len(pending_files(tmp_path)) == 1
    assert not Pupil.objects.exists()  # nothing written before the confirmation

    preview = client.get(reverse("pupils:import_preview"))
    assert preview.status_code == 200
    body = preview.content.decode()
    assert "O&#x27;Brien" in body or "O'Brien" in body
    assert "Nguyễn" in body
    assert 'id="count-create">3<' in body
    assert "no EHC plan is recorded here yet" in body
    fingerprint = preview.context["form"].initial["fingerprint"]

    done = client.post(reverse("pupils:import_confirm"), {"fingerprint": fingerprint})
    assert done.status_code == 302 and done["Location"] == reverse("pupils:import_done")
    assert Pupil.objects.filter(school=school).count() == 3
    assert StatusDecision.objects.filter(recorded_by=senco.user).count() == 2
    assert pending_files(tmp_path) == []
    page = client.get(reverse("pupils:import_done"))
    pupil = Pupil.objects.get(upn=make_upn(101))
    assert reverse("pupils:detail", args=[pupil.public_id]) in page.content.decode()
    assert AuditEvent.objects.filter(action="upload").exists()

    # The same file again: the preview says nothing will change and offers no import button.
    upload(client, (FIXTURES / "mis_export.csv").read_bytes(), "mis_export.csv")
    again = client.get(reverse("pupils:import_preview")).content.decode()
    assert 'id="import-nothing"' in again and 'id="import-confirm"' not in again


def test_a_bad_file_lists_every_problem_and_stores_nothing(senco, tmp_path):
    client = client_for(senco)
    data = csv_bytes([row(1), row(2, DOB="31/02/2015"), row(3, **{"Primary need": "XYZ"})])
    response = upload(client, data)
    assert response.status_code == 422
    body = response.content.decode()
    assert "Row 3, Date of birth: &#x27;31/02/2015&#x27; is not a real date" in body
    assert "Row 4, Primary need" in body
    assert "Nothing was imported" in body
    assert pending_files(tmp_path) == []
    assert not Pupil.objects.exists()


def test_wrong_kind_of_file_is_refused_next_to_the_field(senco):
    response = upload(client_for(senco), b"%PDF-1.7", "report.pdf")
    assert response.status_code == 422
    assert "Choose a .csv, .xlsx or .xml file" in response.content.decode()


def test_hostile_xml_upload_is_refused(senco):
    evil = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><CTfile>&a;</CTfile>'
    response = upload(client_for(senco), evil, "evil.xml")
    assert response.status_code == 422
    assert "refused to read it for safety" in response.content.decode()


def test_ctf_upload_preview_shows_the_source_school(senco):
    client = client_for(senco)
    upload(client, (FIXTURES / "ctf_joining.xml").read_bytes(), "ctf.xml")
    body = client.get(reverse("pupils:import_preview")).content.decode()
    assert "St Anne&#x27;s C of E Primary School" in body
    assert "Zoë" in body


def test_cancel_discards_the_pending_file(senco, tmp_path):
    client = client_for(senco)
    upload(client, csv_bytes([row(1)]))
    assert len(pending_files(tmp_path)) == 1
    response = client.post(reverse("pupils:import_cancel"))
    assert response.status_code == 302
    assert pending_files(tmp_path) == []
    assert client.get(reverse("pupils:import_preview")).status_code == 302


def test_a_stale_preview_is_not_applied(senco, school):
    client = client_for(senco)
    upload(client, csv_bytes([row(1)]))
    fingerprint = (
        client.get(reverse("pupils:import_preview")).context["form"].initial["fingerprint"]
    )
    from tests.factories import PupilFactory

    PupilFactory(school=school, upn=make_upn(1), nc_year="2")
    response = client.post(reverse("pupils:import_confirm"), {"fingerprint": fingerprint})
    assert response["Location"] == reverse("pupils:import_preview")
    assert Pupil.objects.get().nc_year == "2"


def test_a_pending_import_cannot_be_confirmed_in_another_school(senco, school, other_school):
    """A SENCO of two schools previews in one and switches: the file is not applied to the
    other school."""
    from sencoweb.middleware import SESSION_SCHOOL_KEY
    from tests.factories import MembershipFactory

    MembershipFactory(user=senco.user, school=other_school, role="senco")
    client = client_for(senco)
    upload(client, csv_bytes([row(1)]))
    fingerprint = (
        client.get(reverse("pupils:import_preview")).context["form"].initial["fingerprint"]
    )
    session = client.session
    session[SESSION_SCHOOL_KEY] = other_school.pk
    session.save()
    response = client.post(reverse("pupils:import_confirm"), {"fingerprint": fingerprint})
    assert response["Location"] == reverse("pupils:import")
    assert not Pupil.objects.exists()


def test_outsider_cannot_import_into_another_school(outsider, school, other_school):
    client = client_for(outsider)
    upload(client, csv_bytes([row(1)]))
    fingerprint = (
        client.get(reverse("pupils:import_preview")).context["form"].initial["fingerprint"]
    )
    client.post(reverse("pupils:import_confirm"), {"fingerprint": fingerprint})
    # The outsider's import lands in their own school only.
    assert not Pupil.objects.filter(school=school).exists()
    assert Pupil.objects.filter(school=other_school).count() == 1


def test_abandoned_previews_are_swept_on_the_next_upload(senco, tmp_path):
    import os
    import time

    old = tmp_path / "imports" / "0b9e1f0e-0000-4000-8000-000000000000"
    old.parent.mkdir(parents=True, exist_ok=True)
    old.write_bytes(b"UPN,Surname")
    two_days_ago = time.time() - 48 * 3600
    os.utime(old, (two_days_ago, two_days_ago))
    upload(client_for(senco), csv_bytes([row(1)]))
    assert not old.exists()
    assert len(pending_files(tmp_path)) == 1
