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
