"""The pupil's change history: field-level changes of the record and the records kept with it,
for the SENCO and head only, another school's pupil a 404, every view audited."""

import pytest
from django.urls import reverse
from django.utils.html import escape

from pupils.models import Contact
from sencoweb.models import AuditEvent
from tests.helpers import client_for

pytestmark = pytest.mark.django_db


def _url(pupil):
    return reverse("pupils:changes", args=[pupil.public_id])


def test_changes_made_in_the_app_show_who_what_from_and_to(senco, head, taught_pupil):
    client = client_for(senco)
    client.post(
        reverse("pupils:profile_edit", args=[taught_pupil.public_id]),
        {"about_me": "I love drawing dragons.", "strengths": "Kind to others"},
    )
    contact = Contact.objects.create(pupil=taught_pupil, name="Grace Okafor", relationship="Mother")
    contact.phone = "07700 900123"
    contact.save()
    page = client_for(head).get(_url(taught_pupil)).content.decode()
    assert "Parent or carer: Grace Okafor" in page
    assert "07700 900123" in page and "(blank)" in page
    assert "About me" in page and "I love drawing dragons." in page
    assert escape(senco.user.get_full_name()) in page  # the profile was changed by the SENCO
    assert AuditEvent.objects.filter(
        pupil_id=taught_pupil.public_id, summary__startswith="Viewed the change history"
    ).exists()
    profile = client_for(senco).get(reverse("pupils:detail", args=[taught_pupil.public_id]))
    assert _url(taught_pupil) in profile.content.decode()


@pytest.mark.parametrize("who", ["teacher", "ta", "governor", "trustlead"])
def test_other_roles_are_refused(who, cast, taught_pupil):
    response = client_for(cast[who]).get(_url(taught_pupil))
    assert response.status_code in (403, 404)
    profile = client_for(cast[who]).get(reverse("pupils:detail", args=[taught_pupil.public_id]))
    assert _url(taught_pupil) not in profile.content.decode()


def test_another_schools_pupil_is_a_404(outsider, taught_pupil):
    assert client_for(outsider).get(_url(taught_pupil)).status_code == 404


def test_records_from_before_the_history_began_are_one_line(senco, taught_pupil):
    from sencoweb.history import record_baselines

    Contact.history.all().delete()
    Contact.objects.bulk_create(
        [Contact(pupil=taught_pupil, name=n, relationship="Carer") for n in ("Ann", "Bo")]
    )
    record_baselines()
    page = client_for(senco).get(_url(taught_pupil)).content.decode()
    assert 'id="history-began"' in page and "Parent or carer: Ann" in page
    assert "History began</span>" not in page  # not a line per record
