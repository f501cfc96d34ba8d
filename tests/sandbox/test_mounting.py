"""The simulator's URLs exist only in sandbox mode: a deployment with a key never mounts them."""

import os
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]
PROBE = """
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)  # the branded 404 page reads the pause banner
from django.test import Client
from django.urls import NoReverseMatch, reverse
try:
    reverse("sandbox:photo_enhancer")
    mounted = True
except NoReverseMatch:
    mounted = False
status = Client().post("/sandbox/api/photo-enhancer", "{}", content_type="application/json").status_code
print(mounted, status)
"""


def probe(database: Path, **env: str) -> list[str]:
    """Load the real settings and URLs in a fresh process, then POST to the simulator from outside."""
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("HITPAW_", "ENHANCER_", "DJANGO_", "DATABASE_", "REDIS_"))
    }
    clean.update(
        env,
        DJANGO_SETTINGS_MODULE="hitpaw_site.settings",
        DJANGO_ALLOWED_HOSTS="testserver",
        DATABASE_URL=f"sqlite:///{database}",
    )
    done = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=PROJECT, env=clean, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


def test_a_deployment_with_a_key_has_no_sandbox_endpoints(tmp_path):
    assert probe(
        tmp_path / "db.sqlite3", HITPAW_API_KEY="a-real-key", HITPAW_BASE_URL="http://127.0.0.1:9/"
    ) == ["False", "404"]


def test_sandbox_mode_mounts_them_but_refuses_an_outside_post_without_the_key(tmp_path):
    assert probe(tmp_path / "db.sqlite3", HITPAW_API_KEY="") == ["True", "400"]
