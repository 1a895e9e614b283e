from django.urls import path

from . import views, views_import

app_name = "pupils"

urlpatterns = [
    path("register/", views.register, name="register"),
    path("my-classes/", views.my_classes, name="my_classes"),
    path("concerns/", views.concerns, name="concerns"),
    path("concerns/new/", views.concern_new, name="concern_new"),
    path("concerns/<uuid:concern_id>/", views.concern_triage, name="concern_triage"),
    path("agencies/", views.agencies, name="agencies"),
    path("agencies/new/", views.agency_edit, name="agency_new"),
    path("agencies/<uuid:agency_id>/", views.agency_edit, name="agency_edit"),
    path(
        "agencies/<uuid:agency_id>/professional/", views.professional_add, name="professional_add"
    ),
    path("access-arrangements/", views.access_arrangements, name="access_arrangements"),
    path("<uuid:pupil_id>/", views.pupil_detail, name="detail"),
    path("<uuid:pupil_id>/profile/", views.profile_edit, name="profile_edit"),
    path("<uuid:pupil_id>/changes/", views.pupil_changes, name="changes"),
    path("<uuid:pupil_id>/decision/", views.decision_new, name="decision_new"),
    path("<uuid:pupil_id>/needs/new/", views.need_add, name="need_add"),
    path("<uuid:pupil_id>/needs/<uuid:need_id>/end/", views.need_end, name="need_end"),
    path("<uuid:pupil_id>/needs/<uuid:need_id>/up/", views.need_move_up, name="need_move_up"),
    path("<uuid:pupil_id>/archive/", views.pupil_archive, name="archive"),
    path("<uuid:pupil_id>/contacts/new/", views.contact_edit, name="contact_new"),
    path("<uuid:pupil_id>/contacts/<uuid:contact_id>/", views.contact_edit, name="contact_edit"),
    path(
        "<uuid:pupil_id>/contacts/<uuid:contact_id>/delete/",
        views.contact_delete,
        name="contact_delete",
    ),
    path("<uuid:pupil_id>/liaison/new/", views.liaison_add, name="liaison_add"),
    path("<uuid:pupil_id>/liaison/<uuid:entry_id>/done/", views.liaison_done, name="liaison_done"),
    path("<uuid:pupil_id>/agencies/new/", views.involvement_edit, name="involvement_new"),
    path(
        "<uuid:pupil_id>/agencies/<uuid:involvement_id>/",
        views.involvement_edit,
        name="involvement_edit",
    ),
    path(
        "<uuid:pupil_id>/agencies/<uuid:involvement_id>/delete/",
        views.involvement_delete,
        name="involvement_delete",
    ),
    path("<uuid:pupil_id>/documents/new/", views.document_upload, name="document_upload"),
    path(
        "<uuid:pupil_id>/documents/<uuid:document_id>/",
        views.document_download,
        name="document_download",
    ),
    path("<uuid:pupil_id>/access/new/", views.access_arrangement_edit, name="access_new"),
    path(
        "<uuid:pupil_id>/access/<uuid:arrangement_id>/",
        views.access_arrangement_edit,
        name="access_edit",
    ),
    path(
        "<uuid:pupil_id>/access/<uuid:arrangement_id>/delete/",
        views.access_arrangement_delete,
        name="access_delete",
    ),
    path("import/", views_import.import_upload, name="import"),
    path("import/preview/", views_import.import_preview, name="import_preview"),
    path("import/confirm/", views_import.import_confirm, name="import_confirm"),
    path("import/cancel/", views_import.import_cancel, name="import_cancel"),
    path("import/done/", views_import.import_done, name="import_done"),
    path("census/", views_import.census_readiness, name="census"),
]
