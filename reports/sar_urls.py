"""Privacy pages: subject access exports and the retention list (SENCO only)."""

from django.urls import path

from . import sar

app_name = "privacy"

urlpatterns = [
    path(
        "subject-access/<uuid:pupil_id>/<str:fmt>/",
        sar.subject_access_download,
        name="subject_access",
    ),
    path("retention/", sar.retention_due, name="retention"),
]
