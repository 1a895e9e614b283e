"""Faults: a database error mid-write, a worker killed mid-job, the broker down.
Nothing is half-written, and no job is lost or stuck for good."""

import contextlib
import datetime as dt
import socket
from unittest import mock

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from kombu.exceptions import OperationalError as KombuOperationalError

from pupils.models import Pupil, StatusDecision
from sencoweb.models import AuditEvent

# --- (a) a database error in the middle of a multi-step write -----------------------------


def test_status_decision_is_all_or_nothing(taught_pupil, senco):
    from pupils import services

    before = taught_pupil.sen_status
    with (
        mock.patch.object(Pupil, "save", side_effect=DatabaseError("disk full")),
        pytest.raises(DatabaseError),
    ):
        services.status_decision_record(
            pupil=taught_pupil,
            to_status="N",
            decided_on=timezone.localdate(),
            reason="Making good progress",
            evidence="Termly data",
            decided_by="SENCO",
            parents_informed=False,
            parents_informed_on=None,
            by=senco.user,
        )
    # The decision row was inserted before the failing step: it must have been rolled back.
    assert not StatusDecision.objects.filter(pupil=taught_pupil).exists()
    taught_pupil.refresh_from_db()
    assert taught_pupil.sen_status == before


def test_retention_destroys_nothing_if_the_destruction_record_fails(school):
    from sencoweb import retention
    from tests.factories import NeedFactory, PupilFactory

    pupil = PupilFactory(
        school=school, archived_at=timezone.now(), retention_until=dt.date(2000, 1, 1)
    )
    NeedFactory(pupil=pupil)
    with (
        mock.patch.object(retention, "append_audit_event", side_effect=DatabaseError("gone")),
        pytest.raises(DatabaseError),
    ):
        retention.retention_destroy(today=dt.date(2030, 1, 1))
    assert Pupil.objects.filter(pk=pupil.pk).exists()
    assert pupil.needs.count() == 1


def test_an_audit_row_is_not_half_chained(db):
    """A failure while appending leaves neither the row nor a moved chain head."""
    from sencoweb.management.commands.verify_audit import verify_chain
    from sencoweb.models import AuditChainHead, append_audit_event

    append_audit_event(username="a", action="view")
    head = AuditChainHead.objects.get(pk=1).last_hash
    action = "view"
    if connection.vendor == "postgresql":
        # One statement there (sencoweb.models._append_sql): a value the column refuses fails
        # the INSERT inside it (and is refused, not cut short to a row its hash does not fit).
        failing, action = contextlib.nullcontext(), "x" * 40
    else:
        failing = mock.patch.object(
            AuditChainHead.objects, "filter", side_effect=DatabaseError("x")
        )
    with failing, pytest.raises(DatabaseError), transaction.atomic():
        append_audit_event(username="b", action=action)
    assert AuditChainHead.objects.get(pk=1).last_hash == head
    assert AuditEvent.objects.count() == 1
    assert verify_chain()[1] is None


# --- (b) a worker killed mid-job ----------------------------------------------------------


@pytest.fixture
def report_run(school, senco):
    from reports.models import ReportRun

    return ReportRun.objects.create(
        school=school, type=ReportRun.Type.GOVERNORS, parameters={}, requested_by=senco.user
    )


def test_a_run_left_running_by_a_killed_worker_is_swept_and_can_be_retried(
    report_run, settings, django_capture_on_commit_callbacks
):
    from reports import services
    from reports.models import ReportRun
    from reports.tasks import build_report_run

    # The worker claimed the run and was then killed (SIGKILL: no except/finally ran).
    assert services.report_run_claim(run_id=report_run.pk)
    # With acks_late the broker redelivers the message: the duplicate must not start a second
    # build of a run another worker may still be on.
    with mock.patch("reports.builders.build") as build:
        build_report_run.delay(report_run.pk)
    build.assert_not_called()
    report_run.refresh_from_db()
    assert report_run.status == ReportRun.Status.RUNNING

    # Not yet past the time limit: still running (it might be a slow job).
    assert services.report_run_sweep() == 0
    later = timezone.now() + dt.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 120)
    assert services.report_run_sweep(now=later) == 1
    report_run.refresh_from_db()
    assert report_run.status == ReportRun.Status.FAILED
    assert "Retry" in report_run.error

    # Retry puts it back on the queue and the next worker builds it.
    with (
        mock.patch("reports.builders.build", return_value=("r.pdf", b"%PDF-1.7 ok")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert services.report_run_retry(run=report_run)
    report_run.refresh_from_db()
    assert report_run.status == ReportRun.Status.DONE
    assert report_run.file.read().startswith(b"%PDF")


def test_a_database_blip_mid_build_puts_the_run_back_for_the_autoretry(report_run):
    from django.db import OperationalError

    from reports import services
    from reports.models import ReportRun

    with (
        mock.patch("reports.builders.build", side_effect=OperationalError("server closed")),
        pytest.raises(OperationalError),
    ):
        services.report_run_build(run=report_run)
    report_run.refresh_from_db()
    assert report_run.status == ReportRun.Status.QUEUED  # claimable by the retried task


# --- (c) the broker (Redis) restarted or unavailable ---------------------------------------


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed again when the block ends


def _reset_pools(app):
    if app._pool is not None:
        app._pool.force_close_all()
        app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def broker_down():
    from sencoweb.celery import app

    saved = {
        k: app.conf.get(k)
        for k in ("task_always_eager", "broker_url", "broker_connection_max_retries")
    }
    app.conf.update(
        task_always_eager=False,
        broker_url=f"redis://127.0.0.1:{_closed_port()}/0",
        broker_connection_max_retries=1,
        broker_connection_retry=False,
        broker_transport_options={"max_retries": 1, "interval_start": 0, "interval_step": 0},
    )
    _reset_pools(app)
    yield app
    app.conf.update(saved)
    _reset_pools(app)


def test_enqueue_with_the_broker_down_keeps_the_run_queued(
    school, senco, broker_down, django_capture_on_commit_callbacks
):
    from reports import services
    from reports.models import ReportRun

    try:
        with django_capture_on_commit_callbacks(execute=True):
            run = services.report_run_create(
                school=school, type=ReportRun.Type.GOVERNORS, parameters={}, by=senco.user
            )
    except KombuOperationalError:
        pass  # the request fails after the commit; the row must still be there, queued
    run = ReportRun.objects.get(school=school)
    assert run.status == ReportRun.Status.QUEUED
    # When the broker is back, nothing was lost: the queued run can still be built.
    from sencoweb.celery import app

    app.conf.task_always_eager = True
    with mock.patch("reports.builders.build", return_value=("r.pdf", b"%PDF-1.7 ok")):
        services.report_run_build(run=run)
    run.refresh_from_db()
    assert run.status == ReportRun.Status.DONE
