"""Sign-in, sign-out and failed sign-in leave audit rows; a change to a user's second-factor
devices clears the cached answer to "has this user a device?" (twofactor.py)."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import AuditEvent, append_audit_event


def _ip(request):
    return request.META.get("REMOTE_ADDR") if request is not None else None


@receiver(user_logged_in)
def audit_sign_in(sender, request, user, **kwargs):
    append_audit_event(
        user=user,
        username=user.get_username(),
        action=AuditEvent.Action.SIGN_IN,
        ip_address=_ip(request),
        path=getattr(request, "path", "")[:300],
    )


@receiver(user_logged_out)
def audit_sign_out(sender, request, user, **kwargs):
    if user is not None:
        append_audit_event(
            user=user,
            username=user.get_username(),
            action=AuditEvent.Action.SIGN_OUT,
            ip_address=_ip(request),
            path=getattr(request, "path", "")[:300],
        )


@receiver(user_login_failed)
def audit_sign_in_failed(sender, credentials, request=None, **kwargs):
    append_audit_event(
        username=str(credentials.get("username", ""))[:150],
        action=AuditEvent.Action.SIGN_IN_FAILED,
        ip_address=_ip(request),
        path=getattr(request, "path", "")[:300],
    )


@receiver([post_save, post_delete], sender=TOTPDevice)
@receiver([post_save, post_delete], sender=StaticDevice)
def forget_device_answer(sender, instance, **kwargs):
    from .twofactor import device_cache_key

    cache.delete(device_cache_key(instance.user_id))
