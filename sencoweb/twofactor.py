"""Two-factor sign-in (TOTP app plus single-use recovery codes), built on django-otp.

Flow: password sign-in (Django's LoginView) -> TwoFactorMiddleware sends a user with a confirmed
device to `two_factor_verify` until the session is verified. When settings.REQUIRE_2FA is on,
members with a role in roles.TWO_FACTOR_ROLES who have no device yet are sent to `two_factor`
to enrol first. Everyone else may enrol from the user menu.

Repeated wrong codes lock the account for OTP_LOCKOUT_MINUTES: django-otp's own throttle
(1, 2, 4, 8... seconds between tries) slows guessing, and after OTP_MAX_FAILURES the session is
signed out and codes are refused until the lock expires.
"""

import base64
from datetime import timedelta
from io import BytesIO

import qrcode
import qrcode.image.svg
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .access import audit
from .models import AuditEvent

RECOVERY_CODE_COUNT = 10
APP_DEVICE_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = "Recovery codes"

# Pages a signed-in but not yet verified user may still reach.
OPEN_URL_NAMES = {
    "login",
    "logout",
    "two_factor",
    "two_factor_verify",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "healthz",
}
# Open only while the user has no device yet (enrolling): once a device exists, changing the
# password needs the code too, or a stolen password alone could take the account over.
OPEN_BEFORE_ENROLMENT = {"password_change", "password_change_done"}


def max_failures() -> int:
    return getattr(settings, "OTP_MAX_FAILURES", 5)


def lockout_window() -> timedelta:
    return timedelta(minutes=getattr(settings, "OTP_LOCKOUT_MINUTES", 15))


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=16,
        help_text="The 6-digit code from your authenticator app, or one of your recovery codes.",
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}
        ),
    )

    def clean_code(self):
        return self.cleaned_data["code"].replace(" ", "").replace("-", "").strip().lower()


DEVICE_CACHE_SECONDS = 3600


def device_cache_key(user_id) -> str:
    return f"sencoweb:2fa:has-device:{user_id}"


def has_confirmed_device(user) -> bool:
    """`user_has_device(user, confirmed=True)`, kept in the shared cache. The middleware asks it
    on every request of a user who has not verified (two queries: app and recovery devices), and
    the answer changes only when a device is saved or deleted, which clears it (signals.py)."""
    key = device_cache_key(user.pk)
    value = cache.get(key)
    if value is None:
        value = user_has_device(user, confirmed=True)
        cache.set(key, value, DEVICE_CACHE_SECONDS)
    return value


def needs_two_factor(request) -> bool:
    """True when this signed-in user must use a second factor under REQUIRE_2FA: members with
    a role that needs it, and the system administrator (Django admin reaches every school)."""
    user = request.user
    if user.is_staff or user.is_superuser:
        return True
    return any(m.needs_two_factor for m in getattr(request, "memberships", []))


def _devices(user):
    return [
        *TOTPDevice.objects.filter(user=user, confirmed=True),
        *StaticDevice.objects.filter(user=user, confirmed=True),
    ]


def locked_until(user):
    """When the lock after too many wrong codes ends, or None when not locked."""
    for device in _devices(user):
        stamp = device.throttling_failure_timestamp
        if device.throttling_failure_count >= max_failures() and stamp is not None:
            until = stamp + lockout_window()
            if until > timezone.now():
                return until
    return None


def _safe_next(request, default="home") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse(default)


def _qr_svg(url: str) -> str:
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    out = BytesIO()
    image.save(out)
    # Drop the XML declaration so the SVG can sit inline in the page.
    svg = out.getvalue().decode()
    return svg[svg.index("<svg") :].replace("<svg ", '<svg role="img" aria-label="QR code" ', 1)


