"""Thin Celery tasks: take ids, reload, call a service (DESIGN.md point 9)."""

from celery import shared_task
from celery.schedules import crontab
from django.conf import settings
from django.db import OperationalError

from sencoweb.celery import register_beat
from sencoweb.models import School

from . import selectors, services
from .models import ReportRun

# Building a document: acknowledged only when done (a killed worker's message is redelivered),
# bounded in time, retried after a database blip. The claim makes a second delivery harmless.
BUILD_TASK = {
    "bind": True,
    "acks_late": True,
    "time_limit": settings.CELERY_TASK_TIME_LIMIT,
    "soft_time_limit": settings.CELERY_TASK_SOFT_TIME_LIMIT,
    "autoretry_for": (OperationalError,),
    "retry_backoff": True,
    "max_retries": 3,
}


@shared_task(**BUILD_TASK)
def build_report_run(self, report_run_id: int) -> None:
    run = ReportRun.objects.select_related("school").filter(pk=report_run_id).first()
    if run is None:
        return  # deleted before we ran
    services.report_run_build(run=run)


@shared_task(**BUILD_TASK)
def build_report_run_part(self, part_id: int) -> None:
    """One pupil's pack of a year group: any worker may take any part of the run."""
    services.report_run_part_build(part_id=part_id)


@shared_task
def sweep_stuck_report_runs() -> int:
    return services.report_run_sweep()


@shared_task
def cleanup_old_report_runs() -> int:
    return services.report_run_cleanup()


@shared_task
def take_census_snapshots() -> int:
    """Run on census day: freeze every school's aggregate register."""
    schools = list(School.objects.all())
    for school in schools:
        selectors.snapshot_take(school)
    return len(schools)


REPORTS_BEAT_SCHEDULE = {
    "reports-sweep-stuck-runs": {
        "task": "reports.tasks.sweep_stuck_report_runs",
        "schedule": 300.0,
    },
    "reports-cleanup-old-runs": {
        "task": "reports.tasks.cleanup_old_report_runs",
        "schedule": crontab(hour=3, minute=15),
    },
    # Spring census day is the third Thursday of January: Thursdays 15-21 January.
    "reports-census-snapshot": {
        "task": "reports.tasks.take_census_snapshots",
        "schedule": crontab(hour=7, minute=0, day_of_week=4, day_of_month="15-21", month_of_year=1),
    },
}

register_beat(REPORTS_BEAT_SCHEDULE)
