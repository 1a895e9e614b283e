"""Settings read the environment and fail loudly on bad values."""

import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(__file__)))


def _load(env):
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "REDIS_URL", "DEBUG", "SECRET_KEY", "SENCOWEB_TESTING")
    }
    clean.update(env)
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE','sencoweb.settings');"
            "from django.conf import settings; print(settings.DATABASES['default']['ENGINE'])",
        ],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
    )


@pytest.mark.parametrize(
    "env, message",
    [
        ({"DEBUG": "yes please"}, "use true or false"),
        ({"DEBUG": "false"}, "SECRET_KEY is not set"),
        ({"DEBUG": "true", "DATABASE_URL": "mysql://x@y/z"}, "PostgreSQL or SQLite"),
        ({"DEBUG": "true", "REDIS_URL": "localhost:6379"}, "REDIS_URL"),
        ({"DEBUG": "true", "SESSION_IDLE_MINUTES": "soon"}, "whole number"),
    ],
)
def test_bad_values_fail_at_start(env, message):
    result = _load(env)
    assert result.returncode != 0
    assert message in result.stderr


def test_defaults_to_sqlite_and_reads_database_url():
    assert "sqlite3" in _load({"DEBUG": "true"}).stdout
    assert "postgresql" in _load({"DEBUG": "true", "DATABASE_URL": "postgres://u@h:5432/db"}).stdout


def test_check_deploy_is_clean_with_production_values():
    env = {
        k: v
        for k, v in os.environ.items()
        if k
        not in (
            "DATABASE_URL",
            "REDIS_URL",
            "DEBUG",
            "SENCOWEB_TESTING",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        )
    }
    env.update(
        {
            "DEBUG": "false",
            "SENCOWEB_TESTING": "false",
            "SECRET_KEY": "x" * 30 + "Yz9!kq2#Lm4$Np6^Rs8&Tv0*Wx",
            "ALLOWED_HOSTS": "sen.example.org",
            "SECURE_HSTS_SECONDS": "31536000",
        }
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr + result.stdout
