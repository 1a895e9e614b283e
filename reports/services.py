"""Report runs: create, claim, build, retry, sweep, clean up. The Celery tasks are thin wrappers
around these (DESIGN.md points 9-11).

A year group's packs are fanned out (builders.FAN_OUT): claiming the run creates one part per
pupil and sends a task per part, so every worker takes a share of one run; the part task that
finishes the last part claims the assembly and joins the parts into the run's ZIP. Each step is a
conditional UPDATE of one row, so duplicate messages, two workers finishing together and a worker
killed mid-part all still end with exactly one ZIP."""

import datetime as dt
import logging

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import OperationalError, transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from .models import ReportRun, ReportRunPart

log = logging.getLogger(__name__)

STUCK_MESSAGE = "The job stopped unexpectedly; press Retry."
KEEP_DAYS = 30
# A part whose worker died this many times fails its run rather than being sent again.
PART_ATTEMPTS = 3
KEPT = "the packs already built are kept"


class BuildError(Exception):
    """A failure a person can act on; its message is shown on the run page as it is."""


def _send(run_id: int) -> None:
    from . import tasks

    try:
        tasks.build_report_run.delay(run_id)
    except Exception:  # broker down: the run stays queued and the sweep sends it again
        log.warning("Could not enqueue report run %s; the sweep will retry", run_id, exc_info=True)


def _send_parts(part_ids: list[int]) -> None:
    from . import tasks

    for part_id in part_ids:
        try:
            tasks.build_report_run_part.delay(part_id)
        except Exception:  # broker down: the parts stay queued and the sweep sends them again
            log.warning(
                "Could not enqueue report run part %s; the sweep will retry", part_id, exc_info=True
            )
            return


def _enqueue(run_id: int) -> None:
    transaction.on_commit(lambda: _send(run_id))


def _minutes() -> int:
    return settings.CELERY_TASK_TIME_LIMIT // 60


def _attempt(work, *, fail, requeue, timeout: str, unexpected: str, reference: str):
    """Run work() -> (True, result). A failure is passed to fail() as a message a person can act
    on -> (False, None); a database blip calls requeue() and re-raises, for the autoretry."""
    try:
        return True, work()
    except BuildError as exc:
        fail(str(exc))
    except OperationalError:
        requeue()
        raise
    except SoftTimeLimitExceeded:
        fail(timeout)
    except Exception:
        log.exception("Report run %s failed", reference)
        fail(unexpected)
    return False, None


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
        assembly_started_at=None,
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
    """Claim the run, build its document and store it (or, for a fanned-out type, create and send
    its parts). Idempotent: a duplicate or retried task message finds the run no longer queued
    and does nothing."""
    from .builders import FAN_OUT, build

    if not report_run_claim(run_id=run.pk):
        return
    run.refresh_from_db()
    fan_out = FAN_OUT.get(run.type)

    def step(done: int, total: int) -> None:
        report_run_progress(run_id=run.pk, done=done, total=total)

    def requeue() -> None:
        # The database blipped: put the run back so the task's autoretry can claim it again.
        ReportRun.objects.filter(pk=run.pk, status=ReportRun.Status.RUNNING).update(
            status=ReportRun.Status.QUEUED
        )

    ok, result = _attempt(
        (lambda: _fan_out(run, fan_out)) if fan_out else (lambda: build(run, step)),
        fail=lambda error: report_run_fail(run_id=run.pk, error=error),
        requeue=requeue,
        timeout=f"The job took longer than {_minutes()} minutes and was stopped. Press Retry.",
        unexpected=f"Something went wrong while building this document (reference {run.pk}). "
        "Press Retry; if it fails again, send the reference to your SENCo Web administrator.",
        reference=str(run.pk),
    )
    if not ok or fan_out:
        return
    name, data = result
    run.file.save(name, ContentFile(data), save=False)
    run.status = ReportRun.Status.DONE
    run.finished_at = timezone.now()
    run.progress = run.total = max(run.total, run.progress, 1)
    run.save(update_fields=["file", "status", "finished_at", "progress", "total"])


# ---- fanned-out runs: one part per pupil -----------------------------------------------------


def _delete_files(parts) -> None:
    for part in parts:
        if part.file:
            part.file.delete(save=False)


