"""Home-page panels (sencoweb.home). Each returns a small context for its template."""

from django.utils import timezone

from . import selectors
from .access import visible_pupils
from .models import Concern


def concerns(request) -> dict:
    open_concerns = Concern.objects.for_school(request.school).filter(outcome=Concern.Outcome.OPEN)
    return {
        "open_count": open_concerns.count(),
        "recent": list(open_concerns.select_related("pupil")[:5]),
    }


def register_counts(request) -> dict:
    return {"counts": selectors.register_counts(school=request.school)}


def access_expiring(request) -> dict:
    rows = selectors.access_arrangements_expiring(school=request.school, today=timezone.localdate())
    return {"expiring": list(rows[:8])}


def my_pupils(request) -> dict:
    # The SENCO and head see the register panel instead; this one is for class staff.
    if request.membership.can("register.view_all"):
        return {"hide": True}
    return {"count": visible_pupils(request).current().with_sen().count()}
