"""Round trip through a real Celery worker process (thread) and Redis, when REDIS_URL is set
(CI sets it). Without Redis, tasks run in-process and the eager test below covers the path."""

import os

import pytest
from django.conf import settings

from sencoweb.tasks import health_check


def test_health_task_runs_in_process_without_redis(db):
    assert health_check.delay().get(timeout=5) == {"ok": True}


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL (CI sets it)")
def test_health_task_through_a_real_worker():
    from celery.contrib.testing.worker import start_worker

    from sencoweb.celery import app

    app.conf.task_always_eager = False
    try:
        with start_worker(
            app,
            pool="solo",
            perform_ping_check=False,
            shutdown_timeout=10,
            queues=[settings.CELERY_TASK_DEFAULT_QUEUE],
        ):
            result = health_check.delay()
            assert result.get(timeout=20) == {"ok": True}
    finally:
        app.conf.task_always_eager = True
