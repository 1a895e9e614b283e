"""Two-factor sign-in: enrolment, the verify step, recovery codes, enforcement by role, lockout."""

import time

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from sencoweb import twofactor
from sencoweb.models import AuditEvent
from tests.factories import PASSWORD
from tests.helpers import client_for


def code_for(device, ahead=0):
    """The app's code now (ahead=1: the next time step, accepted within the tolerance)."""
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, ahead):06d}"


def _enrol(client, user):
    response = client.get(reverse("two_factor"))
    assert response.status_code == 200
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post(reverse("two_factor"), {"code": code_for(device)})
    assert response.status_code == 200
    device.refresh_from_db()
    return device, response


def _sign_in(client, username, next_path="/"):
    return client.post(
        reverse("login"), {"username": username, "password": PASSWORD, "next": next_path}
    )


def test_enrolment_shows_qr_and_secret_then_ten_codes(senco):
    client = client_for(senco)
    response = client.get(reverse("two_factor"))
    html = response.content.decode()
    assert "<svg" in html and 'id="twofactor-qr"' in html
    assert "<img" not in html.split('id="twofactor-qr"')[1][:200]  # inline, no external image
    device = TOTPDevice.objects.get(user=senco.user, confirmed=False)
    assert response.context["secret_raw"] in html
    # Reloading keeps the same secret, so a slow user's app still matches.
    client.get(reverse("two_factor"))
    assert TOTPDevice.objects.filter(user=senco.user).count() == 1

    device, response = _enrol(client, senco.user)
    assert device.confirmed
    codes = response.context["codes"]
    assert len(codes) == 10 == len(set(codes))
    for code in codes:
        assert code in response.content.decode()
    assert StaticToken.objects.filter(device__user=senco.user).count() == 10
    assert AuditEvent.objects.filter(summary="Turned on two-factor sign-in").exists()
    # The codes are shown once: the status page afterwards does not list them.
    page = client.get(reverse("two_factor")).content.decode()
    assert codes[0] not in page and 'id="twofactor-on"' in page


def test_a_wrong_first_code_is_refused_with_a_message(senco):
    client = client_for(senco)
    client.get(reverse("two_factor"))
    response = client.post(reverse("two_factor"), {"code": "000000"})
    assert response.status_code == 422
    assert "did not match" in response.content.decode()
    assert not TOTPDevice.objects.get(user=senco.user).confirmed


