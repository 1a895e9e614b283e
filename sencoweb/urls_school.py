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
    path("closures/add/", views_school.closure_add, name="closure_add"),
    path("closures/<int:closure_id>/delete/", views_school.closure_delete, name="closure_delete"),
    path(
        "terms/<int:year>/bank-holidays/",
        views_school.bank_holidays_add,
        name="bank_holidays_add",
    ),
]