def _pending_device(user) -> TOTPDevice:
    """The unconfirmed app device being set up (kept across reloads so the secret is stable)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False)
    return device


@transaction.atomic
def recovery_codes_issue(*, user) -> list[str]:
    """Replace the user's recovery codes with RECOVERY_CODE_COUNT fresh single-use ones."""
    device, _ = StaticDevice.objects.get_or_create(
        user=user, name=RECOVERY_DEVICE_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
    device.throttle_reset()
    return codes


@transaction.atomic
def two_factor_confirm(*, device: TOTPDevice) -> list[str]:
    """Confirm a verified app device; any other app device goes. Returns new recovery codes."""
    TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return recovery_codes_issue(user=device.user)


@transaction.atomic
def two_factor_remove(*, user) -> None:
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()


@never_cache
@login_required
def two_factor(request):
    """Status page, and enrolment: QR code and secret, confirmed with a first code."""
    user = request.user
    if user_has_device(user, confirmed=True):
        context = {
            "enabled": True,
            "recovery_left": StaticToken.objects.filter(device__user=user).count(),
            "required": needs_two_factor(request) and settings.REQUIRE_2FA,
        }
        return render(request, "sencoweb/twofactor.html", context)

    device = _pending_device(user)
    form = CodeForm(request.POST or None)
    form.fields["code"].help_text = "The 6-digit code your app shows now."
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"]):
            codes = two_factor_confirm(device=device)
            otp_login(request, device)
            audit(request, AuditEvent.Action.UPDATE, user, summary="Turned on two-factor sign-in")
            return render(
                request,
                "sencoweb/twofactor_codes.html",
                {"codes": codes, "next": _safe_next(request)},
            )
        form.add_error(
            "code",
            "That code did not match. Check the time on your phone is right and try the "
            "newest code.",
        )
    secret = base64.b32encode(device.bin_key).decode()
    context = {
        "enabled": False,
        "form": form,
        "qr_svg": _qr_svg(device.config_url),
        "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        "secret_raw": secret,
        "required": needs_two_factor(request) and settings.REQUIRE_2FA,
        "next": request.GET.get("next", ""),
    }
    if context["required"]:
        context["nav_items"] = []  # nothing else opens until this is done
    status = 422 if request.method == "POST" else 200
    return render(request, "sencoweb/twofactor.html", context, status=status)


@never_cache
@login_required
def two_factor_verify(request):
    """The second step of sign-in for users with a confirmed device."""
    user = request.user
    if not user_has_device(user, confirmed=True):
        return redirect("two_factor")
    if request.user.is_verified():
        return redirect(_safe_next(request))
    if locked_until(user):
        return _locked(request)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"]
        devices = _devices(user)
        if not any(d.verify_is_allowed()[0] for d in devices):
            form.add_error("code", "Please wait a few seconds before trying another code.")
        else:
            device = next((d for d in devices if d.verify_token(code)), None)
            if device is not None:
                otp_login(request, device)
                if isinstance(device, StaticDevice):
                    left = StaticToken.objects.filter(device=device).count()
                    messages.warning(
                        request,
                        f"You used a recovery code; {left} left. Make new ones from "
                        "Two-factor sign-in in your user menu if you are running low.",
                    )
                return redirect(_safe_next(request))
            audit(
                request,
                AuditEvent.Action.SIGN_IN_FAILED,
                summary="Wrong two-factor code",
            )
            if locked_until(user):
                return _locked(request)
            form.add_error("code", "That code did not match. Try the newest code from your app.")
    status = 422 if request.method == "POST" else 200
    return render(
        request,
        "sencoweb/twofactor_verify.html",
        {
            "form": form,
            "next": request.GET.get("next") or request.POST.get("next", ""),
            "nav_items": [],  # no page opens before the code is entered
        },
        status=status,
    )


def _locked(request):
    logout(request)
    return render(request, "registration/locked_out.html", status=403)


@require_POST
@login_required
def two_factor_recovery_codes(request):
    """Issue a fresh set of recovery codes (the old ones stop working)."""
    if not request.user.is_verified():
        return redirect("two_factor_verify")
    codes = recovery_codes_issue(user=request.user)
    audit(request, AuditEvent.Action.UPDATE, request.user, summary="New recovery codes")
    return render(request, "sencoweb/twofactor_codes.html", {"codes": codes, "next": ""})


@require_POST
@login_required
def two_factor_disable(request):
    if not request.user.is_verified():
        return redirect("two_factor_verify")
    two_factor_remove(user=request.user)
    audit(request, AuditEvent.Action.UPDATE, request.user, summary="Turned off two-factor sign-in")
    messages.info(request, "Two-factor sign-in is off.")
    return redirect("two_factor")


class TwoFactorMiddleware:
    """Send signed-in users who still owe a second factor to verify (or enrol) first.

    Runs after OTPMiddleware (request.user.is_verified) and CurrentSchoolMiddleware
    (request.memberships)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        target = self._redirect_for(request)
        if target:
            return redirect(f"{reverse(target)}?next={request.get_full_path()}")
        return self.get_response(request)

    def _redirect_for(self, request) -> str | None:
        user = request.user
        if not user.is_authenticated or getattr(user, "is_verified", lambda: True)():
            return None
        if request.path_info.startswith(settings.STATIC_URL):
            return None
        name = self._url_name(request)
        if name in OPEN_URL_NAMES:
            return None
        if has_confirmed_device(user):
            return "two_factor_verify"
        if name in OPEN_BEFORE_ENROLMENT:
            return None
        if settings.REQUIRE_2FA and needs_two_factor(request):
            return "two_factor"
        return None

    @staticmethod
    def _url_name(request) -> str | None:
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return None
        return None if match.namespace else match.url_name
