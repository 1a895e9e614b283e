"""The provision map as a PDF (provision's data, rendered here: reports is the one place that
renders PDFs). The same selector and the same row partial as the screen, so the two agree."""

from django.http import HttpResponse
from django.utils import timezone
from django.utils.text import slugify

from provision.selectors import MAP_GROUPINGS, map_filters, provision_map
from pupils.access import visible_pupils
from pupils.codes import Area
from sencoweb import jinja
from sencoweb.access import audit, capability_required, has_capability
from sencoweb.models import AuditEvent

from .rendering import render_template_pdf


@capability_required("provision.view")
def provision_map_pdf(request):
    today = timezone.localdate()
    filters = map_filters(request.GET)
    data = provision_map(request.school, pupils=visible_pupils(request), today=today, **filters)
    # Staff costs only for those who may see them, exactly as on the screen.
    ctx = {**data, **filters, "can_costs": has_capability(request, "provision.view_costs"),
           "can_manage": False, "today": today}  # fmt: skip
    described = [f"grouped by {MAP_GROUPINGS[filters['by']].lower()}"]
    if filters["area"]:
        described.append(Area(filters["area"]).label)
    if filters["wave"]:
        described.append(f"wave {filters['wave']}")
    pdf = render_template_pdf(
        "reports/provision_map_pdf.html",
        {
            **ctx,
            "school": request.school,
            "described": ", ".join(described),
            "sections_html": jinja.partial("provision/map_sections.jinja", ctx),
            "footer": f"{request.school.name}: provision map, {today:%-d %B %Y}",
        },
    )
    audit(
        request,
        AuditEvent.Action.DOWNLOAD,
        summary="Downloaded the provision map (PDF)",
        detail={"filters": filters},
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    name = f"provision-map-{slugify(request.school.name)}-{today.isoformat()}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
