from . import nav
from .models import Notification


def school(request):
    membership = getattr(request, "membership", None)
    if membership is None or not request.user.is_authenticated:  # e.g. just signed out
        return {}
    return {
        "current_school": request.school,
        "current_membership": membership,
        "school_memberships": request.memberships,
        "nav_items": nav.menu_for(membership),
        # One cheap indexed count per page.
        "unread_notifications": Notification.objects.for_school(request.school)
        .filter(user=request.user, read_at__isnull=True)
        .count(),
    }
