"""Security headers on every response, and secure cookies when served over TLS."""

import pytest
from django.urls import reverse

from tests.helpers import client_for


def _csp(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {
        part.split()[0]: part.split()[1:] for part in (p.strip() for p in policy.split(";")) if part
    }


@pytest.mark.parametrize("path", ["/accounts/login/", "/healthz", "/"])
def test_strict_csp_and_frame_denial_everywhere(client, db, path):
    response = client.get(path)
    csp = _csp(response)
    assert csp["script-src"] == ["'self'"]
    assert csp["default-src"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["object-src"] == ["'none'"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_signed_in_pages_carry_the_same_headers(senco):
    response = client_for(senco).get(reverse("audit_log"))
    assert response.status_code == 200
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"


def test_pages_have_no_inline_script_or_style(senco, taught_pupil):
    client = client_for(senco)
    for path in ["/", reverse("audit_log"), reverse("two_factor"), "/accounts/login/"]:
        html = client.get(path).content.decode()
        assert "<script>" not in html and " style=" not in html and "onclick" not in html, path


def test_hsts_and_secure_cookies_over_tls(client, senco, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    plain = client.get("/accounts/login/")
    assert plain.status_code == 301 and plain["Location"].startswith("https://")
    response = client.post(
        "/accounts/login/",
        {"username": "senco", "password": "correct-horse-battery-1"},
        secure=True,
    )
    assert response.status_code == 302
    assert "max-age=31536000" in response["Strict-Transport-Security"]
    assert "includeSubDomains" in response["Strict-Transport-Security"]
    session = response.cookies["sessionid"]
    assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"
    csrf = client.get("/accounts/login/", secure=True).cookies.get("csrftoken")
    if csrf is not None:
        assert csrf["secure"]


def test_production_defaults_are_secure():
    """With DEBUG and testing off, settings.py turns TLS-only cookies and HSTS on by itself
    (checked end to end by tests/sencoweb/test_settings.py::test_check_deploy...)."""
    import subprocess
    import sys

    code = (
        "import os; os.environ['DJANGO_SETTINGS_MODULE']='sencoweb.settings';"
        "from django.conf import settings as s;"
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT,"
        " s.SECURE_HSTS_SECONDS, s.X_FRAME_OPTIONS, s.SESSION_COOKIE_HTTPONLY, s.REQUIRE_2FA)"
    )
    import os

    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DEBUG", "SENCOWEB_TESTING", "DATABASE_URL")
    }
    env.update({"DEBUG": "false", "SENCOWEB_TESTING": "false", "SECRET_KEY": "k" * 60})
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == ["True", "True", "True", "31536000", "DENY", "True", "True"]
