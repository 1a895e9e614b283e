"""Thin Celery wrappers for the graduated approach. Beat runs them daily (schedule in
reviews/registry.py); both services claim each row before emailing, so reruns send nothing."""

from celery import shared_task

from . import services


@shared_task
def send_review_reminders() -> int:
    return services.review_reminders_send()


@shared_task
def chase_contributions() -> int:
    return services.contributions_chase()
