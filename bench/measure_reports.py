"""Report build times against the database in DATABASE_URL, printed as one JSON line (run by
bench/run.py): the governors' report and one transition pack, each split into data gathering
(the context), the HTML template and the PDF rendering; then a cohort of transition packs built by
one and by two real Celery workers (`--pool=solo` subprocesses) through Redis.

The cohort is the real "packs for a year group" job: one `transition_cohort` report run, which
fans out as one task per pupil and is joined into one ZIP by whichever worker finishes the last
pack, timed from the request to the finished ZIP. No year group of the seeded secondary has 200
pupils on the SEN register (the largest has about 100), so for the measurement the first 200
such pupils are moved into one year group the school does not teach and moved back afterwards."""

import json
import os
import statistics
import subprocess
import sys
import time
import zipfile
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sencoweb.settings")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-bench-only-secret-key-0123456789")
os.environ.setdefault("SECURE_SSL", "false")
# A real broker on its own Redis database and queue, so no other worker can take these tasks.
os.environ["REDIS_URL"] = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/9")
os.environ["CELERY_QUEUE"] = f"bench-reports-{os.getpid()}"
os.environ.setdefault("MEDIA_ROOT", "/tmp/sencoweb-bench-media")

import django  # noqa: E402

django.setup()

from django.template.loader import render_to_string  # noqa: E402
from django.utils import timezone  # noqa: E402

from pupils.codes import NcYear  # noqa: E402
from pupils.models import Pupil  # noqa: E402
from reports import rendering, services  # noqa: E402
from reports.governors import governors_report_context  # noqa: E402
from reports.models import ReportRun, ReportRunPart  # noqa: E402
from reports.transition import cohort_pupils, pack_context, pack_data  # noqa: E402
from sencoweb.celery import app as celery_app  # noqa: E402
from sencoweb.models import Membership, School, academic_year_of  # noqa: E402

COHORT = int(os.environ.get("BENCH_COHORT", "200"))
PACK_REPEATS = int(os.environ.get("BENCH_PACK_REPEATS", "5"))


def timed(fn):
    start = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - start


def split_timing(gather, template, repeats):
    """Median seconds of gather -> template -> PDF over `repeats` builds."""
    rows = []
    for _ in range(repeats):
        ctx, g = timed(gather)
        html, t = timed(lambda ctx=ctx: template(ctx))
        pdf, r = timed(lambda html=html: rendering.render_pdf(html))
        assert pdf[:4] == b"%PDF"
        rows.append((g, t, r, len(pdf)))
    g, t, r = (statistics.median(col) for col in list(zip(*rows, strict=True))[:3])
    return {
        "gather_s": round(g, 3),
        "template_s": round(t, 3),
        "render_s": round(r, 3),
        "total_s": round(g + t + r, 3),
        "pdf_kb": rows[-1][3] // 1024,
        "repeats": repeats,
    }


def start_workers(n):
    env = {**os.environ}
    procs = [
        subprocess.Popen(
            [
                str(Path(sys.executable).parent / "celery"),
                "-A",
                "sencoweb",
                "worker",
                "--pool=solo",
                "-Q",
                env["CELERY_QUEUE"],
                "-n",
                f"bench{i}-{os.getpid()}@%h",
                "--without-gossip",
                "--without-mingle",
                "-l",
                "warning",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        for i in range(n)
    ]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        replies = celery_app.control.ping(timeout=1.0) or []
        mine = [r for r in replies if any(f"-{os.getpid()}@" in k for k in r)]
        if len(mine) >= n:
            return procs
    stop_workers(procs)
    raise RuntimeError(f"{n} Celery worker(s) did not answer a ping within 60 s")


def stop_workers(procs):
    for p in procs:
        p.terminate()
    for p in procs:
        try:
            p.wait(20)
        except subprocess.TimeoutExpired:
            p.kill()


@contextmanager
def one_year_group(school, pupils):
    """Put `pupils` in a year group of their own for the measurement; put them back after."""
    taught = set(Pupil.objects.for_school(school).values_list("nc_year", flat=True))
    year = next(y for y in NcYear.values if y not in taught)
    before: dict[str, list[int]] = {}
    for p in pupils:
        before.setdefault(p.nc_year, []).append(p.pk)
    # update() rather than save(): no history rows or audit for a bench-only move.
    Pupil.objects.filter(pk__in=[p.pk for p in pupils]).update(nc_year=year)
    try:
        yield year
    finally:
        for nc_year, ids in before.items():
            Pupil.objects.filter(pk__in=ids).update(nc_year=nc_year)


def delete_run(run):
    for part in ReportRunPart.objects.filter(run=run).exclude(file=""):
        part.file.delete(save=False)
    if run.file:
        run.file.delete(save=False)
    run.delete()


def cohort_run(school, by, year_group, workers):
    """Seconds for `workers` workers to build one year group's packs: one report run."""
    procs = start_workers(workers)
    run = None
    try:
        start = time.perf_counter()
        run = services.report_run_create(
            school=school, type=ReportRun.Type.TRANSITION_COHORT,
            parameters={"year_group": year_group}, by=by,
        )  # fmt: skip
        deadline = time.monotonic() + 1800
        while time.monotonic() < deadline:
            run.refresh_from_db()
            if run.is_finished:
                break
            time.sleep(0.25)
        seconds = time.perf_counter() - start
        packs = 0
        if run.status == ReportRun.Status.DONE:
            with run.file.open("rb") as fh:
                packs = sum(n.endswith(".pdf") for n in zipfile.ZipFile(fh).namelist())
        result = {
            "workers": workers,
            "packs": run.total,
            "seconds": round(seconds, 1),
            "packs_per_s": round(run.total / seconds, 2),
            "not_done": run.total - packs,
            "status": run.status,
            "error": run.error,
        }
    finally:
        stop_workers(procs)
        if run is not None:
            delete_run(run)
    return result


def main():
    school = School.objects.filter(phase="secondary").order_by("urn").first()
    senco = Membership.objects.select_related("user").filter(school=school, role="senco").first()
    rendering.render_pdf("<p>warm-up</p>")  # WeasyPrint's first call loads fonts
    # The year just ended: the report governors receive in the autumn (a snapshot year).
    year = academic_year_of(timezone.localdate()) - 1
    out = {"school": school.name}
    out["governors' report"] = split_timing(
        lambda: governors_report_context(school, year),
        lambda ctx: render_to_string("reports/governors_report.html", ctx),
        repeats=2,
    )
    pupils = list(cohort_pupils(school))
    # The pack with the most in it: an EHC pupil has a plan, reviews and provision.
    pupil = next((p for p in pupils if p.sen_status == "E"), pupils[0])
    out["transition pack"] = split_timing(
        lambda: pack_context(pack_data(pupil, school=school)),
        lambda ctx: render_to_string("reports/transition_pack_pdf.html", {**ctx, "school": school}),
        repeats=PACK_REPEATS,
    )
    if COHORT and os.environ.get("BENCH_NO_WORKERS") != "1":
        with one_year_group(school, pupils[:COHORT]) as year_group:
            one = cohort_run(school, senco.user, year_group, 1)
            two = cohort_run(school, senco.user, year_group, 2)
        out["cohort"] = {
            "one_worker": one,
            "two_workers": two,
            "speedup": round(one["seconds"] / two["seconds"], 2),
            "note": "the year-group job: one report run, one task per pupil, joined into one ZIP",
        }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
