from celery import shared_task
from django.db import connection


@shared_task
def health_check() -> dict:
    """Round trip used by /healthz and the worker tests: proves a worker can reach the DB."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"ok": True}
