"""Sign-in, sign-out and failed sign-in leave audit rows."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

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
