"""Password rules and lockout after repeated failed sign-ins (django-axes)."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse

from sencoweb.models import AuditEvent
from tests.factories import PASSWORD
from tests.helpers import client_for


@pytest.mark.parametrize(
    "candidate, reason",
    [
        ("short-pw-1", "at least 12 characters"),
        ("password1234", "too common"),
        ("739201846573", "entirely numeric"),
        ("senco@example.org", "too similar"),
    ],
)
def test_weak_passwords_are_refused(senco, candidate, reason):
    with pytest.raises(ValidationError) as err:
        validate_password(candidate, user=senco.user)
    assert reason in " ".join(err.value.messages)


def test_a_long_passphrase_is_accepted(senco):
    validate_password("kettle-orchard-lantern-42", user=senco.user)


def test_password_change_form_shows_the_rule_next_to_the_field(senco):
    client = client_for(senco)
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "short", "new_password2": "short"},
    )
    assert response.status_code == 200
    assert "at least 12 characters" in response.content.decode()


def test_repeated_failed_sign_ins_lock_the_account(client, senco, settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 5
    for _ in range(5):
        response = client.post(reverse("login"), {"username": "senco", "password": "wrong-guess"})
    # Locked now, even with the right password.
    response = client.post(reverse("login"), {"username": "senco", "password": PASSWORD})
    assert response.status_code == 429 or response.status_code == 403
    assert "Too many failed sign-ins" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="sign_in_failed", username="senco").count() >= 5


def test_a_locked_account_does_not_lock_others(client, senco, teacher, settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(4):
        client.post(reverse("login"), {"username": "senco", "password": "wrong-guess"})
    response = client.post(reverse("login"), {"username": "teacher", "password": PASSWORD})
    assert response.status_code == 302


def test_an_idle_session_is_signed_out(senco, settings):
    import time

    from sencoweb.middleware import SESSION_LAST_SEEN_KEY

    settings.SESSION_IDLE_MINUTES = 30
    client = client_for(senco)
    assert client.get("/notifications/").status_code == 200
    session = client.session
    session[SESSION_LAST_SEEN_KEY] = int(time.time()) - 31 * 60
    session.save()
    response = client.get("/notifications/")
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert "_auth_user_id" not in client.session
    assert client.get("/notifications/")["Location"].startswith(reverse("login"))


def test_an_active_session_stays_signed_in(senco, settings):
    import time

    from sencoweb.middleware import SESSION_LAST_SEEN_KEY

    client = client_for(senco)
    client.get("/")
    session = client.session
    session[SESSION_LAST_SEEN_KEY] = int(time.time()) - 29 * 60
    session.save()
    assert client.get("/notifications/").status_code == 200


def test_session_cookie_ends_with_the_browser_and_within_a_day(settings):
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    assert settings.SESSION_COOKIE_AGE <= 12 * 60 * 60
    assert settings.SESSION_COOKIE_HTTPONLY
