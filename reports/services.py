"""Report runs: create, claim, build, retry, sweep, clean up. The Celery tasks are thin wrappers
around these (DESIGN.md points 9-11)."""

import datetime as dt
import logging

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import OperationalError, transaction
from django.utils import timezone

from .models import ReportRun

log = logging.getLogger(__name__)

STUCK_MESSAGE = "The job stopped unexpectedly; press Retry."
KEEP_DAYS = 30


class BuildError(Exception):
    """A failure a person can act on; its message is shown on the run page as it is."""


def _send(run_id: int) -> None:
    from . import tasks

    try:
        tasks.build_report_run.delay(run_id)
    except Exception:  # broker down: the run stays queued and the sweep sends it again
        log.warning("Could not enqueue report run %s; the sweep will retry", run_id, exc_info=True)


def _enqueue(run_id: int) -> None:
    transaction.on_commit(lambda: _send(run_id))


@transaction.atomic
def report_run_create(*, school, type: str, parameters: dict, by) -> ReportRun:
    run = ReportRun.objects.create(school=school, type=type, parameters=parameters, requested_by=by)
    _enqueue(run.pk)
    return run


def report_run_claim(*, run_id: int) -> bool:
    """Take the run for this worker. False: another worker has it, or it already ran."""
    claimed = ReportRun.objects.filter(pk=run_id, status=ReportRun.Status.QUEUED).update(
        status=ReportRun.Status.RUNNING,
        started_at=timezone.now(),
        finished_at=None,
        progress=0,
        error="",
    )
    return claimed == 1


def report_run_progress(*, run_id: int, done: int, total: int) -> None:
    ReportRun.objects.filter(pk=run_id, status=ReportRun.Status.RUNNING).update(
        progress=done, total=total
    )


def report_run_fail(*, run_id: int, error: str) -> None:
    ReportRun.objects.filter(pk=run_id).update(
        status=ReportRun.Status.FAILED, error=error[:1000], finished_at=timezone.now()
    )


def report_run_build(*, run: ReportRun) -> None:
    """Claim the run, build its document and store it. Idempotent: a duplicate or retried task
    message finds the run no longer queued and does nothing."""
    from .builders import build

    if not report_run_claim(run_id=run.pk):
        return
    run.refresh_from_db()

    def step(done: int, total: int) -> None:
        report_run_progress(run_id=run.pk, done=done, total=total)

    try:
        name, data = build(run, step)
    except BuildError as exc:
        report_run_fail(run_id=run.pk, error=str(exc))
        return
    except OperationalError:
        # The database blipped: put the run back so the task's autoretry can claim it again.
        ReportRun.objects.filter(pk=run.pk, status=ReportRun.Status.RUNNING).update(
            status=ReportRun.Status.QUEUED
        )
        raise
    except SoftTimeLimitExceeded:
        minutes = settings.CELERY_TASK_TIME_LIMIT // 60
        report_run_fail(
            run_id=run.pk,
            error=f"The job took longer than {minutes} minutes and was stopped. Press Retry; "
            "for a whole year group, try building the packs for fewer pupils.",
        )
        return
    except Exception:
        log.exception("Report run %s failed", run.pk)
        report_run_fail(
            run_id=run.pk,
            error=f"Something went wrong while building this document (reference {run.pk}). "
            "Press Retry; if it fails again, send the reference to your SENCo Web administrator.",
        )
        return
    run.file.save(name, ContentFile(data), save=False)
    run.status = ReportRun.Status.DONE
    run.finished_at = timezone.now()
    run.progress = run.total = max(run.total, run.progress, 1)
    run.save(update_fields=["file", "status", "finished_at", "progress", "total"])


@transaction.atomic
def report_run_retry(*, run: ReportRun) -> bool:
    """A failed run goes back to the queue for a fresh claim."""
    requeued = ReportRun.objects.filter(pk=run.pk, status=ReportRun.Status.FAILED).update(
        status=ReportRun.Status.QUEUED,
        error="",
        progress=0,
        started_at=None,
        finished_at=None,
        attempts=run.attempts + 1,
    )
    if requeued:
        _enqueue(run.pk)
    return requeued == 1


QUEUED_RESEND_AFTER = dt.timedelta(minutes=10)


def report_run_sweep(*, now: dt.datetime | None = None) -> int:
    """Fail runs left in `running` past the task time limit (the worker died or was killed), and
    send again runs still queued after ten minutes (the broker was down when they were made).
    Sending twice is harmless: the claim lets only one worker build a run."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)
    stale = ReportRun.objects.filter(
        status=ReportRun.Status.QUEUED, created_at__lt=now - QUEUED_RESEND_AFTER
    ).values_list("pk", flat=True)
    for run_id in stale:
        _send(run_id)
    return ReportRun.objects.filter(status=ReportRun.Status.RUNNING, started_at__lt=cutoff).update(
        status=ReportRun.Status.FAILED, error=STUCK_MESSAGE, finished_at=now
    )


def report_run_cleanup(*, now: dt.datetime | None = None, days: int = KEEP_DAYS) -> int:
    """Delete runs, and their files, older than `days`."""
    now = now or timezone.now()
    old = ReportRun.objects.filter(created_at__lt=now - dt.timedelta(days=days))
    deleted = 0
    for run in old.iterator():
        if run.file:
            run.file.delete(save=False)
        run.delete()
        deleted += 1
    return deleted
