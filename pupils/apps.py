from django.apps import AppConfig


class PupilsConfig(AppConfig):
    name = "pupils"
    verbose_name = "SEN register"

    def ready(self):
        from sencoweb import nav

        nav.register("SEN register", "pupils:register", "register.view_all", order=10)
        nav.register("My classes", "pupils:my_classes", "register.view_taught", order=11)
        nav.register("Concerns", "pupils:concerns", "concerns.triage", "concerns.raise", order=12)
