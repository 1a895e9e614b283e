"""Someone who has only the password of an account with two-factor sign-in must not be able to
change that password before entering a code: that would let a stolen password take the account
over and shut its owner out."""

from django.contrib.auth import get_user_model
from django.urls import reverse

from tests.factories import PASSWORD
from tests.helpers import client_for

from .test_two_factor import _enrol, _sign_in

NEW_PASSWORD = "a-brand-new-passphrase-2031"


def test_password_change_waits_for_the_second_factor(client, senco):
    _enrol(client_for(senco), senco.user)
    _sign_in(client, senco.user.username)  # password only: the code is still owed

    page = client.get(reverse("password_change"))
    assert page.status_code == 302
    assert page["Location"].startswith(reverse("two_factor_verify"))

    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("two_factor_verify"))
    user = get_user_model().objects.get(pk=senco.user.pk)
    assert user.check_password(PASSWORD) and not user.check_password(NEW_PASSWORD)


def test_a_user_enrolling_may_still_change_their_password(settings, senco):
    """Before any device exists (REQUIRE_2FA sends them to enrol), the password page stays open:
    a new member of staff may want to replace a password they were given."""
    settings.REQUIRE_2FA = True
    client = client_for(senco)
    assert client.get(reverse("password_change")).status_code == 200
