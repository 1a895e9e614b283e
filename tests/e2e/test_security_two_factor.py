"""A SENCO is made to set up two-factor sign-in, signs out, and signs in again with a code."""

import base64

from django_otp.oath import totp

from tests.e2e.conftest import assert_accessible, screenshot


def _code(secret: str, ahead: int = 0) -> str:
    return f"{totp(base64.b32decode(secret), drift=ahead):06d}"


def test_senco_enrols_signs_out_and_signs_in_with_a_code(
    senco, live_server, page, password, settings
):
    settings.REQUIRE_2FA = True
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "senco")
    page.fill("#id_password", password)
    page.click("#sign-in")

    # Required for a SENCO: sent straight to the set-up page.
    page.wait_for_selector("#twofactor-required")
    assert "/accounts/two-factor/" in page.url
    assert page.locator("#twofactor-qr svg").count() == 1
    assert_accessible(page)
    screenshot(page, "twofactor-enrol")
    secret = page.get_attribute("#twofactor-secret", "data-secret")
    page.fill("#id_code", _code(secret))
    page.click("#twofactor-confirm")

    page.wait_for_selector("#recovery-codes")
    codes = page.locator("#recovery-codes li").all_inner_texts()
    assert len(codes) == 10
    screenshot(page, "twofactor-recovery-codes")
    page.click("#codes-done")
    page.wait_for_selector("#home-role")

    page.click("#user-menu")
    page.click("#sign-out")
    page.wait_for_selector("text=You have signed out")

    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "senco")
    page.fill("#id_password", password)
    page.click("#sign-in")
    page.wait_for_selector("#verify-code")
    assert "/accounts/two-factor/verify/" in page.url
    assert_accessible(page)
    page.fill("#id_code", "000000")
    page.click("#verify-code")
    page.wait_for_selector(".invalid-feedback, .text-danger, .errorlist")
    screenshot(page, "twofactor-verify-wrong-code")
    page.wait_for_timeout(1100)  # django-otp's throttle after a wrong code
    page.fill("#id_code", _code(secret, ahead=1))  # a new code: the first one was used
    page.click("#verify-code")
    page.wait_for_selector("#home-role")
    assert page.inner_text("#home-role") == "SENCO"
    screenshot(page, "twofactor-signed-in")
