"""Report runs built by a real Celery worker through Redis (CI sets REDIS_URL): a governors'
report, and a year group's packs fanned out as one task per pupil and joined into one ZIP."""

import io
import os
import time
import zipfile
from contextlib import contextmanager

import pytest

from reports import services
from reports.models import ReportRun, ReportRunPart
from tests.factories import MembershipFactory, NeedFactory, PupilFactory

pytestmark = [
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL (CI sets it)"),
]


@contextmanager
def real_worker(settings):
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
            yield
    finally:
        app.conf.task_always_eager = True


def wait_for(run, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        run.refresh_from_db()
        if run.is_finished:
            break
        time.sleep(0.5)
    return run


def test_report_run_through_a_real_worker(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    senco = MembershipFactory(role="senco")
    PupilFactory.create_batch(12, school=senco.school, sen_status="K")
    with real_worker(settings):
        run = services.report_run_create(
            school=senco.school, type="governors_report", parameters={"year": 2025},
            by=senco.user,
        )  # fmt: skip
        wait_for(run)
    assert run.status == ReportRun.Status.DONE, run.error
    assert run.file.read(4) == b"%PDF"


def test_year_group_packs_fan_out_through_a_real_worker(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    senco = MembershipFactory(role="senco")
    pupils = PupilFactory.create_batch(4, school=senco.school, nc_year="6", sen_status="K")
    for pupil in pupils:
        NeedFactory(pupil=pupil)
    with real_worker(settings):
        run = services.report_run_create(
            school=senco.school, type=ReportRun.Type.TRANSITION_COHORT,
            parameters={"year_group": "6"}, by=senco.user,
        )  # fmt: skip
        wait_for(run, seconds=120)
    assert run.status == ReportRun.Status.DONE, run.error
    assert run.progress == run.total == 4
    with run.file.open("rb") as fh:
        names = zipfile.ZipFile(io.BytesIO(fh.read())).namelist()
    assert len(names) == 8 and sum(n.endswith(".pdf") for n in names) == 4
    assert not ReportRunPart.objects.filter(run=run).exists()  # joined, parts cleared
