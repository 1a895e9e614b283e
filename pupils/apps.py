from django.apps import AppConfig


class PupilsConfig(AppConfig):
    name = "pupils"
    verbose_name = "SEN register"

    def ready(self):
        from sencoweb import home, nav

        from . import panels

        nav.register("SEN register", "pupils:register", "register.view_all", order=10)
        nav.register("My classes", "pupils:my_classes", "register.view_taught", order=11)
        nav.register("Concerns", "pupils:concerns", "concerns.triage", "concerns.raise", order=12)
        nav.register("Census readiness", "pupils:census", "register.view_all", order=13)
        nav.register("Agencies", "pupils:agencies", "register.edit", order=13)
        nav.register("Access arrangements", "pupils:access_arrangements", "register.edit", order=14)

        home.register(
            "pupils.concerns",
            "pupils/panels/senco_concerns.html",
            panels.concerns,
            "concerns.triage",
            order=10,
        )
        home.register(
            "pupils.register",
            "pupils/panels/senco_register.html",
            panels.register_counts,
            "register.view_all",
            order=11,
        )
        home.register(
            "pupils.access",
            "pupils/panels/access_expiring.html",
            panels.access_expiring,
            "register.edit",
            order=12,
        )
        home.register(
            "pupils.my_pupils",
            "pupils/panels/my_pupils.html",
            panels.my_pupils,
            "register.view_taught",
            order=10,
        )
