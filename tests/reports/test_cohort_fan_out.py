"""A year group's packs fan out: one part per pupil, each its own task, joined by whoever finishes
the last part. Duplicate messages, two finishers, a failing part, a dead worker and an unjoined
run all still end with exactly one ZIP."""

import dataclasses
import datetime as dt
import io
import json
import os
import zipfile

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from reports import builders, services, tasks
from reports.models import ReportRun, ReportRunPart
from tests.factories import NeedFactory, PupilFactory
from tests.helpers import client_for

COHORT = ReportRun.Type.TRANSITION_COHORT


@pytest.fixture
def fast_pdf(monkeypatch):
    """WeasyPrint is not what these tests are about: a stand-in PDF keeps them quick."""
    monkeypatch.setattr(builders.rendering, "render_pdf", lambda html: b"%PDF-1.7 stand-in")


@pytest.fixture
def year6(senco):
    pupils = [
        PupilFactory(school=senco.school, nc_year="6", sen_status=status, last_name=name)
        for name, status in (("Adams", "K"), ("Brown", "E"), ("Clarke", "M"))
    ]
    for pupil in pupils:
        NeedFactory(pupil=pupil)
    PupilFactory(school=senco.school, nc_year="6", sen_status="N")  # no SEN: no pack
    PupilFactory(school=senco.school, nc_year="5", sen_status="K")  # another year group
    return pupils


def _run(senco):
    return ReportRun.objects.create(
        school=senco.school, type=COHORT, parameters={"year_group": "6"}, requested_by=senco.user
    )


def _fan_out(run, capture):
    """Claim the run and create its parts, but keep the part tasks from being sent."""
    with capture(execute=False) as callbacks:
        services.report_run_build(run=run)
    run.refresh_from_db()
    return callbacks


def _parts(run):
    return {p.key: p for p in ReportRunPart.objects.filter(run=run)}


def _names(data: bytes) -> list[str]:
    return zipfile.ZipFile(io.BytesIO(data)).namelist()


def _count_part_builds(monkeypatch, fail_for: set | None = None):
    """Count part builds by pupil key; raise for the keys in fail_for (a set the test may
    empty to mend the fault)."""
    built = []
    fail_for = set() if fail_for is None else fail_for
    fan_out = builders.FAN_OUT[COHORT]

    def part(run, key):
        built.append(key)
        if key in fail_for:
            raise RuntimeError("printer on fire")
        return fan_out.part(run, key)

    monkeypatch.setitem(builders.FAN_OUT, COHORT, dataclasses.replace(fan_out, part=part))
    return built


def test_the_claim_creates_one_part_per_pupil_and_sends_them(
    senco, year6, django_capture_on_commit_callbacks
):
    run = _run(senco)
    callbacks = _fan_out(run, django_capture_on_commit_callbacks)
    keys = [str(p.public_id) for p in year6]  # cohort order: by last name
    assert run.status == ReportRun.Status.RUNNING
    assert run.parameters["pupils"] == keys and run.total == 3 and run.progress == 0
    parts = _parts(run)
    assert sorted(parts) == sorted(keys)
    assert {p.status for p in parts.values()} == {ReportRunPart.Status.QUEUED}
    assert len(callbacks) == 1  # the part tasks go out on commit
    # Claiming the run again (a duplicate message) makes no second set of parts.
    services.report_run_build(run=run)
    assert ReportRunPart.objects.filter(run=run).count() == 3


