"""Resolve the current school and membership once per request; sign out idle sessions."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login

from .models import Membership

SESSION_SCHOOL_KEY = "sencoweb_school_id"
SESSION_LAST_SEEN_KEY = "sencoweb_last_seen"


SCHOOL_PARAM = "school"


class CurrentSchoolMiddleware:
    """Sets request.school and request.membership (both None when signed out or with no active
    membership). The school comes from the session, chosen with the school switcher; the first
    membership is the default. A link may name its school (`?school=<school public id>`, see
    urltools.in_school): a shared SENCO following a reminder or a row of the all-schools
    deadlines for their other school is switched to it, instead of meeting a 404. Only a
    school the user is a member of can be chosen this way."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.school = None
        request.membership = None
        request.memberships = []
        if request.user.is_authenticated:
            memberships = list(
                Membership.objects.active().filter(user=request.user).select_related("school")
            )
            request.memberships = memberships
            chosen = request.session.get(SESSION_SCHOOL_KEY)
            named = request.GET.get(SCHOOL_PARAM) if request.method in ("GET", "HEAD") else None
            if named:
                wanted = next((m for m in memberships if str(m.school.public_id) == named), None)
                if wanted is not None and wanted.school_id != chosen:
                    chosen = request.session[SESSION_SCHOOL_KEY] = wanted.school_id
                    messages.info(request, f"You are now working in {wanted.school.name}.")
            current = next((m for m in memberships if m.school_id == chosen), None)
            if current is None and memberships:
                current = memberships[0]
                request.session[SESSION_SCHOOL_KEY] = current.school_id
            if current is not None:
                request.membership = current
                request.school = current.school
        return self.get_response(request)


class IdleTimeoutMiddleware:
    """Sign out a session idle for SESSION_IDLE_MINUTES (SEN records are special category data)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(time.time())
            last = request.session.get(SESSION_LAST_SEEN_KEY)
            if last and now - last > settings.SESSION_IDLE_MINUTES * 60:
                logout(request)
                messages.info(request, "You were signed out after a period of inactivity.")
                return redirect_to_login(request.get_full_path())
            # Write at most once a minute so most requests do not save the session.
            if not last or now - last > 60:
                request.session[SESSION_LAST_SEEN_KEY] = now
        return self.get_response(request)
