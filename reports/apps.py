from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Reports and dashboards"

    def ready(self):
        from sencoweb import home, nav, retention

        from . import panels, services, tasks  # noqa: F401  (tasks registers the beat schedule)

        retention.destroy_hooks.append(services.report_runs_destroy_for_pupils)

        nav.register("Dashboard", "reports:dashboard", "dashboard.view",
                     "dashboard.view_anonymised", order=80)  # fmt: skip
        nav.register("Reports", "reports:index", "reports.build", "reports.governors.download",
                     order=85)  # fmt: skip
        home.register(
            "reports_governors",
            "reports/panels/governors_report.html",
            panels.governors_report_panel,
            "reports.governors.download",
            order=20,
        )