def test_parts_join_into_the_same_zip_the_command_builds(
    senco, year6, tmp_path, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        run = services.report_run_create(
            school=senco.school, type=COHORT, parameters={"year_group": "6"}, by=senco.user
        )
    run.refresh_from_db()
    assert run.status == ReportRun.Status.DONE, run.error
    assert run.progress == run.total == 3 and run.percent == 100
    with run.file.open("rb") as fh:
        data = fh.read()
    names = _names(data)
    stems = [f"transition-pack-{p.last_name.lower()}" for p in year6]
    assert [n.rsplit("-", 2)[0] for n in names] == [s for s in stems for _ in (0, 1)]
    assert [n.rsplit(".", 1)[1] for n in names] == ["pdf", "json"] * 3
    zf = zipfile.ZipFile(io.BytesIO(data))
    assert all(zf.read(n)[:4] == b"%PDF" for n in names if n.endswith(".pdf"))
    assert [json.loads(zf.read(n))["pupil"]["last_name"] for n in names if n.endswith(".json")] == [
        "Adams",
        "Brown",
        "Clarke",
    ]
    assert run.filename.startswith("transition-packs-") and "year-6" in run.filename
    # The parts are gone once joined, files and all.
    assert not ReportRunPart.objects.filter(run=run).exists()
    assert not list((tmp_path / "media" / "reports" / "parts").rglob("*.zip"))
    # The management command builds the parts in one process: the same files, in the same order.
    out = tmp_path / "y6.zip"
    call_command("build_report", "transition_cohort", school=senco.school.urn, year_group="6",
                 out=str(out), stdout=io.StringIO())  # fmt: skip
    assert _names(out.read_bytes()) == names


def test_progress_counts_done_parts_and_duplicate_messages_do_nothing(
    senco, year6, fast_pdf, monkeypatch, django_capture_on_commit_callbacks
):
    built = _count_part_builds(monkeypatch)
    run = _run(senco)
    _fan_out(run, django_capture_on_commit_callbacks)
    parts = list(_parts(run).values())
    services.report_run_part_build(part_id=parts[0].pk)
    services.report_run_part_build(part_id=parts[0].pk)  # redelivered: the claim refuses it
    run.refresh_from_db()
    assert run.status == ReportRun.Status.RUNNING and (run.progress, run.total) == (1, 3)
    services.report_run_part_build(part_id=parts[1].pk)
    run.refresh_from_db()
    assert run.progress == 2
    assert built == [parts[0].key, parts[1].key]
    part = ReportRunPart.objects.get(pk=parts[0].pk)
    assert part.status == ReportRunPart.Status.DONE and part.attempts == 1 and part.file
    services.report_run_part_build(part_id=parts[2].pk)
    run.refresh_from_db()
    assert run.status == ReportRun.Status.DONE and run.progress == 3
    services.report_run_part_build(part_id=parts[2].pk)  # after the join: part row gone
    assert len(built) == 3


def test_two_parts_finishing_together_join_the_run_once(
    senco, year6, fast_pdf, monkeypatch, django_capture_on_commit_callbacks
):
    run = _run(senco)
    _fan_out(run, django_capture_on_commit_callbacks)
    # Every part built, but neither "process" has got to the join yet.
    with monkeypatch.context() as m:
        m.setattr(services, "report_run_part_finished", lambda run_id: None)
        for part in _parts(run).values():
            services.report_run_part_build(part_id=part.pk)
    joins = []
    join_zips = builders.join_zips

    def join_while_the_other_finishes(parts):
        joins.append(1)
        # The other finisher sees every part done at the same moment and tries to join too
        # (without the claim this would recurse and join again).
        services.report_run_part_finished(run_id=run.pk)
        return join_zips(parts)

    monkeypatch.setattr(builders, "join_zips", join_while_the_other_finishes)
    services.report_run_part_finished(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == ReportRun.Status.DONE and len(joins) == 1
    assert len(_names(run.file.read())) == 6
    assert services.report_run_assemble(run_id=run.pk) is False  # and nothing is left to join


def test_a_failing_part_fails_the_run_and_retry_builds_only_what_is_missing(
    senco, year6, fast_pdf, monkeypatch, django_capture_on_commit_callbacks
):
    brown = str(year6[1].public_id)
    broken = {brown}
    built = _count_part_builds(monkeypatch, fail_for=broken)
    with django_capture_on_commit_callbacks(execute=True):
        run = services.report_run_create(
            school=senco.school, type=COHORT, parameters={"year_group": "6"}, by=senco.user
        )
    run.refresh_from_db()
    parts = _parts(run)
    assert run.status == ReportRun.Status.FAILED
    assert "one pupil's pack" in run.error and "Press Retry" in run.error
    assert f"reference {run.pk}-{parts[brown].pk}" in run.error
    assert "printer on fire" not in run.error and "Brown" not in run.error
    # Adams was built; Clarke's task found the run failed and left the part queued.
    statuses = [parts[str(p.public_id)].status for p in year6]
    assert statuses == ["done", "failed", "queued"]
    adams_file = parts[str(year6[0].public_id)].file.path

    built.clear()
    broken.clear()  # mended
    with django_capture_on_commit_callbacks(execute=True):
        assert services.report_run_retry(run=run) is True
    run.refresh_from_db()
    assert run.status == ReportRun.Status.DONE, run.error
    assert sorted(built) == sorted([brown, str(year6[2].public_id)])  # not Adams again
    assert len(_names(run.file.read())) == 6 and run.progress == 3
    assert not os.path.exists(adams_file)  # part files go once joined


def test_a_pupil_who_leaves_mid_run_gets_a_clear_message_and_retry_drops_them(
    senco, year6, fast_pdf, django_capture_on_commit_callbacks
):
    run = _run(senco)
    callbacks = _fan_out(run, django_capture_on_commit_callbacks)
    year6[1].archived_at = timezone.now()
    year6[1].save(update_fields=["archived_at"])
    with django_capture_on_commit_callbacks(execute=True):
        callbacks[0]()
    run.refresh_from_db()
    assert run.status == ReportRun.Status.FAILED
    assert "left the SEN register" in run.error and "Press Retry" in run.error
    with django_capture_on_commit_callbacks(execute=True):
        services.report_run_retry(run=run)
    run.refresh_from_db()
    assert run.status == ReportRun.Status.DONE, run.error
    assert run.parameters["pupils"] == [str(year6[0].public_id), str(year6[2].public_id)]
    assert len(_names(run.file.read())) == 4 and run.total == 2


def test_the_sweep_sends_stuck_and_forgotten_parts_again(
    senco, year6, settings, monkeypatch, django_capture_on_commit_callbacks
):
    run = _run(senco)
    _fan_out(run, django_capture_on_commit_callbacks)
    adams, brown, clarke = (_parts(run)[str(p.public_id)] for p in year6)
    # A worker claimed Adams and died (SIGKILL); Brown and Clarke's messages were lost.
    assert services.report_run_part_claim(part=adams) == 1
    sent = []
    monkeypatch.setattr(tasks.build_report_run_part, "delay", sent.append)
    assert services.report_run_sweep() == 0 and sent == []  # too soon for either
    later = timezone.now() + dt.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 120)
    # The run started long ago, but it is alive through its parts: it is not failed as stuck.
    assert services.report_run_sweep(now=later) == 0
    assert sorted(sent) == sorted([adams.pk, brown.pk, clarke.pk])
    adams.refresh_from_db()
    assert adams.status == ReportRunPart.Status.QUEUED
    # A part that keeps killing its worker fails the run instead of looping.
    ReportRunPart.objects.filter(pk=adams.pk).update(
        status="running", attempts=services.PART_ATTEMPTS, started_at=timezone.now()
    )
    services.report_run_sweep(now=later + dt.timedelta(hours=2))
    run.refresh_from_db()
    assert run.status == ReportRun.Status.FAILED
    assert "stopped unexpectedly 3 times" in run.error and "Press Retry" in run.error


def test_a_part_swept_to_another_worker_cannot_be_finished_by_the_first(
    senco, year6, fast_pdf, settings, monkeypatch, django_capture_on_commit_callbacks
):
    run = _run(senco)
    _fan_out(run, django_capture_on_commit_callbacks)
    part = next(iter(_parts(run).values()))
    later = timezone.now() + dt.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 120)
    monkeypatch.setattr(tasks.build_report_run_part, "delay", lambda part_id: None)
    fan_out = builders.FAN_OUT[COHORT]

    def stalled(run, key):
        # This worker stalls past the time limit: the sweep requeues the part and a second
        # worker claims it (attempt 2) before this one (attempt 1) gets to finish.
        services.report_run_sweep(now=later)
        assert services.report_run_part_claim(part=ReportRunPart.objects.get(pk=part.pk)) == 2
        return fan_out.part(run, key)

    monkeypatch.setitem(builders.FAN_OUT, COHORT, dataclasses.replace(fan_out, part=stalled))
    services.report_run_part_build(part_id=part.pk)
    part.refresh_from_db()
    assert part.status == ReportRunPart.Status.RUNNING and part.attempts == 2 and not part.file
    assert not list((settings.MEDIA_ROOT / "reports" / "parts").rglob("*.zip"))  # no orphan
    run.refresh_from_db()
    assert run.progress == 0


