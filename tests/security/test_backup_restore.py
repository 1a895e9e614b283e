"""A backup made with pg_dump restores into a fresh database with every row (docs/backup.md).
Runs on PostgreSQL with pg_dump/pg_restore on PATH (CI); skipped on SQLite."""

import os
import shutil
import subprocess
import uuid

import pytest
from django.db import connection

from tests.factories import ConcernFactory, NeedFactory, PupilFactory

pytestmark = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))
    or not shutil.which("pg_dump")
    or not shutil.which("pg_restore"),
    reason="needs DATABASE_URL on PostgreSQL and pg_dump/pg_restore on PATH",
)


def _env_and_args(name):
    s = connection.settings_dict
    env = {**os.environ}
    if s.get("PASSWORD"):
        env["PGPASSWORD"] = s["PASSWORD"]
    args = ["-h", s.get("HOST") or "localhost", "-p", str(s.get("PORT") or 5432)]
    if s.get("USER"):
        args += ["-U", s["USER"]]
    return env, args


def _row_counts(cursor) -> dict[str, int]:
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
    tables = [r[0] for r in cursor.fetchall()]
    counts = {}
    for table in tables:
        cursor.execute(f'SELECT count(*) FROM "{table}"')
        counts[table] = cursor.fetchone()[0]
    return counts


@pytest.mark.django_db(transaction=True)
def test_dump_and_restore_keeps_every_row(tmp_path, senco, taught_pupil, outsider):
    for pupil in PupilFactory.create_batch(5, school=senco.school):
        NeedFactory(pupil=pupil)
        ConcernFactory(pupil=pupil, raised_by=senco.user)
    source = connection.settings_dict["NAME"]
    copy = f"restore_check_{uuid.uuid4().hex[:8]}"
    env, args = _env_and_args(source)
    dump = tmp_path / "sencoweb.dump"
    # The commands documented in docs/backup.md.
    subprocess.run(["pg_dump", *args, "-Fc", "-f", str(dump), source], env=env, check=True)
    subprocess.run(["createdb", *args, copy], env=env, check=True)
    try:
        subprocess.run(
            ["pg_restore", *args, "--no-owner", "--exit-on-error", "-d", copy, str(dump)],
            env=env,
            check=True,
        )
        with connection.cursor() as cursor:
            expected = _row_counts(cursor)
        import psycopg

        s = connection.settings_dict
        with (
            psycopg.connect(
                host=s.get("HOST") or "localhost",
                port=s.get("PORT") or 5432,
                user=s.get("USER") or None,
                password=s.get("PASSWORD") or None,
                dbname=copy,
            ) as restored,
            restored.cursor() as cursor,
        ):
            got = _row_counts(cursor)
        assert expected["pupils_pupil"] == 6 and expected["pupils_need"] >= 5
        assert got == expected
    finally:
        subprocess.run(["dropdb", *args, "--if-exists", copy], env=env, check=False)
