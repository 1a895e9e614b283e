"""The Celery app. With REDIS_URL unset, tasks run in-process (eager); set, they go to Redis."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sencoweb.settings")

app = Celery("sencoweb")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
