"""First run: the login address with host and port beside the one-time password, how to reset it,
`make run` installing only what running needs, and PORT taken from .env."""

import io
import re
from pathlib import Path

from django.core.management import call_command

MAKEFILE = (Path(__file__).resolve().parents[2] / "Makefile").read_text()


def ensure_admin(*args: str) -> str:
    out = io.StringIO()
    call_command("ensure_admin", *args, stdout=out)
    return out.getvalue()


def test_it_prints_the_login_address_with_the_port_next_to_the_password(db, settings):
    settings.PORT = 8123
    output = ensure_admin()
    assert "Log in at http://127.0.0.1:8123/accounts/login/ with" in output
    assert re.search(r"password: \S+", output)


def test_it_says_how_to_set_a_new_password_and_where_teammates_are_added(db):
    output = ensure_admin("--username", "boss", "--port", "9000")
    assert "http://127.0.0.1:9000/accounts/login/" in output
    assert "manage.py changepassword boss" in output
    assert "/admin/ → Users" in output


def recipe(target: str) -> str:
    return re.search(rf"^{target}:.*?(?=^\S|\Z)", MAKEFILE, re.M | re.S).group(0)


def test_make_run_installs_the_app_without_the_test_tools():
    run = recipe("run")
    assert "$(RUN_STAMP)" in run.splitlines()[0]
    assert "-e ." in recipe(r"\$\(RUN_STAMP\)") and "[dev]" not in recipe(r"\$\(RUN_STAMP\)")
    assert "$(DEV_STAMP)" in recipe("test").splitlines()[0]


def test_make_run_leaves_the_port_to_env_unless_one_is_given():
    assert "PORT ?=" not in MAKEFILE  # a default here would hide PORT in .env
    assert "$(if $(PORT),--port $(PORT))" in MAKEFILE