def _fan_out(run: ReportRun, fan_out) -> None:
    """Create the run's parts and send a task for each one still to build. Idempotent: a retried
    run keeps its done parts, gains parts for pupils who joined the year group and drops those of
    pupils who left it. The run stays running until its last part is joined."""
    keys = fan_out.keys(run)
    with transaction.atomic():
        parts = ReportRunPart.objects.filter(run=run)
        gone = list(parts.exclude(key__in=keys))
        if gone:
            parts.filter(pk__in=[p.pk for p in gone]).delete()
            transaction.on_commit(lambda: _delete_files(gone))
        ReportRunPart.objects.bulk_create(
            [ReportRunPart(run=run, key=key) for key in keys], ignore_conflicts=True
        )
        done = parts.filter(status=ReportRunPart.Status.DONE).count()
        # The keys in order: the ZIP follows it, and the run page lists the pupils from it.
        ReportRun.objects.filter(pk=run.pk).update(
            parameters={**run.parameters, fan_out.keys_param: keys},
            total=len(keys),
            progress=done,
        )
        queued = list(parts.filter(status=ReportRunPart.Status.QUEUED).values_list("pk", flat=True))
        transaction.on_commit(lambda: _send_parts(queued))
    if done == len(keys):
        report_run_assemble(run_id=run.pk)  # a Retry after only the join had failed


def report_run_part_claim(*, part: ReportRunPart) -> int | None:
    """Take one part for this worker: its attempt number, which fences the finish, or None if
    another worker has it or it is built. No join in the UPDATE: PostgreSQL re-checks only the
    updated table's conditions when two claims race."""
    attempt = part.attempts + 1
    claimed = ReportRunPart.objects.filter(
        pk=part.pk, status=ReportRunPart.Status.QUEUED, attempts=part.attempts
    ).update(
        status=ReportRunPart.Status.RUNNING,
        started_at=timezone.now(),
        finished_at=None,
        error="",
        attempts=attempt,
    )
    return attempt if claimed == 1 else None


def _part_fail(*, part: ReportRunPart, attempt: int, error: str) -> None:
    """The part and its run fail together (so no run is left running with a failed part). The
    first failure's message is the run's; parts still building finish and are kept for Retry."""
    now = timezone.now()
    with transaction.atomic():
        failed = ReportRunPart.objects.filter(
            pk=part.pk, status=ReportRunPart.Status.RUNNING, attempts=attempt
        ).update(status=ReportRunPart.Status.FAILED, error=error[:1000], finished_at=now)
        if failed:
            ReportRun.objects.filter(pk=part.run_id, status=ReportRun.Status.RUNNING).update(
                status=ReportRun.Status.FAILED, error=error[:1000], finished_at=now
            )


def report_run_part_build(*, part_id: int) -> None:
    """Claim one part, build its files and store them; the worker that completes the run joins
    it. Idempotent: a duplicate message finds the part no longer queued and does nothing."""
    from .builders import FAN_OUT, part_zip

    part = ReportRunPart.objects.select_related("run__school").filter(pk=part_id).first()
    if part is None or part.run.status != ReportRun.Status.RUNNING:
        return  # run deleted or finished; a failed run's Retry sends its parts again
    attempt = report_run_part_claim(part=part)
    if attempt is None:
        return
    run = part.run
    reference = f"{run.pk}-{part.pk}"

    def requeue() -> None:
        ReportRunPart.objects.filter(
            pk=part.pk, status=ReportRunPart.Status.RUNNING, attempts=attempt
        ).update(status=ReportRunPart.Status.QUEUED, queued_at=timezone.now())

    ok, files = _attempt(
        lambda: FAN_OUT[run.type].part(run, part.key),
        fail=lambda error: _part_fail(part=part, attempt=attempt, error=error),
        requeue=requeue,
        timeout=f"One pupil's pack took longer than {_minutes()} minutes and was stopped "
        f"(reference {reference}). Press Retry; {KEPT}.",
        unexpected=f"Something went wrong while building one pupil's pack (reference "
        f"{reference}). Press Retry; {KEPT}. If it fails again, send the reference to your "
        "SENCo Web administrator.",
        reference=reference,
    )
    if not ok:
        return
    part.file.save(f"run-{run.pk}-part-{part.pk}.zip", ContentFile(part_zip(files)), save=False)
    finished = ReportRunPart.objects.filter(
        pk=part.pk, status=ReportRunPart.Status.RUNNING, attempts=attempt
    ).update(status=ReportRunPart.Status.DONE, file=part.file.name, finished_at=timezone.now())
    if not finished:
        part.file.delete(save=False)  # swept to another worker meanwhile, or the run was deleted
        return
    report_run_part_finished(run_id=run.pk)


