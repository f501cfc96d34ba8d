"""Connections are kept (and checked) between requests and jobs, on PostgreSQL and SQLite, through
Django's own database engines and cache."""

import json
import os
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
PRINT_DATABASE = (
    "from django.conf import settings;"
    "print(json.dumps({k: v for k, v in settings.DATABASES['default'].items() if k != 'TEST'}, default=str))"
)


def in_a_new_process(code: str, **env) -> str:
    """What `code` prints in a fresh Django process (as a web or worker process starts), on SQLite
    unless `env` names another database."""
    environ = {name: value for name, value in os.environ.items() if name != "DATABASE_URL"}
    environ.update(DJANGO_SETTINGS_MODULE="hitpaw_site.settings", **env)
    out = subprocess.run(
        [sys.executable, "-c", f"import json, sys, django; django.setup(); {code}"],
        cwd=PROJECT,
        env=environ,
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout


def database_settings(**env):
    return json.loads(in_a_new_process(PRINT_DATABASE, **env))


def test_it_keeps_postgresql_connections_and_checks_them_before_reuse():
    db = database_settings(DATABASE_URL="postgres://enhance@127.0.0.1:5432/enhance")

    assert db["CONN_MAX_AGE"] == 300
    assert db["CONN_HEALTH_CHECKS"] is True


def test_it_lets_an_operator_choose_how_long():
    db = database_settings(
        DATABASE_URL="postgres://enhance@127.0.0.1:5432/enhance", DATABASE_CONN_MAX_AGE="0"
    )

    assert db["CONN_MAX_AGE"] == 0


def test_it_keeps_sqlite_connections_too_and_begins_transactions_immediate():
    db = database_settings()

    assert db["CONN_MAX_AGE"] == 300
    assert db["CONN_HEALTH_CHECKS"] is True
    assert db["ENGINE"] == "django.db.backends.sqlite3"
    assert db["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert "PRAGMA synchronous=FULL" in db["OPTIONS"]["init_command"]  # every commit on disk


def test_postgresql_statements_are_prepared_once_they_repeat():
    db = database_settings(DATABASE_URL="postgres://enhance@127.0.0.1:5432/enhance")

    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert db["OPTIONS"] == {"server_side_binding": True, "prepare_threshold": 5}


def test_an_operator_behind_a_transaction_pooler_can_turn_preparing_off():
    db = database_settings(
        DATABASE_URL="postgres://enhance@127.0.0.1:5432/enhance", DATABASE_PREPARED_STATEMENTS="false"
    )

    assert "server_side_binding" not in db.get("OPTIONS", {})
    assert "prepare_threshold" not in db.get("OPTIONS", {})


def test_the_redis_cache_is_djangos_own():
    cache = json.loads(
        in_a_new_process(
            "from django.conf import settings; print(json.dumps(settings.CACHES['default']))",
            REDIS_URL="redis://127.0.0.1:6379/1",
        )
    )

    assert cache == {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:6379/1",
    }
