from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import twofactor, views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("school/switch/", views.switch_school, name="switch_school"),
    path("school/", include("sencoweb.urls_school")),  # school settings and term dates
    path("people/", include("sencoweb.urls_people")),  # staff accounts and roles
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/<int:pk>/read/", views.notification_read, name="notification_read"),
    path("audit/", views.audit_log, name="audit_log"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/two-factor/", twofactor.two_factor, name="two_factor"),
    path("accounts/two-factor/verify/", twofactor.two_factor_verify, name="two_factor_verify"),
    path(
        "accounts/two-factor/recovery-codes/",
        twofactor.two_factor_recovery_codes,
        name="two_factor_recovery_codes",
    ),
    path("accounts/two-factor/off/", twofactor.two_factor_disable, name="two_factor_disable"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("pupils/", include("pupils.urls")),
    path("provision/", include("provision.urls")),
    path("reviews/", include("reviews.urls")),
    path("reports/", include("reports.urls")),
    path("privacy/", include("reports.sar_urls")),
    path("admin/", admin.site.urls),
]
