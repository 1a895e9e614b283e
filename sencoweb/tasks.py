from celery import shared_task
from django.db import connection


@shared_task
def health_check() -> dict:
    """Round trip used by /healthz and the worker tests: proves a worker can reach the DB."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"ok": True}


# Notifications name pupils ("New concern about ..."): they are messages, not the record, so
# they are not kept for ever. Read ones go after READ_DAYS, unread ones after UNREAD_DAYS.
NOTIFICATION_READ_DAYS = 90
NOTIFICATION_UNREAD_DAYS = 365


@shared_task
def prune_notifications() -> int:
    """Delete old notifications (idempotent: a second run finds nothing more)."""
    from datetime import timedelta

    from django.db.models import Q
    from django.utils import timezone

    from .models import Notification

    now = timezone.now()
    old = Q(read_at__lt=now - timedelta(days=NOTIFICATION_READ_DAYS)) | Q(
        read_at__isnull=True, created_at__lt=now - timedelta(days=NOTIFICATION_UNREAD_DAYS)
    )
    deleted, _ = Notification.objects.filter(old).delete()
    return deleted