def test_the_sweep_joins_a_run_whose_joiner_died(
    senco, year6, fast_pdf, settings, monkeypatch, django_capture_on_commit_callbacks
):
    run = _run(senco)
    callbacks = _fan_out(run, django_capture_on_commit_callbacks)
    with monkeypatch.context() as m, django_capture_on_commit_callbacks(execute=True):
        m.setattr(services, "report_run_assemble", lambda **kw: False)  # the joiner dies
        callbacks[0]()
    run.refresh_from_db()
    assert run.status == ReportRun.Status.RUNNING and run.progress == 3
    services.report_run_sweep()
    run.refresh_from_db()
    assert run.status == ReportRun.Status.DONE and len(_names(run.file.read())) == 6


def test_the_sweep_takes_over_a_join_stalled_past_the_time_limit(
    senco, year6, fast_pdf, settings, monkeypatch, django_capture_on_commit_callbacks
):
    run = _run(senco)
    callbacks = _fan_out(run, django_capture_on_commit_callbacks)
    # Joined claimed by a worker that then died mid-join.
    ReportRun.objects.filter(pk=run.pk).update(assembly_started_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        callbacks[0]()
    run.refresh_from_db()
    assert run.status == ReportRun.Status.RUNNING and run.progress == 3
    services.report_run_sweep()  # not stalled yet
    run.refresh_from_db()
    assert run.status == ReportRun.Status.RUNNING
    later = timezone.now() + dt.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 120)
    services.report_run_sweep(now=later)
    run.refresh_from_db()
    assert run.status == ReportRun.Status.DONE and len(_names(run.file.read())) == 6