def report_run_part_finished(*, run_id: int) -> None:
    """Progress from the rows (parts finish in other processes, so no counter in memory can be
    right); when no part is left to build, join the run."""
    counts = ReportRunPart.objects.filter(run_id=run_id).aggregate(
        done=Count("pk", filter=Q(status=ReportRunPart.Status.DONE)), all=Count("pk")
    )
    # Never backwards: a slower process may count before a faster one writes.
    ReportRun.objects.filter(
        pk=run_id, status=ReportRun.Status.RUNNING, progress__lt=counts["done"]
    ).update(progress=counts["done"])
    if counts["all"] and counts["done"] == counts["all"]:
        report_run_assemble(run_id=run_id)


def _read(field) -> bytes:
    with field.open("rb") as fh:
        return fh.read()


def report_run_assemble(*, run_id: int, stale_before: dt.datetime | None = None) -> bool:
    """Join a fanned-out run's parts into its file, then delete the parts. Exactly one process
    does it: the assembly is claimed with a conditional UPDATE, which two parts finishing
    together both try. The sweep takes over a join claimed before `stale_before`. True if this
    call finished the run."""
    from .builders import FAN_OUT, join_zips

    claimed_at = timezone.now()
    free = Q(assembly_started_at__isnull=True)
    if stale_before is not None:
        free |= Q(assembly_started_at__lt=stale_before)
    mine = ReportRun.objects.filter(pk=run_id, status=ReportRun.Status.RUNNING)
    if mine.filter(free).update(assembly_started_at=claimed_at) != 1:
        return False
    mine = mine.filter(assembly_started_at=claimed_at)  # fences the finish against a takeover
    run = ReportRun.objects.select_related("school").get(pk=run_id)
    fan_out = FAN_OUT[run.type]
    parts = list(ReportRunPart.objects.filter(run_id=run_id))
    if not parts or any(p.status != ReportRunPart.Status.DONE for p in parts):
        mine.update(assembly_started_at=None)
        return False
    order = {key: i for i, key in enumerate(run.parameters.get(fan_out.keys_param, []))}
    parts.sort(key=lambda p: (order.get(p.key, len(order)), p.pk))

    def fail(error: str) -> None:
        mine.update(status=ReportRun.Status.FAILED, error=error[:1000], finished_at=timezone.now())

    ok, data = _attempt(
        lambda: join_zips(_read(p.file) for p in parts),
        fail=fail,
        requeue=lambda: mine.update(assembly_started_at=None),
        timeout=f"Putting the packs into one ZIP took longer than {_minutes()} minutes. "
        f"Press Retry; {KEPT}.",
        unexpected=f"Something went wrong while putting the packs into one ZIP (reference "
        f"{run.pk}). Press Retry; if it fails again, send the reference to your SENCo Web "
        "administrator.",
        reference=str(run.pk),
    )
    if not ok:
        return False
    run.file.save(fan_out.name(run), ContentFile(data), save=False)
    finished = mine.update(
        file=run.file.name,
        status=ReportRun.Status.DONE,
        finished_at=timezone.now(),
        progress=len(parts),
        total=len(parts),
    )
    if not finished:
        run.file.delete(save=False)
        return False
    _delete_files(parts)
    ReportRunPart.objects.filter(run_id=run_id).delete()
    return True


@transaction.atomic
def report_run_retry(*, run: ReportRun) -> bool:
    """A failed run goes back to the queue for a fresh claim. Of a fanned-out run only the parts
    not built are built again: done parts are kept."""
    requeued = ReportRun.objects.filter(pk=run.pk, status=ReportRun.Status.FAILED).update(
        status=ReportRun.Status.QUEUED,
        error="",
        progress=0,
        started_at=None,
        finished_at=None,
        assembly_started_at=None,
        attempts=run.attempts + 1,
    )
    if requeued:
        ReportRunPart.objects.filter(run_id=run.pk, status=ReportRunPart.Status.FAILED).update(
            status=ReportRunPart.Status.QUEUED,
            error="",
            queued_at=timezone.now(),
            started_at=None,
            finished_at=None,
        )
        _enqueue(run.pk)
    return requeued == 1


QUEUED_RESEND_AFTER = dt.timedelta(minutes=10)


