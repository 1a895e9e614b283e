"""Small helpers shared by view tests."""

from django.test import Client

from sencoweb.middleware import SESSION_SCHOOL_KEY


def client_for(membership) -> Client:
    """A test client signed in as this member, working in this member's school."""
    client = Client()
    client.force_login(membership.user)
    session = client.session
    session[SESSION_SCHOOL_KEY] = membership.school_id
    session.save()
    return client


def audit_queries() -> int:
    """The statements that append one audit row: one on PostgreSQL (a single statement,
    sencoweb.models._append_sql); elsewhere five (savepoint, chain head, insert, head update,
    release). Query-count pins add this to the page's own count."""
    from django.db import connection

    return 1 if connection.vendor == "postgresql" else 5
