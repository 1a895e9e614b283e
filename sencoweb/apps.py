from django.apps import AppConfig


class SencowebConfig(AppConfig):
    name = "sencoweb"
    verbose_name = "SENCo Web core"

    def ready(self):
        from . import nav, signals  # noqa: F401  (signals registers sign-in auditing)

        nav.register("Home", "home", order=0)
        nav.register("Audit trail", "audit_log", "audit.view", order=90, group="Admin")
        nav.register("Staff accounts", "people:list", "people.manage", order=91, group="Admin")
        nav.register(
            "School settings", "school:settings", "school.settings", order=92, group="Admin"
        )
        nav.register("Retention", "privacy:retention", "privacy.manage", order=95)
