"""Adding a teammate: one form (name, role) and a one-time link to choose a password; no email needed."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.http import HttpRequest

from tests.support.roles import ensure_roles, user_with_role


@pytest.fixture
def admin_client(client, admin_user):
    ensure_roles()
    client.force_login(admin_user)
    return client


def add_teammate(client, role="staff"):
    data = {"full_name": "Carol Baker", "username": "carol", "role": role}
    return client.post("/admin/auth/user/add/", data, follow=True)


def set_password_link(response) -> str:
    return re.search(
        r'value="http://testserver(/accounts/set-password/[^"]+)"', response.content.decode()
    ).group(1)


@pytest.mark.parametrize(("role", "admin_site"), [("staff", False), ("reviewers", False), ("admins", True)])
def test_it_adds_a_teammate_with_a_role_and_no_password(admin_client, role, admin_site):
    add_teammate(admin_client, role)

    carol = get_user_model().objects.get(username="carol")
    assert (carol.first_name, carol.last_name) == ("Carol", "Baker")
    assert [group.name for group in carol.groups.all()] == [role]
    assert carol.is_staff is admin_site
    assert not carol.has_usable_password()


def test_the_teammate_chooses_a_password_once_through_the_link(admin_client, client):
    link = set_password_link(add_teammate(admin_client))
    admin_client.logout()

    form = client.get(link, follow=True)
    chosen = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "a-long-new-pass-91", "new_password2": "a-long-new-pass-91"},
    )

    assert chosen.status_code == 302
    assert "password has been set" in client.get(chosen["Location"]).content.decode()
    assert client.login(request=HttpRequest(), username="carol", password="a-long-new-pass-91")
    client.logout()
    assert "invalid" in client.get(link, follow=True).content.decode().lower()


def test_an_admin_who_is_not_a_superuser_cannot_make_anyone_a_superuser(client, alice):
    adam = user_with_role("adam", "admins", is_staff=True)
    client.force_login(adam)

    client.post(
        f"/admin/auth/user/{adam.pk}/change/",
        {
            "username": "adam",
            "is_active": "on",
            "is_staff": "on",
            "is_superuser": "on",
            "date_joined_0": "2025-01-01",
            "date_joined_1": "00:00:00",
        },
    )

    adam.refresh_from_db()
    assert not adam.is_superuser


def test_the_one_time_link_never_travels_in_a_cookie(admin_client):
    response = admin_client.post(
        "/admin/auth/user/add/", {"full_name": "Carol Baker", "username": "carol", "role": "staff"}
    )

    cookies = " ".join(morsel.value for morsel in response.cookies.values())
    assert "set-password" not in cookies
    assert "messages" not in response.cookies
    assert "/accounts/set-password/" in admin_client.get(response["Location"]).content.decode()
