"""Home-page panels registered by the reports app."""

from sencoweb.models import academic_year_label

from .forms import GovernorsReportForm, default_report_year
from .models import ReportRun


def governors_report_panel(request) -> dict:
    latest = (
        ReportRun.objects.for_school(request.school)
        .filter(type=ReportRun.Type.GOVERNORS)
        .order_by("-created_at")
        .first()
    )
    default = default_report_year()
    return {
        "latest": latest,
        "default_year": default,
        "year_label": academic_year_label(default),
        "form": GovernorsReportForm(initial={"year": default}),
    }
