"""Home-page panels registered by the reports app."""

from django.utils import timezone

from sencoweb.models import academic_year_label, academic_year_of

from .forms import GovernorsReportForm
from .models import ReportRun


def governors_report_panel(request) -> dict:
    latest = (
        ReportRun.objects.for_school(request.school)
        .filter(type=ReportRun.Type.GOVERNORS)
        .order_by("-created_at")
        .first()
    )
    year = academic_year_of(timezone.localdate())
    return {
        "latest": latest,
        "year_label": academic_year_label(year),
        "form": GovernorsReportForm(initial={"year": year}),
    }
