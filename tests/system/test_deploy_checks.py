"""`manage.py check --deploy --fail-level WARNING` passes under the production settings, and the
start-up checks warn an operator about a host-made secret key or private fetching outside debug."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(38)[:50],
    "DJANGO_ALLOWED_HOSTS": "desk.example.com",
    "DJANGO_HTTPS": "true",
    "ENHANCER_ALLOW_PRIVATE_URLS": "false",
    # No check may need the network: an address nothing listens on.
    "DATABASE_URL": "postgres://nobody@127.0.0.1:9/unreachable",
}


def check(*args: str, without: tuple[str, ...] = (), **env: str) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if k not in without and not k.startswith("DJANGO_")}
    environ.update({k: v for k, v in {**PRODUCTION, **env}.items() if k not in without})
    environ.pop("REDIS_URL", None)
    return subprocess.run(
        [sys.executable, "manage.py", "check", *args],
        cwd=PROJECT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_it_passes_the_deploy_checks_with_the_production_switch_on():
    done = check("--deploy", "--fail-level", "WARNING")
    assert done.returncode == 0, done.stderr
    assert "no issues" in done.stdout


def test_it_fails_the_deploy_checks_without_https():
    done = check("--deploy", "--fail-level", "WARNING", DJANGO_HTTPS="false")
    assert done.returncode != 0
    for warning in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert warning in done.stderr


def test_it_warns_when_the_secret_key_comes_from_the_local_file_outside_debug():
    done = check("--fail-level", "WARNING", without=("DJANGO_SECRET_KEY",))
    assert done.returncode != 0
    assert "enhancer.W005" in done.stderr
    assert "DJANGO_SECRET_KEY is not set" in done.stderr


def test_it_does_not_warn_about_the_key_file_in_debug():
    done = check(without=("DJANGO_SECRET_KEY",), DJANGO_DEBUG="true")
    assert "enhancer.W005" not in done.stdout + done.stderr


def test_it_warns_when_private_addresses_are_allowed_outside_debug():
    done = check("--fail-level", "WARNING", ENHANCER_ALLOW_PRIVATE_URLS="true")
    assert done.returncode != 0
    assert "enhancer.W002" in done.stderr
