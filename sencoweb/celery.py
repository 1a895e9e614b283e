"""The Celery app. With REDIS_URL unset, tasks run in-process (eager); set, they go to Redis."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sencoweb.settings")

app = Celery("sencoweb")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def register_beat(entries: dict) -> None:
    """Add periodic tasks. Apps call this from AppConfig.ready(), so the beat process (which
    sets Django up before it reads the schedule) sees every app's entries in one place."""
    app.conf.beat_schedule = {**(app.conf.beat_schedule or {}), **entries}
