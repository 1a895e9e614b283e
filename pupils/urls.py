from django.urls import path

from . import views

app_name = "pupils"

urlpatterns = [
    path("<uuid:pupil_id>/", views.pupil_detail, name="detail"),
]
