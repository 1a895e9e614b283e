"""Benchmarks (not part of the test suite): `make bench` or `python bench/run.py [--sizes ...]`.

For each data size it builds a PostgreSQL database with seed_demo, measures the hot pages
(server time median/p95, query count, ratio to a minimal view), times the report builders, then
runs a bounded load test (locust, 50 users) against gunicorn + PostgreSQL + Redis. Results go to
bench/results.md."""

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
SIZES = {
    "primary-200": ["--schools", "3", "--pupils", "200"],
    "secondary-2000": ["--schools", "3", "--pupils", "2000"],
    "trust-50k": ["--schools", "50", "--pupils", "1000"],
}


def env_for(db):
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "SENCOWEB_TESTING")}
    env.update(
        {
            "DATABASE_URL": f"{PG}/{db}",
            "DEBUG": "false",
            "SENCOWEB_TESTING": "false",
            "SECRET_KEY": "bench-only-secret-key-bench-only-secret-key-0123456789",
            "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
            "SECURE_SSL": "false",
            "DEMO_PASSWORD": "bench-password-123",
            "AXES_ENABLED": "false",
            # Bench sessions are not OTP-verified; with 2FA on every page would redirect.
            "REQUIRE_2FA": "false",
        }
    )
    return env


def run(cmd, env, **kw):
    return subprocess.run(cmd, cwd=ROOT, env=env, check=True, text=True, capture_output=True, **kw)


def build_db(size, fresh):
    db = f"sencoweb_bench_{size.replace('-', '_')}"
    env = env_for(db)
    exists = (
        subprocess.run(
            ["psql", f"{PG}/postgres", "-tAc", f"SELECT 1 FROM pg_database WHERE datname='{db}'"],
            capture_output=True,
            text=True,
        ).stdout.strip()
        == "1"
    )
    if exists and fresh:
        subprocess.run(
            ["psql", f"{PG}/postgres", "-qc", f"DROP DATABASE IF EXISTS {db}"], check=True
        )
        exists = False
    seconds = None
    if exists:
        run([PY, "manage.py", "migrate", "--noinput"], env)  # the schema may have moved on
    else:
        subprocess.run(["psql", f"{PG}/postgres", "-qc", f"CREATE DATABASE {db}"], check=True)
        run([PY, "manage.py", "migrate", "--noinput"], env)
        start = time.perf_counter()
        run([PY, "manage.py", "seed_demo", "--seed", "2026", *SIZES[size]], env)
        seconds = round(time.perf_counter() - start, 1)
        # Fresh bulk-loaded tables have no planner statistics until autovacuum gets to them: the
        # planner then guesses 1 row per school and picks nested loops (58 ms instead of 1 ms on
        # the deadlines page). A live database is analysed; so is the bench one.
        subprocess.run(["psql", f"{PG}/{db}", "-qc", "VACUUM ANALYZE"], check=True)
    return env, seconds


def measure_pages(env):
    run([PY, "manage.py", "collectstatic", "--noinput", "-v0"], env)  # manifest storage needs it
    out = run([PY, "bench/measure_pages.py"], env).stdout
    return json.loads(out.strip().splitlines()[-1])


def measure_reports(env, size):
    script = ROOT / "bench" / "measure_reports.py"
    if not script.exists():
        return None
    # The worker cohort (a few minutes) is measured at the 2,000-pupil size the targets name.
    env = {**env, "BENCH_NO_WORKERS": "0" if size == "secondary-2000" else "1"}
    out = run([PY, str(script)], env).stdout
    return json.loads(out.strip().splitlines()[-1])


