"""URLs of the school pages (included from sencoweb/urls.py)."""

from django.urls import path  # noqa: F401

app_name = "school"

urlpatterns: list = []
