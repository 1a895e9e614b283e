"""A governors' report built by a real Celery worker through Redis (CI sets REDIS_URL)."""

import os
import time

import pytest

from reports import services
from reports.models import ReportRun
from tests.factories import MembershipFactory, PupilFactory


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL (CI sets it)")
def test_report_run_through_a_real_worker(tmp_path, settings):
    from celery.contrib.testing.worker import start_worker

    from sencoweb.celery import app

    settings.MEDIA_ROOT = tmp_path
    senco = MembershipFactory(role="senco")
    PupilFactory.create_batch(12, school=senco.school, sen_status="K")
    app.conf.task_always_eager = False
    try:
        with start_worker(
            app,
            pool="solo",
            perform_ping_check=False,
            shutdown_timeout=10,
            queues=[settings.CELERY_TASK_DEFAULT_QUEUE],
        ):
            run = services.report_run_create(
                school=senco.school, type="governors_report", parameters={"year": 2025},
                by=senco.user,
            )  # fmt: skip
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                run.refresh_from_db()
                if run.is_finished:
                    break
                time.sleep(0.5)
    finally:
        app.conf.task_always_eager = True
    assert run.status == ReportRun.Status.DONE, run.error
    assert run.file.read(4) == b"%PDF"
