from django.apps import AppConfig


class ProvisionConfig(AppConfig):
    name = "provision"
    verbose_name = "Provision map"

    def ready(self):
        from pupils import hooks
        from sencoweb import home, nav

        from . import panels, services

        nav.register("Today's sessions", "provision:today", "provision.log_session", order=20)
        nav.register("Provision map", "provision:map", "provision.view", order=21)
        nav.register("Budget", "provision:budget", "provision.view_costs", order=22)
        nav.register("Staff", "provision:staff", "staff.manage", order=23)
        hooks.add(hooks.visibility_sources, panels.visible_pupil_ids)
        hooks.add(hooks.chronology_sources, panels.chronology)
        hooks.add(hooks.leaving_handlers, services.end_places_on_leaving)
        hooks.add(hooks.leaving_previews, services.end_places_on_leaving_preview)
        hooks.add(hooks.top_up_indicators, panels.top_up_indicator)
        hooks.add(hooks.profile_links, panels.profile_links)
        home.register(
            "provision.today",
            "provision/panels/today.html",
            panels.today_panel,
            "provision.log_session",
            order=5,
        )