def load_test(env, seconds, users):
    """gunicorn (3 workers) + locust headless from a second process, bounded in time."""
    env = {**env, "REDIS_URL": os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/9")}
    gunicorn = subprocess.Popen(
        [
            str(Path(PY).parent / "gunicorn"),
            "sencoweb.wsgi",
            "-b",
            "127.0.0.1:8765",
            "-w",
            "3",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        time.sleep(3)
        csv_prefix = ROOT / "bench" / "out" / "locust"
        csv_prefix.parent.mkdir(exist_ok=True)
        (csv_prefix.parent / "signin.json").unlink(missing_ok=True)  # not a previous run's
        subprocess.run(
            [
                str(Path(PY).parent / "locust"),
                "-f",
                "bench/locustfile.py",
                "--headless",
                "-u",
                str(users),
                "-r",
                "10",
                "-t",
                f"{seconds}s",
                "--host",
                "http://127.0.0.1:8765",
                "--csv",
                str(csv_prefix),
                "--only-summary",
            ],
            cwd=ROOT,
            env=env,
            check=False,
            capture_output=True,
        )
        rows = (csv_prefix.parent / "locust_stats.csv").read_text().splitlines()
        header = rows[0].split(",")
        keys = ("Request Count", "Failure Count", "Requests/s", "50%", "95%", "99%")
        parsed = [dict(zip(header, row.split(","), strict=False)) for row in rows[1:]]
        total = {k: parsed[-1].get(k) for k in keys}
        total["by_name"] = {
            f"{r['Type']} {r['Name']}": {k: r.get(k) for k in keys}
            for r in parsed[:-1]
            if r.get("Request Count") != "0"  # the sign-in pages, before the window
        }
        failures = (csv_prefix.parent / "locust_failures.csv").read_text().splitlines()[1:]
        total["failures"] = failures[:10]
        sign_ins = csv_prefix.parent / "signin.json"
        total["sign_in"] = json.loads(sign_ins.read_text()) if sign_ins.exists() else None
        return total
    finally:
        gunicorn.terminate()
        gunicorn.wait(10)


NOTES_HEADING = "## Findings, fixes, before and after"


def versions() -> str:
    import django
    import weasyprint

    pg = subprocess.run(
        ["psql", f"{PG}/postgres", "-tAc", "SHOW server_version"], capture_output=True, text=True
    ).stdout.strip()
    redis = subprocess.run(["redis-server", "--version"], capture_output=True, text=True).stdout
    redis = next((w[2:] for w in redis.split() if w.startswith("v=")), "?")
    return (
        f"Django {django.get_version()}, PostgreSQL {pg}, Redis {redis}, "
        f"WeasyPrint {weasyprint.__version__}"
    )


def write_results(results):
    # The hand-written analysis under NOTES_HEADING survives a rerun.
    path = ROOT / "bench" / "results.md"
    old = path.read_text() if path.exists() else ""
    notes = old[old.index(NOTES_HEADING) :] if NOTES_HEADING in old else ""
    lines = [
        "# Benchmark results",
        "",
        f"Run {dt.datetime.now():%Y-%m-%d %H:%M} on {platform.node()}: {os.cpu_count()} cores, "
        f"{os.sysconf('SC_PHYS_PAGES') * os.sysconf('SC_PAGE_SIZE') // 2**30} GiB, "
        f"Python {platform.python_version()}, {versions()}. Rerun with `make bench`.",
        "Server time is measured in-process (Django test client, no network), median and 95th percentile "
        "over repeated requests; ratio = median / the floor, a minimal view (`/healthz`, one `SELECT 1`) requested by the same signed-in "
        "user, so the floor includes the session, user and school middleware every page pays.",
        "",
    ]
    for size, data in results.items():
        pages = data["pages"]
        lines += [
            f"## {size}: {pages['pupils']} pupils at {pages['school']} ({pages['schools']} schools)",
            "",
        ]
        if data.get("seed_seconds"):
            lines.append(f"seed_demo took {data['seed_seconds']} s.\n")
        lines += ["| page | median ms | p95 ms | queries | x floor |", "|---|---|---|---|---|"]
        for label, row in pages["pages"].items():
            if row.get("missing"):
                lines.append(f"| {label} | not built | | | |")
            else:
                lines.append(
                    f"| {label} | {row['median_ms']} | {row['p95_ms']} | {row['queries']} | {row.get('ratio', '')} |"
                )
        if data.get("reports"):
            reports = data["reports"]
            lines += [
                "",
                f"Reports at {reports.get('school', '')} (median of the builds shown):",
                "",
                "| report | data gathering s | HTML template s | PDF rendering s | total s | PDF KiB |",
                "|---|---|---|---|---|---|",
            ]
            for label, row in reports.items():
                if isinstance(row, dict) and "gather_s" in row:
                    lines.append(
                        f"| {label} | {row['gather_s']} | {row['template_s']} | {row['render_s']} "
                        f"| {row['total_s']} | {row['pdf_kb']} |"
                    )
            cohort = reports.get("cohort")
            if cohort:
                one, two = cohort["one_worker"], cohort["two_workers"]
                lines += [
                    "",
                    f"Cohort of {one['packs']} transition packs ({cohort['note']}): one worker "
                    f"{one['seconds']} s ({one['packs_per_s']} packs/s), two workers "
                    f"{two['seconds']} s ({two['packs_per_s']} packs/s): **{cohort['speedup']}x**. "
                    f"Not built: {one['not_done']} and {two['not_done']}.",
                ]
        if data.get("load"):
            load = data["load"]
            lines += [
                "",
                f"Load test (locust, {data['load_users']} users, {data['load_seconds']} s, gunicorn 3 workers): "
                f"{load['Request Count']} requests, {load['Failure Count']} failures, {float(load['Requests/s']):.1f} req/s, "
                f"p50 {load['50%']} ms, p95 {load['95%']} ms, p99 {load['99%']} ms, counted from "
                "the moment every user had signed in.",
            ]
            sign_in = load.get("sign_in")
            if sign_in and sign_in.get("all_in_after_s") is not None:
                lines.append(
                    f"Before that, {sign_in['count']} sign-ins (a deliberately slow password "
                    f"hash) took {sign_in['all_in_after_s']} s in all: p50 {sign_in['p50_ms']} ms,"
                    f" slowest {sign_in['max_ms']} ms."
                )
            lines += [
                "",
                "| request | count | failures | req/s | p50 ms | p95 ms | p99 ms |",
                "|---|---|---|---|---|---|---|",
            ]
            for name, r in load.get("by_name", {}).items():
                lines.append(
                    f"| {name} | {r['Request Count']} | {r['Failure Count']} | "
                    f"{float(r['Requests/s']):.2f} | {r['50%']} | {r['95%']} | {r['99%']} |"
                )
            for failure in load.get("failures", []):
                lines.append(f"\nFailure: {failure}")
        lines.append("")
    path.write_text("\n".join(lines) + "\n" + ("\n" + notes if notes else ""))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", nargs="+", default=list(SIZES), choices=list(SIZES))
    parser.add_argument("--fresh", action="store_true", help="Rebuild the databases")
    parser.add_argument("--load-seconds", type=int, default=120)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--no-load", action="store_true")
    args = parser.parse_args()
    results = {}
    for size in args.sizes:
        print(f"== {size}", flush=True)
        env, seed_seconds = build_db(size, args.fresh)
        data = {
            "seed_seconds": seed_seconds,
            "pages": measure_pages(env),
            "reports": measure_reports(env, size),
        }
        if not args.no_load and size == "secondary-2000":
            data.update(
                load=load_test(env, args.load_seconds, args.users),
                load_users=args.users,
                load_seconds=args.load_seconds,
            )
        results[size] = data
        print(json.dumps(data, indent=1), flush=True)
    write_results(results)
    print("Wrote bench/results.md")


if __name__ == "__main__":
    main()
