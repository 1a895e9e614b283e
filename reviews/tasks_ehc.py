"""Daily email reminders before each statutory EHC deadline (thin: the service does the work)."""

from celery import shared_task
from celery.schedules import crontab
from django.utils import timezone


@shared_task
def send_ehc_deadline_reminders() -> int:
    """Safe to run more than once a day: each reminder is recorded before it is sent."""
    from .services_ehc import deadline_reminders_send

    return deadline_reminders_send(today=timezone.localdate())


BEAT_SCHEDULE = {
    "reviews-ehc-deadline-reminders": {
        "task": "reviews.tasks_ehc.send_ehc_deadline_reminders",
        "schedule": crontab(hour=6, minute=30),
    },
}
