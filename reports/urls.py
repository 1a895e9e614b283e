from django.urls import path  # noqa: F401

app_name = "reports"

urlpatterns: list = []

# The support plan PDF for parents (reviews' data; owned by the graduated-approach work).
from . import views_plan  # noqa: E402

urlpatterns += [path("plan/<uuid:cycle_id>/pdf/", views_plan.plan_pdf, name="plan_pdf")]
