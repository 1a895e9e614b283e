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
        if panels.visible_pupil_ids not in hooks.visibility_sources:
            hooks.visibility_sources.append(panels.visible_pupil_ids)
        if panels.chronology not in hooks.chronology_sources:
            hooks.chronology_sources.append(panels.chronology)
        if services.end_places_on_leaving not in hooks.leaving_handlers:
            hooks.leaving_handlers.append(services.end_places_on_leaving)
        if services.end_places_on_leaving_preview not in hooks.leaving_previews:
            hooks.leaving_previews.append(services.end_places_on_leaving_preview)
        if panels.top_up_indicator not in hooks.top_up_indicators:
            hooks.top_up_indicators.append(panels.top_up_indicator)
        if panels.profile_links not in hooks.profile_links:
            hooks.profile_links.append(panels.profile_links)
        home.register(
            "provision.today",
            "provision/panels/today.html",
            panels.today_panel,
            "provision.log_session",
            order=5,
        )
