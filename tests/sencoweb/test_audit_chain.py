import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from sencoweb.management.commands.verify_audit import verify_chain
from sencoweb.models import AuditEvent, append_audit_event


def _events(n):
    return [
        append_audit_event(username=f"u{i}", action="view", summary=f"event {i}") for i in range(n)
    ]


def test_chain_verifies(db):
    _events(5)
    assert verify_chain() == (5, None)
    call_command("verify_audit")


def test_rows_cannot_be_changed_or_deleted_through_the_app(db):
    event = _events(1)[0]
    event.summary = "changed"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.update(summary="x")


def test_tampering_with_sql_is_detected(db):
    events = _events(4)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE sencoweb_auditevent SET summary = 'nothing to see' WHERE id = %s",
            [events[1].pk],
        )
    count, problem = verify_chain()
    assert count == 1 and "altered" in problem
    with pytest.raises(CommandError):
        call_command("verify_audit")


def test_deleting_a_row_is_detected(db):
    events = _events(4)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM sencoweb_auditevent WHERE id = %s", [events[2].pk])
    assert "removed" in verify_chain()[1]


def test_deleting_the_newest_row_is_detected(db):
    events = _events(3)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM sencoweb_auditevent WHERE id = %s", [events[-1].pk])
    assert "newest" in verify_chain()[1]