def test_sign_in_asks_for_the_code_after_the_password(client, senco):
    device, _ = _enrol(client_for(senco), senco.user)
    response = _sign_in(client, "senco", "/notifications/")
    assert response.status_code == 302
    # Any page now sends the user to the verify step, keeping where they were going.
    response = client.get("/notifications/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("two_factor_verify"))
    response = client.post(
        reverse("two_factor_verify"), {"code": "123 456", "next": "/notifications/"}
    )
    assert response.status_code == 422
    device.refresh_from_db()
    device.throttle_reset()  # skip the 1-second throttle delay
    response = client.post(
        reverse("two_factor_verify"), {"code": code_for(device, 1), "next": "/notifications/"}
    )
    assert response.status_code == 302 and response["Location"] == "/notifications/"
    assert client.get("/notifications/").status_code == 200


def test_a_recovery_code_works_once(client, senco):
    _, enrolled = _enrol(client_for(senco), senco.user)
    code = enrolled.context["codes"][0]
    _sign_in(client, "senco")
    response = client.post(reverse("two_factor_verify"), {"code": code.upper()})
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    assert StaticToken.objects.filter(device__user=senco.user).count() == 9
    client.post(reverse("logout"))
    _sign_in(client, "senco")
    for device in twofactor._devices(senco.user):
        device.throttle_reset()
    response = client.post(reverse("two_factor_verify"), {"code": code})
    assert response.status_code == 422


def test_open_redirect_is_refused(client, senco):
    _, enrolled = _enrol(client_for(senco), senco.user)
    _sign_in(client, "senco")
    response = client.post(
        reverse("two_factor_verify"),
        {"code": enrolled.context["codes"][1], "next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("home")


@pytest.mark.parametrize("role", ["senco", "head", "trustlead"])
def test_required_roles_must_enrol_before_anything_else(request, settings, role):
    settings.REQUIRE_2FA = True
    member = request.getfixturevalue(role)
    client = client_for(member)
    response = client.get("/notifications/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("two_factor") + "?next=")
    # The enrolment, sign-out, password and health pages stay open.
    assert client.get(reverse("two_factor")).status_code == 200
    assert client.get(reverse("password_change")).status_code == 200
    assert client.get(reverse("healthz")).status_code == 200
    assert client.get("/static/css/app.css").status_code in (200, 404)  # never redirected
    html = client.get(reverse("two_factor")).content.decode()
    assert 'id="twofactor-required"' in html
    _enrol(client, member.user)
    assert client.get("/notifications/").status_code == 200


def test_the_system_administrator_must_enrol_before_the_admin(db, settings, client):
    """A superuser has no school role but reaches every school through Django's admin."""
    from tests.factories import UserFactory

    settings.REQUIRE_2FA = True
    admin = UserFactory(username="sysadmin", is_staff=True, is_superuser=True)
    client.force_login(admin)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("two_factor") + "?next=/admin/")
    _enrol(client, admin)
    assert client.get(reverse("admin:index")).status_code == 200


@pytest.mark.parametrize("role", ["teacher", "ta", "governor"])
def test_other_roles_may_skip_it(request, settings, role):
    settings.REQUIRE_2FA = True
    client = client_for(request.getfixturevalue(role))
    assert client.get("/notifications/").status_code == 200
    assert client.get(reverse("two_factor")).status_code == 200  # but may enrol


def test_not_required_when_the_setting_is_off(settings, senco):
    settings.REQUIRE_2FA = False
    assert client_for(senco).get("/notifications/").status_code == 200


def test_an_optional_user_who_enrolled_must_still_verify(client, teacher):
    _enrol(client_for(teacher), teacher.user)
    _sign_in(client, "teacher")
    response = client.get("/")
    assert response["Location"].startswith(reverse("two_factor_verify"))


def test_repeated_wrong_codes_lock_the_account(client, senco, settings):
    settings.OTP_MAX_FAILURES = 3
    device, _ = _enrol(client_for(senco), senco.user)
    _sign_in(client, "senco")
    for _ in range(3):
        for d in twofactor._devices(senco.user):  # step past the short throttle delays
            d.throttling_failure_timestamp = None
            d.save()
        response = client.post(reverse("two_factor_verify"), {"code": "000000"})
    assert response.status_code == 403
    assert "Too many failed" in response.content.decode()
    # Signed out, and even the right code is refused until the lock expires.
    assert "_auth_user_id" not in client.session
    _sign_in(client, "senco")
    response = client.post(reverse("two_factor_verify"), {"code": code_for(device, 1)})
    assert response.status_code == 403
    assert AuditEvent.objects.filter(action="sign_in_failed", username="senco").count() >= 3


def test_throttle_asks_to_wait_between_quick_guesses(client, senco):
    device, _ = _enrol(client_for(senco), senco.user)
    _sign_in(client, "senco")
    client.post(reverse("two_factor_verify"), {"code": "000000"})
    response = client.post(reverse("two_factor_verify"), {"code": code_for(device, 1)})
    assert "wait a few seconds" in response.content.decode()
    time.sleep(1.1)
    response = client.post(reverse("two_factor_verify"), {"code": code_for(device, 1)})
    assert response.status_code == 302


def test_new_recovery_codes_replace_the_old_ones(senco):
    client = client_for(senco)
    _, enrolled = _enrol(client, senco.user)
    old = set(enrolled.context["codes"])
    response = client.post(reverse("two_factor_recovery_codes"))
    new = set(response.context["codes"])
    assert len(new) == 10 and not old & new
    assert set(StaticToken.objects.values_list("token", flat=True)) == new


def test_turning_it_off_removes_devices(senco):
    client = client_for(senco)
    _enrol(client, senco.user)
    response = client.post(reverse("two_factor_disable"))
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=senco.user).exists()
    assert not StaticToken.objects.filter(device__user=senco.user).exists()


def test_anonymous_users_are_sent_to_sign_in(client, db):
    for name in ("two_factor", "two_factor_verify"):
        response = client.get(reverse(name))
        assert response["Location"].startswith(reverse("login"))


def test_a_session_signed_in_before_a_device_was_added_must_then_verify(teacher):
    """The middleware's "has this user a device?" is cached; adding or removing a device (even
    from another browser) must clear it at once, or an older session would skip the check."""
    url = reverse("pupils:my_classes")
    old_session = client_for(teacher)  # 2FA is optional for teachers: no device yet
    assert old_session.get(url).status_code == 200
    assert twofactor.has_confirmed_device(teacher.user) is False  # cached now
    device = TOTPDevice.objects.create(user=teacher.user, name="Phone", confirmed=True)
    response = old_session.get(url)
    assert response.status_code == 302 and reverse("two_factor_verify") in response["Location"]
    device.delete()
    assert old_session.get(url).status_code == 200


def test_the_device_answer_is_asked_once_then_cached(teacher, django_assert_num_queries):
    twofactor.has_confirmed_device(teacher.user)
    with django_assert_num_queries(0):
        assert twofactor.has_confirmed_device(teacher.user) is False
