from django.apps import AppConfig


class SencowebConfig(AppConfig):
    name = "sencoweb"
    verbose_name = "SENCo Web core"

    def ready(self):
        from celery.schedules import crontab

        from . import nav, signals  # noqa: F401  (signals registers sign-in auditing)
        from .celery import register_beat

        register_beat(
            {
                "sencoweb-prune-notifications": {
                    "task": "sencoweb.tasks.prune_notifications",
                    "schedule": crontab(hour=3, minute=40),
                }
            }
        )

        nav.register("Home", "home", order=0)
        nav.register("Audit trail", "audit_log", "audit.view", order=90, group="Admin")
        nav.register("Staff accounts", "people:list", "people.manage", order=91, group="Admin")
        nav.register(
            "School settings", "school:settings", "school.settings", order=92, group="Admin"
        )
        nav.register("Retention", "privacy:retention", "privacy.manage", order=95)
