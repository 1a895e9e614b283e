"""URLs of the people pages (included from sencoweb/urls.py)."""

from django.urls import path

from . import views_people

app_name = "people"

urlpatterns = [
    path("", views_people.member_list, name="list"),
    path("add/", views_people.member_add, name="add"),
    path("<int:membership_id>/", views_people.member_edit, name="edit"),
]
