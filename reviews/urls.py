from django.urls import path

from . import views, views_ehc

app_name = "reviews"

# The graduated approach: cycles, reviews, contributions, calendar (views).
urlpatterns: list = [
    path("pupil/<uuid:pupil_id>/", views.pupil_cycles, name="pupil_cycles"),
    path("pupil/<uuid:pupil_id>/open/", views.open_cycle, name="cycle_open"),
    path("cycle/<uuid:cycle_id>/", views.cycle_detail, name="cycle_detail"),
    path("cycle/<uuid:cycle_id>/assess/", views.edit_assessment, name="cycle_assess"),
    path("cycle/<uuid:cycle_id>/settings/", views.edit_plan_settings, name="cycle_settings"),
    path("cycle/<uuid:cycle_id>/outcomes/add/", views.add_outcome, name="outcome_add"),
    path(
        "cycle/<uuid:cycle_id>/outcomes/<uuid:outcome_id>/",
        views.edit_outcome,
        name="outcome_edit",
    ),
    path(
        "cycle/<uuid:cycle_id>/outcomes/<uuid:outcome_id>/delete/",
        views.delete_outcome,
        name="outcome_delete",
    ),
    path("cycle/<uuid:cycle_id>/issue/", views.issue_plan, name="plan_issue_version"),
    path("cycle/<uuid:cycle_id>/v<int:number>/", views.version_detail, name="version_detail"),
    path("cycle/<uuid:cycle_id>/review/", views.close_review, name="cycle_review"),
    path("cycle/<uuid:cycle_id>/links/", views.create_link, name="link_create"),
    path("links/<uuid:link_id>/revoke/", views.revoke_link, name="link_revoke"),
    path("links/<uuid:link_id>/report/", views.contribution_report, name="contribution_report"),
    path("c/<str:link_token>/", views.contribute, name="contribute"),
    path("calendar/", views.calendar, name="calendar"),
    path("calendar/token/", views.rotate_calendar_token, name="calendar_token"),
    path("calendar/feed/<str:feed_token>.ics", views.ical_feed, name="ical_feed"),
    path("class-plans/", views.class_plans, name="class_plans"),
    path("settings/", views.review_settings, name="settings"),
]

# EHC needs assessments, plans, annual reviews and statutory deadlines (views_ehc).
urlpatterns += [
    path("ehc/", views_ehc.ehc_overview, name="ehc_overview"),
    path("ehc/pupil/<uuid:pupil_id>/", views_ehc.pupil_ehc, name="pupil_ehc"),
    path("ehc/pupil/<uuid:pupil_id>/request/", views_ehc.request_new, name="request_new"),
    path("ehc/pupil/<uuid:pupil_id>/plan/", views_ehc.plan_new, name="plan_new"),
    path("ehc/request/<uuid:request_id>/", views_ehc.request_detail, name="request_detail"),
    path("ehc/plan/<uuid:plan_id>/", views_ehc.plan_detail, name="plan_detail"),
    path("ehc/plan/<uuid:plan_id>/edit/", views_ehc.plan_edit, name="plan_edit"),
    path("ehc/plan/<uuid:plan_id>/issue/", views_ehc.plan_issue, name="plan_issue"),
    path("ehc/plan/<uuid:plan_id>/amend/", views_ehc.plan_amend, name="plan_amend"),
    path("ehc/plan/<uuid:plan_id>/cease/", views_ehc.plan_cease, name="plan_cease"),
    path("ehc/plan/<uuid:plan_id>/top-up/", views_ehc.plan_top_up, name="plan_top_up_new"),
    path(
        "ehc/plan/<uuid:plan_id>/top-up/<int:top_up_id>/",
        views_ehc.plan_top_up,
        name="plan_top_up_edit",
    ),
    path("ehc/plan/<uuid:plan_id>/review/", views_ehc.review_new, name="review_new"),
    path("ehc/review/<uuid:review_id>/", views_ehc.review_edit, name="review_edit"),
    path("ehc/la-rules/", views_ehc.la_rules, name="la_rules"),
    path("ehc/la-rules/<int:profile_id>/", views_ehc.la_rules, name="la_rule_edit"),
    path("deadlines/", views_ehc.deadlines, name="deadlines"),
]
