"""Every page that shows one pupil's record, and every download, leaves an audit row naming
the pupil (DESIGN.md: "Every read of a pupil record, every download and every write leaves an
audit row"). Generic over the URL patterns, like the access matrix."""

import pytest
from django.urls import reverse

from sencoweb.models import AuditEvent
from tests.helpers import client_for

from . import url_fixtures as fx
from .test_url_matrix import ROUTES, declaration

# Pupil pages whose opening is not audited as a read, with the reason. A new page that shows a
# pupil's record fails this test until it audits the read or is listed here.
_BLANK_FORM = "a blank form for a new record: the save is audited"
_EDIT_FORM = "an edit form: the save is audited, opening it is not (the lead may want both)"
NOT_A_READ: dict[str, str] = {
    "pupils:decision_new": _BLANK_FORM,
    "pupils:need_add": _BLANK_FORM,
    "pupils:contact_new": _BLANK_FORM,
    "pupils:liaison_add": _BLANK_FORM,
    "pupils:involvement_new": _BLANK_FORM,
    "pupils:document_upload": _BLANK_FORM,
    "pupils:access_new": _BLANK_FORM,
    "reviews:outcome_add": _BLANK_FORM,
    "reviews:request_new": _BLANK_FORM,
    "reviews:plan_top_up_new": _BLANK_FORM,
    "pupils:archive": "a confirmation form: the archiving is audited",
    "pupils:need_end": "a confirmation form: ending the need is audited",
    "reviews:plan_cease": "a confirmation form: recording the cessation is audited",
    "provision:enrolment": _EDIT_FORM,
    "reviews:cycle_assess": _EDIT_FORM,
    "reviews:cycle_settings": _EDIT_FORM,
    "reviews:outcome_edit": _EDIT_FORM,
    "reviews:cycle_review": _EDIT_FORM,
}

PUPIL_KWARGS = {
    "pupil_id",
    "need_id",
    "concern_id",
    "contact_id",
    "entry_id",
    "involvement_id",
    "document_id",
    "arrangement_id",
    "enrolment_id",
    "cycle_id",
    "outcome_id",
    "request_id",
    "plan_id",
    "review_id",
    "link_id",
}

PUPIL_ROUTES = [
    r
    for r in ROUTES
    if set(r.kwargs) & PUPIL_KWARGS
    and declaration(r) is not None
    and declaration(r)[0] != "public"
    and all(k in fx.FACTORIES for k in r.kwargs)
    and r.name not in NOT_A_READ
]


@pytest.mark.parametrize("route", PUPIL_ROUTES, ids=[r.name for r in PUPIL_ROUTES])
def test_opening_a_pupil_record_is_audited(route, matrix_cast):
    values = {k: fx.FACTORIES[k].make(matrix_cast) for k in route.kwargs}
    url = reverse(route.name, kwargs=values)
    client = client_for(matrix_cast.senco)
    before = AuditEvent.objects.filter(pupil_id=matrix_cast.pupil.public_id).count()
    response = client.get(url)
    if response.status_code != 200:
        pytest.skip(f"GET gives {response.status_code}: not a page that shows the record")
    after = AuditEvent.objects.filter(pupil_id=matrix_cast.pupil.public_id).count()
    assert after > before, (
        f"{route.name} ({url}) showed a pupil's record without an audit row: call "
        "sencoweb.access.audit(request, 'view', obj, pupil=pupil) in the view"
    )
