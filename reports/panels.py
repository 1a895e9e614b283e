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
    today = timezone.localdate()
    year = academic_year_of(today)
    # The annual report usually goes to the autumn meeting: default to the year just ended.
    default = year - 1 if today.month >= 9 else year
    return {
        "latest": latest,
        "default_year": default,
        "year_label": academic_year_label(default),
        "form": GovernorsReportForm(initial={"year": default}),
    }
