"""The audit trail page: a school's own events plus its staff's sign-ins, and nothing of
another school's."""

import pytest
from django.test import Client
from django.urls import reverse

from sencoweb.models import AuditEvent, append_audit_event
from tests.helpers import client_for

pytestmark = pytest.mark.django_db


def _trail(member, **params):
    response = client_for(member).get(reverse("audit_log"), params)
    assert response.status_code == 200
    return response.content.decode()


def test_staff_sign_ins_and_failed_sign_ins_are_on_their_schools_trail(
    senco, head, outsider, password
):
    assert Client().login(username="senco", password=password)
    Client().post(reverse("login"), {"username": "senco", "password": "wrong"})
    Client().post(reverse("login"), {"username": "nobody-here", "password": "wrong"})
    assert Client().login(username="outsider", password=password)
    signed_in = AuditEvent.objects.filter(action=AuditEvent.Action.SIGN_IN)
    assert set(signed_in.values_list("school", flat=True)) == {None}  # kept without a school

    page = _trail(head, action=AuditEvent.Action.SIGN_IN)
    assert ">senco<" in page and ">outsider<" not in page
    failed = _trail(head, action=AuditEvent.Action.SIGN_IN_FAILED)
    assert ">senco<" in failed and "nobody-here" not in failed
    # The other school sees its own SENCO's sign-in and nothing of this school's.
    theirs = _trail(outsider)
    assert ">outsider<" in theirs and ">senco<" not in theirs


def test_other_schools_events_stay_out_and_the_export_matches(senco, outsider, school):
    append_audit_event(
        school=school, user=senco.user, username="senco", action="view", summary="Here"
    )
    append_audit_event(
        school=outsider.school, user=outsider.user, username="outsider", action="view",
        summary="Over there",
    )  # fmt: skip
    page = _trail(senco)
    assert "Here" in page and "Over there" not in page
    export = client_for(senco).get(reverse("audit_log"), {"format": "csv"})
    body = b"".join(export.streaming_content if export.streaming else [export.content])
    assert b"Here" in body and b"Over there" not in body
