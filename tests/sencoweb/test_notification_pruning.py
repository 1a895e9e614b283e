"""Notifications name pupils; they are messages, not the record: read ones go after 90 days,
unread ones after a year, by a nightly task (registered with Celery beat)."""

import datetime as dt

import pytest
from django.utils import timezone

from sencoweb.celery import app
from sencoweb.models import Notification
from sencoweb.tasks import prune_notifications

pytestmark = pytest.mark.django_db


def test_old_notifications_are_pruned_and_recent_ones_kept(senco, school):
    now = timezone.now()

    def note(title, *, age, read_age=None):
        return Notification.objects.create(
            school=school, user=senco.user, title=title, created_at=now - dt.timedelta(days=age),
            read_at=None if read_age is None else now - dt.timedelta(days=read_age),
        )  # fmt: skip

    note("read long ago", age=200, read_age=120)
    note("unread, over a year", age=400)
    kept = {
        note("read last month", age=60, read_age=30).pk,
        note("unread, six months", age=180).pk,
    }
    assert prune_notifications() == 2
    assert set(Notification.objects.values_list("pk", flat=True)) == kept
    assert prune_notifications() == 0


def test_the_task_runs_nightly():
    entry = app.conf.beat_schedule["sencoweb-prune-notifications"]
    assert entry["task"] == "sencoweb.tasks.prune_notifications"
