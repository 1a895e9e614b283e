"""Access helpers shared by every app: capability checks and audit recording.

A record of another school, or one the user may not see, is a 404 exactly like a missing one.
Lacking a capability for a whole page is a 403.
"""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404

from .models import AuditEvent, append_audit_event


def require_capability(request, capability: str) -> None:
    membership = getattr(request, "membership", None)
    if membership is None or not membership.can(capability):
        raise PermissionDenied


def has_capability(request, capability: str) -> bool:
    membership = getattr(request, "membership", None)
    return membership is not None and membership.can(capability)


def capability_required(*capabilities: str):
    """View decorator: signed in, a membership at the current school, and ANY of the named
    capabilities. Anonymous users go to the sign-in page."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            membership = getattr(request, "membership", None)
            if membership is None or not any(membership.can(c) for c in capabilities):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.required_capabilities = capabilities
        return wrapped

    return decorator


def membership_required(view):
    """Signed in with an active membership at some school (any role)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if getattr(request, "membership", None) is None:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def get_scoped_or_404(queryset, **lookup):
    """Fetch one row from an already-scoped queryset, or 404."""
    try:
        return queryset.get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def pseudonymise(summary: str, pupil) -> str:
    """The summary with the pupil's name replaced by AuditEvent.PUPIL_TOKEN: audit rows outlive
    the record (they cannot be changed, the hash chain shows it), so they keep the pupil's
    random id, and the trail shows the name only while the record exists."""
    names = {
        pupil.display_name,
        f"{pupil.first_name} {pupil.last_name}",
        f"{pupil.last_name}, {pupil.first_name}",
        str(pupil),
    }
    for name in sorted((n for n in names if n.strip()), key=len, reverse=True):
        summary = summary.replace(name, AuditEvent.PUPIL_TOKEN)
    return summary


def audit(
    request, action: str, obj=None, *, summary: str = "", pupil=None, detail=None, school=None
) -> AuditEvent:
    """Record who did what to which record, when and from where. The pupil is named by id,
    not by name (pseudonymise)."""
    user = request.user if request is not None and request.user.is_authenticated else None
    if pupil is None and obj is not None and hasattr(obj, "pupil_id"):
        pupil = getattr(obj, "pupil", None)
    if pupil is None and obj is not None and obj.__class__.__name__ == "Pupil":
        pupil = obj
    summary = summary or (str(obj) if obj is not None else "")
    if pupil is not None:
        summary = pseudonymise(summary, pupil)
    return append_audit_event(
        school=school or getattr(request, "school", None) or getattr(obj, "school", None),
        user=user,
        username=user.get_username() if user else "",
        action=action,
        object_type=obj._meta.label if obj is not None else "",
        object_id=str(getattr(obj, "public_id", None) or getattr(obj, "pk", "") or ""),
        summary=summary[:300],
        pupil_id=getattr(pupil, "public_id", None),
        ip_address=client_ip(request) if request is not None else None,
        path=request.get_full_path()[:300] if request is not None else "",
        detail=detail or {},
    )