def test_cleanup_deletes_a_failed_runs_part_files(
    senco, year6, fast_pdf, monkeypatch, django_capture_on_commit_callbacks
):
    _count_part_builds(monkeypatch, fail_for={str(year6[2].public_id)})
    with django_capture_on_commit_callbacks(execute=True):
        run = services.report_run_create(
            school=senco.school, type=COHORT, parameters={"year_group": "6"}, by=senco.user
        )
    paths = [p.file.path for p in ReportRunPart.objects.filter(run=run).exclude(file="")]
    assert len(paths) == 2 and all(os.path.exists(p) for p in paths)
    assert services.report_run_cleanup(now=timezone.now() + dt.timedelta(days=31)) == 1
    assert not ReportRunPart.objects.exists()
    assert not any(os.path.exists(p) for p in paths)


def test_a_year_group_run_holds_only_its_own_schools_pupils(
    senco, outsider, year6, fast_pdf, django_capture_on_commit_callbacks
):
    PupilFactory(school=outsider.school, nc_year="6", sen_status="K")
    client = client_for(senco)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("reports:build_cohort"), {"year_group": "6"})
    run = ReportRun.objects.get(school=senco.school)
    assert run.status == ReportRun.Status.DONE, run.error
    assert run.parameters["pupils"] == [str(p.public_id) for p in year6]
    page = client.get(reverse("reports:run", args=[run.public_id]))
    for pupil in year6:
        assert reverse("reports:pack", args=[pupil.public_id]).encode() in page.content
    other = client_for(outsider)
    for name in ("run", "run_progress", "run_download", "run_retry"):
        url = reverse(f"reports:{name}", args=[run.public_id])
        response = other.post(url) if name == "run_retry" else other.get(url)
        assert response.status_code == 404, name
