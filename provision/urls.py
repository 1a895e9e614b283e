from django.urls import path

from . import views

app_name = "provision"

urlpatterns = [
    path("", views.provision_map, name="map"),
    path("today/", views.today, name="today"),
    path("interventions/", views.interventions, name="interventions"),
    path("interventions/new/", views.intervention_new, name="intervention_new"),
    path(
        "interventions/<uuid:intervention_id>/edit/",
        views.intervention_edit,
        name="intervention_edit",
    ),
    path("effectiveness/", views.effectiveness, name="effectiveness"),
    path("groups/new/", views.group_new, name="group_new"),
    path("groups/<uuid:group_id>/", views.group_detail, name="group"),
    path("groups/<uuid:group_id>/edit/", views.group_edit, name="group_edit"),
    path("groups/<uuid:group_id>/enrol/", views.group_enrol, name="group_enrol"),
    path(
        "groups/<uuid:group_id>/sessions/<str:date>/quick/",
        views.session_quick,
        name="session_quick",
    ),
    path("groups/<uuid:group_id>/sessions/<str:date>/", views.session_form, name="session"),
    path("enrolments/<uuid:enrolment_id>/", views.enrolment_edit, name="enrolment"),
    path("pupils/<uuid:pupil_id>/", views.pupil_provision, name="pupil"),
    path("staff/<uuid:member_id>/timetable/", views.staff_timetable, name="staff_timetable"),
    path("my-timetable/", views.my_timetable, name="my_timetable"),
    path("budget/", views.budget, name="budget"),
    path("budget/edit/", views.budget_edit, name="budget_edit"),
    path("budget/top-up/new/", views.topup_new, name="topup_new"),
    path("staff/", views.staff, name="staff"),
    path("staff/training/new/", views.training_new, name="training_new"),
    path("staff/<uuid:member_id>/rate/", views.staff_rate, name="staff_rate"),
    path("staff/senco-qualification/", views.qualification_edit, name="qualification"),
]
