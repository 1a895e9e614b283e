from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = "Plans, reviews and EHC plans"

    def ready(self):
        # The graduated approach (reviews/views.py): nav, home panel, chronology, beat tasks.
        from . import registry

        registry.register()
        # EHC plans (reviews/*_ehc.py): status E needs an issued plan; nav; reminder task.
        from . import hooks_ehc

        hooks_ehc.register()
