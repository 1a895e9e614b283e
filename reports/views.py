"""Report runs, dashboards, transition packs and the SEN information report."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from pupils.access import pupil_for_read
from sencoweb.access import audit, capability_required, get_scoped_or_404, has_capability
from sencoweb.models import AuditEvent, School

from . import dashboards, services, transition
from .forms import CohortPacksForm, GovernorsReportForm, InfoReportForm, PackUploadForm
from .info import info_report_context, info_report_for, info_report_history
from .models import ReportRun

READ_CAPS = ("reports.build", "reports.governors.download")


def _visible_runs(request):
    runs = ReportRun.objects.for_school(request.school).select_related("requested_by")
    if not has_capability(request, "reports.build"):
        # Governors and trust leads: anonymised documents only.
        runs = runs.filter(type__in=ReportRun.ANONYMISED_TYPES)
    return runs


def _run_for(request, run_id) -> ReportRun:
    return get_scoped_or_404(_visible_runs(request), public_id=run_id)


@capability_required(*READ_CAPS)
def index(request):
    runs = list(_visible_runs(request)[:20])
    return render(request, "reports/index.html", {
        "runs": runs,
        "governors_form": GovernorsReportForm(),
        # Leavers: Year 6 at a primary, Year 11 at a secondary.
        "cohort_form": CohortPacksForm(
            initial={"year_group": "11" if request.school.phase == "secondary" else "6"}
        ),
        "can_build": has_capability(request, "reports.build"),
        "can_edit_info": has_capability(request, "reports.info_report.edit"),
        "can_import": has_capability(request, "register.import"),
    })  # fmt: skip


@require_POST
@capability_required("reports.build", "reports.governors.download")
def build_governors(request):
    form = GovernorsReportForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a school year from the list.")
        return redirect("reports:index")
    run = services.report_run_create(
        school=request.school, type=ReportRun.Type.GOVERNORS,
        parameters={"year": form.cleaned_data["year"]}, by=request.user,
    )  # fmt: skip
    audit(request, AuditEvent.Action.CREATE, run, summary=f"Asked for {run}")
    return redirect("reports:run", run.public_id)


@require_POST
@capability_required("reports.build")
def build_info(request):
    run = services.report_run_create(
        school=request.school, type=ReportRun.Type.INFO, parameters={}, by=request.user
    )
    audit(request, AuditEvent.Action.CREATE, run, summary=f"Asked for {run}")
    return redirect("reports:run", run.public_id)


@require_POST
@capability_required("reports.build")
def build_cohort(request):
    form = CohortPacksForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a year group from the list.")
        return redirect("reports:index")
    run = services.report_run_create(
        school=request.school, type=ReportRun.Type.TRANSITION_COHORT,
        parameters={"year_group": form.cleaned_data["year_group"]}, by=request.user,
    )  # fmt: skip
    audit(request, AuditEvent.Action.CREATE, run, summary=f"Asked for {run}")
    return redirect("reports:run", run.public_id)


@require_POST
@capability_required("reports.build")
def build_provision_map(request):
    """The provision map as a PDF, with the grouping and filters of the map page."""
    from provision.selectors import map_filters

    run = services.report_run_create(
        school=request.school, type=ReportRun.Type.PROVISION_MAP,
        parameters=map_filters(request.POST), by=request.user,
    )  # fmt: skip
    audit(request, AuditEvent.Action.CREATE, run, summary=f"Asked for {run}")
    return redirect("reports:run", run.public_id)


@require_POST
@capability_required("reports.build")
def build_pupil_pack(request, pupil_id):
    pupil = pupil_for_read(request, pupil_id)
    run = services.report_run_create(
        school=request.school, type=ReportRun.Type.TRANSITION_PACK,
        parameters={"pupil": str(pupil.public_id)}, by=request.user,
    )  # fmt: skip
    audit(
        request, AuditEvent.Action.CREATE, run, summary="Asked for a transition pack", pupil=pupil
    )
    return redirect("reports:run", run.public_id)


def _run_context(request, run):
    pupils = []
    if run.type == ReportRun.Type.TRANSITION_COHORT and run.status == ReportRun.Status.DONE:
        ids = run.parameters.get("pupils", [])
        pupils = list(transition.cohort_pupils(request.school).filter(public_id__in=ids))
    return {"run": run, "pack_pupils": pupils}


@capability_required(*READ_CAPS)
def run_detail(request, run_id):
    run = _run_for(request, run_id)
    return render(request, "reports/run.html", _run_context(request, run))


@capability_required(*READ_CAPS)
def run_progress(request, run_id):
    """The htmx fragment polled every second until the run finishes."""
    run = _run_for(request, run_id)
    return render(request, "reports/_run_progress.html", _run_context(request, run))


@capability_required(*READ_CAPS)
def run_download(request, run_id):
    run = _run_for(request, run_id)
    if run.status != ReportRun.Status.DONE or not run.file:
        raise Http404
    audit(request, AuditEvent.Action.DOWNLOAD, run, summary=f"Downloaded {run.filename}")
    return FileResponse(run.file.open("rb"), as_attachment=True, filename=run.filename)


@require_POST
@capability_required(*READ_CAPS)
def run_retry(request, run_id):
    run = _run_for(request, run_id)
    if not run.is_anonymised and not has_capability(request, "reports.build"):
        raise PermissionDenied
    if services.report_run_retry(run=run):
        audit(request, AuditEvent.Action.UPDATE, run, summary=f"Retried {run.get_type_display()}")
    else:
        messages.info(request, "This run is not failed, so there is nothing to retry.")
    return redirect("reports:run", run.public_id)


# ---- transition packs -----------------------------------------------------------------------


@capability_required("reports.build")
def pack_view(request, pupil_id):
    pupil = pupil_for_read(request, pupil_id)
    if not transition.cohort_pupils(request.school).filter(pk=pupil.pk).exists():
        raise Http404
    pack = transition.pack_data(pupil, school=request.school)
    audit(request, AuditEvent.Action.VIEW, pupil, summary="Opened the transition pack")
    return render(request, "reports/pack.html", {**transition.pack_context(pack), "pupil": pupil})


@capability_required("register.import")
def pack_import(request):
    form = PackUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            data = transition.parse_pack(form.cleaned_data["file"].read())
            result = transition.transition_pack_import(
                school=request.school, data=data, by=request.user
            )
        except transition.PackError as exc:
            form.add_error("file", str(exc))
        else:
            pupil = result.pupil
            audit(
                request,
                AuditEvent.Action.IMPORT,
                pupil,
                summary=f"Imported a transition pack: {result.summary}"[:300],
            )
            messages.success(request, f"Imported {pupil.display_name}: {result.summary}.")
            return redirect("pupils:detail", pupil.public_id)
    status = 422 if request.method == "POST" else 200
    return render(request, "reports/pack_import.html", {"form": form}, status=status)


# ---- dashboards -----------------------------------------------------------------------------


@capability_required("dashboard.view", "dashboard.view_anonymised")
def dashboard(request):
    named = has_capability(request, "dashboard.view")
    ctx = dashboards.school_dashboard(request.school, named=named)
    audit(
        request,
        AuditEvent.Action.VIEW,
        summary=f"Viewed the {'' if named else 'anonymised '}dashboard",
    )
    return render(request, "reports/dashboard.html", {**ctx, "named": named,
                  "can_cross_school": has_capability(request, "dashboard.cross_school")})  # fmt: skip


@capability_required("dashboard.cross_school")
def dashboard_trust(request):
    schools = [m.school for m in request.memberships if m.can("dashboard.cross_school")]
    ctx = dashboards.cross_school(schools)
    audit(request, AuditEvent.Action.VIEW, summary="Viewed the cross-school dashboard")
    return render(request, "reports/dashboard_trust.html", ctx)


@capability_required("dashboard.cross_school")
def dashboard_trust_year(request):
    """The comparison's year-to-date table, loaded by the page after the rest (htmx)."""
    schools = [m.school for m in request.memberships if m.can("dashboard.cross_school")]
    # Without JavaScript the page's link opens it as a page of its own.
    page = "reports/_trust_year.html" if request.htmx else "reports/dashboard_trust_year_page.html"
    return render(request, page, dashboards.cross_school_year(schools))


