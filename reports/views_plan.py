"""The support plan as a PDF for parents (reviews' data, rendered here: reports may import
reviews, never the reverse)."""

from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header

from reviews.cycle_access import cycle_for_read
from reviews.selectors import provision_for_parents
from sencoweb.access import audit, capability_required, get_scoped_or_404

from .rendering import render_template_pdf


@capability_required("plans.view")
def plan_pdf(request, cycle_id):
    cycle = cycle_for_read(request, cycle_id)
    versions = cycle.versions.select_related("issued_by")
    number = request.GET.get("version")
    version = get_scoped_or_404(versions, number=number) if number else versions.first()
    if version is None:
        return HttpResponse("This plan has not been issued yet.", status=404)
    pupil = cycle.pupil
    # The plan as issued, with today's details of the provision group each outcome links to.
    linked = provision_for_parents(version.outcomes, school=request.school)
    outcomes = [
        {**o, "linked": linked.get(o.get("provision_group_id") or "")} for o in version.outcomes
    ]
    pdf = render_template_pdf(
        "reports/plan_pdf.html",
        {
            "cycle": cycle,
            "version": version,
            "outcomes": outcomes,
            "pupil": pupil,
            "school": request.school,
            "assessment": version.snapshot.get("assessment", {}),
            "teacher": version.snapshot.get("teacher", ""),
            "printed": timezone.localdate(),
            "footer": f"{pupil.display_name}: support plan {cycle.number} v{version.number}",
        },
    )
    audit(
        request,
        "download",
        cycle,
        summary=f"Downloaded the plan PDF (version {version.number}) for {pupil}",
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    filename = f"support-plan-{pupil.first_name}-{cycle.number}-v{version.number}.pdf"
    response["Content-Disposition"] = content_disposition_header(False, filename)
    return response
