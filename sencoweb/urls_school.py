"""URLs of the school pages (included from sencoweb/urls.py)."""

from django.urls import path

from . import views_school

app_name = "school"

urlpatterns = [
    path("settings/", views_school.school_settings, name="settings"),
    path("terms/", views_school.terms, name="terms"),
    path("terms/add/", views_school.term_edit, name="term_add"),
    path("terms/<int:term_id>/", views_school.term_edit, name="term_edit"),
    path("terms/<int:term_id>/delete/", views_school.term_delete, name="term_delete"),
]