# ---- SEN information report -----------------------------------------------------------------


@capability_required("reports.info_report.edit")
def info_history(request):
    """Who changed which answers of the information report, and when (django-simple-history)."""
    versions = info_report_history(info_report_for(request.school))
    audit(request, AuditEvent.Action.VIEW, summary="Viewed the SEN information report's history")
    return render(request, "reports/info_history.html", {"versions": versions})


@capability_required("reports.info_report.edit")
def info_edit(request):
    report = info_report_for(request.school)
    form = InfoReportForm(request.POST or None, instance=report)
    if request.method == "POST":
        if form.is_valid():
            report = form.save(commit=False)
            report.updated_by = request.user
            if report.published and not report.published_on:
                report.published_on = timezone.localdate()
            report.save()
            audit(
                request,
                AuditEvent.Action.UPDATE,
                report,
                summary="Edited the SEN information report",
            )
            messages.success(request, "Saved the SEN information report.")
            return redirect("reports:info_edit")
        return render(
            request, "reports/info_edit.html", {"form": form, "report": report}, status=422
        )
    return render(request, "reports/info_edit.html", {
        "form": form, "report": report,
        "public_url": request.build_absolute_uri(reverse("reports:info_public", args=[request.school.public_id])),
    })  # fmt: skip


PUBLIC_PDF_CACHE_SECONDS = 24 * 60 * 60


def _public_info_pdf(school, ctx) -> bytes:
    """The published report as a PDF, rendered once per version of its HTML: anyone may ask
    for it, and a PDF takes about half a second of a worker, so repeated requests (a crawler,
    someone hammering it) are served from the shared cache. Keyed by the HTML itself, it is
    never stale: new answers or new live figures make a new key. Anonymised content only."""
    import hashlib

    from django.core.cache import cache
    from django.template.loader import render_to_string

    from .rendering import render_pdf

    html = render_to_string("reports/info_report_pdf.html", ctx)
    key = f"info-report-pdf:{school.pk}:{hashlib.sha256(html.encode()).hexdigest()}"
    pdf = cache.get(key)
    if pdf is None:
        pdf = render_pdf(html)
        cache.set(key, pdf, PUBLIC_PDF_CACHE_SECONDS)
    return pdf


def info_public(request, school_id):
    """Public, unauthenticated: the school's published SEN information report."""
    school = get_object_or_404(School, public_id=school_id)
    ctx = info_report_context(school)
    if not ctx["report"].published:
        raise Http404
    if request.GET.get("format") == "pdf":
        response = HttpResponse(_public_info_pdf(school, ctx), content_type="application/pdf")
        response["Content-Disposition"] = 'inline; filename="sen-information-report.pdf"'
        return response
    return render(request, "reports/info_public.html", ctx)
