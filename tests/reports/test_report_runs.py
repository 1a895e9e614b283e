"""The report run state machine: claim once, fail with a message, retry, sweep stuck runs."""

import datetime as dt

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from reports import services
from reports.models import ReportRun

from .factories import ReportRunFactory


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_claim_is_idempotent(db):
    run = ReportRunFactory()
    assert services.report_run_claim(run_id=run.pk) is True
    assert services.report_run_claim(run_id=run.pk) is False
    run.refresh_from_db()
    assert run.status == ReportRun.Status.RUNNING and run.started_at


def test_create_builds_the_report_and_stores_the_pdf(senco, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run = services.report_run_create(
            school=senco.school, type="governors_report", parameters={"year": 2025}, by=senco.user
        )
    run.refresh_from_db()
    assert run.status == ReportRun.Status.DONE, run.error
    assert run.file.name.endswith(".pdf")
    assert run.file.read(4) == b"%PDF"
    assert run.progress == run.total > 0


def test_a_built_run_is_not_built_again(senco):
    run = ReportRunFactory(school=senco.school, status=ReportRun.Status.DONE)
    services.report_run_build(run=run)
    run.refresh_from_db()
    assert run.status == ReportRun.Status.DONE and not run.file


def test_failure_has_an_actionable_message_and_retry_requeues(
    senco, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        run = services.report_run_create(
            school=senco.school, type="transition_cohort", parameters={"year_group": "6"},
            by=senco.user,
        )  # fmt: skip
    run.refresh_from_db()
    assert run.status == ReportRun.Status.FAILED
    assert "Choose another year group" in run.error
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert services.report_run_retry(run=run) is True
    run.refresh_from_db()
    assert run.status == ReportRun.Status.QUEUED and run.error == "" and run.attempts == 1
    assert len(callbacks) == 1  # enqueued again, on commit
    assert services.report_run_retry(run=run) is False  # only failed runs


def test_unexpected_errors_say_what_to_do(senco, monkeypatch):
    def boom(run, step):
        raise RuntimeError("disk on fire")

    monkeypatch.setitem(__import__("reports.builders").builders.BUILDERS, "governors_report", boom)
    run = ReportRunFactory(school=senco.school)
    services.report_run_build(run=run)
    run.refresh_from_db()
    assert run.status == ReportRun.Status.FAILED
    assert "Press Retry" in run.error and "disk on fire" not in run.error


def test_sweep_fails_runs_stuck_past_the_time_limit(db, settings):
    now = timezone.now()
    stuck = ReportRunFactory(
        status=ReportRun.Status.RUNNING,
        started_at=now - dt.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 120),
    )
    fresh = ReportRunFactory(status=ReportRun.Status.RUNNING, started_at=now)
    assert services.report_run_sweep(now=now) == 1
    stuck.refresh_from_db()
    fresh.refresh_from_db()
    assert stuck.status == ReportRun.Status.FAILED
    assert stuck.error == "The job stopped unexpectedly; press Retry."
    assert fresh.status == ReportRun.Status.RUNNING


def test_cleanup_deletes_old_runs_and_their_files(db, tmp_path):
    old = ReportRunFactory(created_at=timezone.now() - dt.timedelta(days=31))
    old.file.save("old.pdf", ContentFile(b"%PDF-old"))
    path = old.file.path
    keep = ReportRunFactory()
    assert services.report_run_cleanup() == 1
    assert not ReportRun.objects.filter(pk=old.pk).exists()
    assert ReportRun.objects.filter(pk=keep.pk).exists()
    assert not __import__("os").path.exists(path)


def test_beat_runs_the_sweep_cleanup_and_census_snapshot():
    from sencoweb.celery import app

    schedule = app.conf.beat_schedule
    assert schedule["reports-sweep-stuck-runs"]["task"] == "reports.tasks.sweep_stuck_report_runs"
    assert "reports-cleanup-old-runs" in schedule and "reports-census-snapshot" in schedule


def test_broker_down_keeps_the_run_queued_and_the_sweep_sends_it_again(db, senco, monkeypatch):
    """Redis down when a run is made: no error for the user, and the sweep re-sends it later."""
    import datetime as dt

    from django.utils import timezone

    from reports import services, tasks

    calls = []

    def broken_delay(run_id):
        calls.append(run_id)
        raise ConnectionError("broker unreachable")

    monkeypatch.setattr(tasks.build_report_run, "delay", broken_delay)
    with django_capture_on_commit():
        run = services.report_run_create(
            school=senco.school, type="governors_report", parameters={"year": 2025}, by=senco.user
        )
    run.refresh_from_db()
    assert run.status == "queued" and calls == [run.pk]
    services.report_run_sweep(now=timezone.now() + dt.timedelta(minutes=11))
    assert calls == [run.pk, run.pk]


def django_capture_on_commit():
    from django.test import TestCase

    return TestCase.captureOnCommitCallbacks(execute=True)
