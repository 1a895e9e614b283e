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


def test_a_row_holds_what_was_given_and_its_hash_follows(db, django_assert_num_queries):
    """Accents, a detail dict, an address, no user: the stored row hashes to what was written
    (on PostgreSQL the hash is worked out in SQL, sencoweb.models._append_sql)."""
    append_audit_event(username="first", action="view")
    detail = {"zeta": 1, "alpha": ["Zoë", None], "nested": {"b": "£6,000", "a": True}}
    expected = 1 if connection.vendor == "postgresql" else 5  # one statement, or a transaction
    with django_assert_num_queries(expected):
        event = append_audit_event(
            username="Siân O’Connor", action="export", summary="Élodie’s register — 3 rows",
            ip_address="2001:db8::1", path="/register/?q=é", detail=detail,
        )  # fmt: skip
    stored = AuditEvent.objects.get(pk=event.pk)
    assert (stored.summary, stored.detail, stored.ip_address) == (
        "Élodie’s register — 3 rows",
        detail,
        "2001:db8::1",
    )
    assert stored.row_hash == event.row_hash == stored.compute_hash()
    assert verify_chain() == (2, None)


@pytest.mark.django_db(transaction=True)
def test_writers_in_parallel_build_one_unbroken_chain():
    """Web and worker processes append at once: the head is locked, so no two rows claim the
    same predecessor."""
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connections

    if connection.vendor != "postgresql":
        pytest.skip("SQLite (make run) has one writer at a time; production is PostgreSQL")

    def write(n):
        try:
            for i in range(10):
                append_audit_event(username=f"w{n}", action="view", summary=f"{n}.{i}")
        finally:
            connections.close_all()

    append_audit_event(username="first", action="view")
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(write, range(4)))
    assert verify_chain() == (41, None)
