from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db import connection
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from . import exports
from . import home as home_panels
from .access import audit, capability_required, membership_required
from .forms import AuditFilterForm
from .middleware import SESSION_SCHOOL_KEY
from .models import AuditEvent, Notification, with_pupil_names

ROLE_WELCOME = {
    "senco": "Your SEN register, concerns, reviews and deadlines at a glance.",
    "teacher": "The pupils you teach and what helps them.",
    "ta": "Your sessions today and the pupils you support.",
    "head": "How SEN is going across the school.",
    "governor": "Anonymised SEN figures and the annual report for governors.",
    "trust": "SEN across the trust's schools (read only).",
}


@login_required
def home(request):
    if request.membership is None:
        return render(request, "sencoweb/no_membership.html", status=403)
    context = {
        "welcome": ROLE_WELCOME.get(request.membership.role, ""),
        "panels": home_panels.panels_for(request),
    }
    return render(request, f"sencoweb/home_{request.membership.role}.html", context)


@require_POST
@membership_required
def switch_school(request):
    school_id = request.POST.get("school")
    target = next((m for m in request.memberships if str(m.school.public_id) == school_id), None)
    if target is None:
        raise Http404
    request.session[SESSION_SCHOOL_KEY] = target.school_id
    messages.success(request, f"You are now working in {target.school.name}.")
    # Go home: a page of the previous school would 404 in the new one. A page that belongs to
    # no record (the trust lead's "open this school's dashboard") may ask to go there instead.
    after = request.POST.get("next", "")
    if after.startswith("/") and url_has_allowed_host_and_scheme(after, allowed_hosts=None):
        return HttpResponseRedirect(after)
    return redirect("home")


@membership_required
def notifications(request):
    items = Notification.objects.for_school(request.school).filter(user=request.user)[:100]
    return render(request, "sencoweb/notifications.html", {"items": items})


@require_POST
@membership_required
def notification_read(request, pk):
    notification = (
        Notification.objects.for_school(request.school).filter(user=request.user, pk=pk).first()
    )
    if notification is None:
        raise Http404
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    target = notification.url or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts=None):
        target = "/"
    return HttpResponseRedirect(target)


@never_cache
def healthz(request):
    """Database and broker status, for load balancers and docker-compose health checks."""
    status = {"database": "ok", "broker": "ok" if settings.REDIS_URL else "in-process"}
    code = 200
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:  # report, do not crash
        status["database"] = f"error: {exc.__class__.__name__}"
        code = 503
    if settings.REDIS_URL:
        try:
            from .celery import app

            with app.connection_for_write() as conn:
                conn.ensure_connection(max_retries=1, timeout=2)
            cache.get("healthz")
        except Exception as exc:
            status["broker"] = f"error: {exc.__class__.__name__}"
            code = 503
    return JsonResponse(status, status=code)


def _chunks(iterable, size):
    chunk = []
    for item in iterable:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


@capability_required("audit.view")
def audit_log(request):
    events = AuditEvent.objects.trail_of(request.school).select_related("user")
    form = AuditFilterForm(request.GET or None)
    if form.is_valid():
        events = form.filter(events)
    if request.GET.get("format") in ("csv", "xlsx"):
        audit(request, AuditEvent.Action.EXPORT, summary="Audit trail export")
        rows = (
            [
                e.at.isoformat(),
                e.username,
                e.get_action_display(),
                e.object_type,
                e.object_id,
                e.shown_summary,
                str(e.pupil_id or ""),
                e.ip_address or "",
                e.path,
            ]
            for chunk in _chunks(events.iterator(), 500)
            for e in with_pupil_names(chunk)
        )
        header = [
            "When",
            "Who",
            "Action",
            "Record type",
            "Record",
            "Summary",
            "Pupil",
            "IP",
            "Page",
        ]
        return exports.response(request.GET["format"], "audit-trail", header, rows)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    page.object_list = with_pupil_names(page.object_list)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request, "sencoweb/audit_log.html", {"form": form, "page": page, "query": query.urlencode()}
    )
