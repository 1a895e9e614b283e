"""What the EHC part of the reviews app plugs into the lower floors: the register's check that an
issued plan exists (census rule for status E), the menu, and the reminder task."""


def _has_issued_plan(pupil) -> bool:
    from .models import EhcPlan

    return EhcPlan.objects.filter(pupil=pupil, status=EhcPlan.Status.ISSUED).exists()


def register() -> None:
    from pupils import hooks
    from sencoweb import nav

    from . import tasks_ehc  # noqa: F401  (autodiscover imports only reviews/tasks.py)

    if _has_issued_plan not in hooks.ehc_plan_checkers:
        hooks.ehc_plan_checkers.append(_has_issued_plan)
    nav.register("EHC plans", "reviews:ehc_overview", "plans.view", "ehc.edit", order=40)
    nav.register("Deadlines", "reviews:deadlines", "deadlines.view", order=45)