def _sweep_parts(*, now: dt.datetime, cutoff: dt.datetime) -> None:
    """Parts left running past the time limit (their worker died) go back to the queue, or fail
    the run after PART_ATTEMPTS; parts queued for ten minutes are sent again (the broker was down
    or the messages were lost); a run whose parts are all done but never joined is joined."""
    resend = []
    stuck = ReportRunPart.objects.filter(status=ReportRunPart.Status.RUNNING, started_at__lt=cutoff)
    for part in stuck.select_related("run"):
        if part.attempts >= PART_ATTEMPTS:
            error = (
                f"One pupil's pack stopped unexpectedly {part.attempts} times (reference "
                f"{part.run_id}-{part.pk}). Press Retry; {KEPT}."
            )
            _part_fail(part=part, attempt=part.attempts, error=error)
            continue
        requeued = ReportRunPart.objects.filter(
            pk=part.pk, status=ReportRunPart.Status.RUNNING, attempts=part.attempts
        ).update(status=ReportRunPart.Status.QUEUED, queued_at=now, started_at=None)
        if requeued and part.run.status == ReportRun.Status.RUNNING:
            resend.append(part.pk)
    waiting = list(
        ReportRunPart.objects.filter(
            status=ReportRunPart.Status.QUEUED,
            queued_at__lt=now - QUEUED_RESEND_AFTER,
            run__status=ReportRun.Status.RUNNING,
        ).values_list("pk", flat=True)
    )
    # Sent again at most every ten minutes, however long the queue is.
    ReportRunPart.objects.filter(pk__in=waiting).update(queued_at=now)
    _send_parts(resend + waiting)
    parts = ReportRunPart.objects.filter(run=OuterRef("pk"))
    unjoined = (
        ReportRun.objects.filter(status=ReportRun.Status.RUNNING)
        .filter(Exists(parts))
        .exclude(Exists(parts.exclude(status=ReportRunPart.Status.DONE)))
        .filter(Q(assembly_started_at__isnull=True) | Q(assembly_started_at__lt=cutoff))
    )
    for run_id in unjoined.values_list("pk", flat=True):
        report_run_assemble(run_id=run_id, stale_before=cutoff)


def report_run_sweep(*, now: dt.datetime | None = None) -> int:
    """Fail runs left in `running` past the task time limit (the worker died or was killed), and
    send again runs still queued after ten minutes (the broker was down when they were made).
    Sending twice is harmless: the claim lets only one worker build a run. A fanned-out run is
    looked after through its parts instead, however long its queue. Returns the runs failed."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)
    stale = ReportRun.objects.filter(
        status=ReportRun.Status.QUEUED, created_at__lt=now - QUEUED_RESEND_AFTER
    ).values_list("pk", flat=True)
    for run_id in stale:
        _send(run_id)
    _sweep_parts(now=now, cutoff=cutoff)
    return (
        ReportRun.objects.filter(status=ReportRun.Status.RUNNING, started_at__lt=cutoff)
        .exclude(Exists(ReportRunPart.objects.filter(run=OuterRef("pk"))))
        .update(status=ReportRun.Status.FAILED, error=STUCK_MESSAGE, finished_at=now)
    )


def report_runs_destroy_for_pupils(school, public_ids) -> dict:
    """A destroyed pupil's own transition pack runs and their PDFs, and their packs in a year
    group's run still being built (sencoweb.retention.destroy_hooks). A year group's finished
    ZIP is not split: it goes with the other runs after KEEP_DAYS."""
    keys = [str(i) for i in public_ids]
    runs = ReportRun.objects.for_school(school).filter(
        type=ReportRun.Type.TRANSITION_PACK, parameters__pupil__in=keys
    )
    parts = ReportRunPart.objects.filter(run__school=school, key__in=keys)
    files = [r.file for r in runs if r.file] + [p.file for p in parts if p.file]
    counts = {
        "reports.ReportRunPart": parts.delete()[0],
        "reports.ReportRun": runs.delete()[0],
    }
    names = [(f.storage, f.name) for f in files]
    transaction.on_commit(lambda: [storage.delete(name) for storage, name in names])
    return {k: v for k, v in counts.items() if v}


def report_run_cleanup(*, now: dt.datetime | None = None, days: int = KEEP_DAYS) -> int:
    """Delete runs, and their files (a failed year group's part files too), older than `days`."""
    now = now or timezone.now()
    old = ReportRun.objects.filter(created_at__lt=now - dt.timedelta(days=days))
    deleted = 0
    for run in old.iterator():
        _delete_files(ReportRunPart.objects.filter(run=run).exclude(file=""))
        if run.file:
            run.file.delete(save=False)
        run.delete()
        deleted += 1
    return deleted
