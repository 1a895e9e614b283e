from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.index, name="index"),
    path("governors/build/", views.build_governors, name="build_governors"),
    path("info/build/", views.build_info, name="build_info"),
    path("transition/build/", views.build_cohort, name="build_cohort"),
    path("provision-map/build/", views.build_provision_map, name="build_provision_map"),
    path(
        "transition/pupil/<uuid:pupil_id>/build/", views.build_pupil_pack, name="build_pupil_pack"
    ),
    path("transition/pupil/<uuid:pupil_id>/", views.pack_view, name="pack"),
    path("transition/import/", views.pack_import, name="pack_import"),
    path("runs/<uuid:run_id>/", views.run_detail, name="run"),
    path("runs/<uuid:run_id>/progress/", views.run_progress, name="run_progress"),
    path("runs/<uuid:run_id>/download/", views.run_download, name="run_download"),
    path("runs/<uuid:run_id>/retry/", views.run_retry, name="run_retry"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/trust/", views.dashboard_trust, name="dashboard_trust"),
    path("dashboard/trust/year/", views.dashboard_trust_year, name="dashboard_trust_year"),
    path("information-report/", views.info_edit, name="info_edit"),
    path("information-report/history/", views.info_history, name="info_history"),
    path("information-report/<uuid:school_id>/", views.info_public, name="info_public"),
]

# The support plan PDF for parents (reviews' data; owned by the graduated-approach work).
from . import views_plan  # noqa: E402

urlpatterns += [path("plan/<uuid:cycle_id>/pdf/", views_plan.plan_pdf, name="plan_pdf")]
