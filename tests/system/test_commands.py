"""`ensure_admin`: on a fresh install, one first admin with a password shown once; never more."""

import io
import re

from django.contrib.auth import get_user_model
from django.core.management import call_command


def ensure_admin(*args: str) -> str:
    out = io.StringIO()
    call_command("ensure_admin", *args, stdout=out)
    return out.getvalue()


def printed_password(output: str) -> str:
    return re.search(r"password: (\S+)", output).group(1)


def test_it_creates_one_superuser_and_prints_its_password(db):
    output = ensure_admin()
    admin = get_user_model().objects.get()
    assert (admin.username, admin.is_superuser, admin.is_staff) == ("admin", True, True)
    assert admin.check_password(printed_password(output))
    assert "shown only once" in output


def test_it_makes_a_different_password_each_time(db):
    first = printed_password(ensure_admin())
    get_user_model().objects.all().delete()
    assert printed_password(ensure_admin()) != first


def test_it_takes_another_username(db):
    ensure_admin("--username", "boss")
    assert get_user_model().objects.get().username == "boss"


def test_it_does_nothing_the_second_time(db):
    ensure_admin()
    assert ensure_admin() == ""
    assert get_user_model().objects.count() == 1


def test_it_does_nothing_when_any_user_exists(alice):
    assert ensure_admin() == ""
    assert list(get_user_model().objects.values_list("username", flat=True)) == ["alice"]
