"""Superusers are out of reach of admins who are not one, through every door of the people admin;
and no admin raises their own powers."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission

from tests.support.roles import user_with_role

User = get_user_model()
PEOPLE = "/admin/auth/user/"


@pytest.fixture
def carol(db):
    return user_with_role("carol", "staff")


def form_data(user, **changes) -> dict:
    """What the people admin's change form posts for `user`, with `changes`."""
    data = {
        "full_name": user.get_full_name() or user.username,
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on",
        "groups": [str(pk) for pk in user.groups.values_list("pk", flat=True)],
        "date_joined_0": "2025-01-01",
        "date_joined_1": "00:00:00",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_the_people_list_leaves_out_superusers(adam_client, admin_user, carol):
    page = adam_client.get(PEOPLE).content.decode()
    assert "carol" in page and admin_user.username not in page


def test_a_superuser_still_sees_everyone(client, admin_user, carol):
    client.force_login(admin_user)
    page = client.get(PEOPLE).content.decode()
    assert "carol" in page and f"{PEOPLE}{admin_user.pk}/change/" in page


def test_an_admin_cannot_rename_or_deactivate_a_superuser(adam_client, admin_user):
    url = f"{PEOPLE}{admin_user.pk}/change/"

    assert adam_client.get(url).status_code == 302  # "doesn't exist", back to the index
    adam_client.post(url, form_data(admin_user, username="taken-over", is_active=None))

    admin_user.refresh_from_db()
    assert (admin_user.username, admin_user.is_active) == ("boss", True)


def test_an_admin_cannot_set_a_superusers_password(adam_client, admin_user):
    url = f"{PEOPLE}{admin_user.pk}/password/"
    new = {"password1": "a-long-new-pass-91", "password2": "a-long-new-pass-91", "usable_password": "true"}

    assert adam_client.get(url).status_code == 404
    assert adam_client.post(url, new).status_code == 404

    admin_user.refresh_from_db()
    assert admin_user.check_password("boss-password-1")


def test_an_admin_still_sets_a_teammates_password(adam_client, carol):
    new = {"password1": "a-long-new-pass-91", "password2": "a-long-new-pass-91", "usable_password": "true"}
    adam_client.post(f"{PEOPLE}{carol.pk}/password/", new)
    carol.refresh_from_db()
    assert carol.check_password("a-long-new-pass-91")


def test_an_admin_cannot_delete_a_superuser(adam, adam_client, admin_user):
    adam.user_permissions.add(Permission.objects.get(codename="delete_user"))  # even with the permission
    url = f"{PEOPLE}{admin_user.pk}/delete/"
    adam_client.post(url, {"post": "yes"})
    assert User.objects.filter(pk=admin_user.pk).exists()


def test_a_bulk_delete_skips_the_superuser_and_removes_the_teammate(adam, adam_client, admin_user, carol):
    # Admins are not given delete_user by their role; this one was, to try the bulk door.
    adam.user_permissions.add(Permission.objects.get(codename="delete_user"))
    chosen = {
        "action": "delete_selected",
        "_selected_action": [str(admin_user.pk), str(carol.pk)],
        "post": "yes",
    }

    adam_client.post(PEOPLE, chosen)

    assert User.objects.filter(pk=admin_user.pk).exists()
    assert not User.objects.filter(pk=carol.pk).exists()


def test_an_admin_cannot_make_a_teammate_superuser(adam_client, carol):
    adam_client.post(f"{PEOPLE}{carol.pk}/change/", form_data(carol, is_superuser="on", is_staff="on"))
    carol.refresh_from_db()
    assert not carol.is_superuser and not carol.is_staff  # the admin site's flag follows the role


def test_an_admin_cannot_change_their_own_roles_or_flags(adam, adam_client):
    auditors = Group.objects.create(name="auditors")
    auditors.permissions.add(Permission.objects.get(codename="delete_user"))
    own = form_data(adam, groups=[str(auditors.pk)], is_staff=None, is_superuser="on")

    adam_client.post(f"{PEOPLE}{adam.pk}/change/", own)

    adam.refresh_from_db()
    assert [group.name for group in adam.groups.all()] == ["admins"]
    assert adam.is_staff and not adam.is_superuser


def test_an_admin_cannot_hand_out_a_role_beyond_their_own(adam_client, carol):
    auditors = Group.objects.create(name="auditors")
    auditors.permissions.add(Permission.objects.get(codename="delete_user"))

    refused = adam_client.post(f"{PEOPLE}{carol.pk}/change/", form_data(carol, groups=[str(auditors.pk)]))
    reviewers = Group.objects.get(name="reviewers")
    moved = adam_client.post(f"{PEOPLE}{carol.pk}/change/", form_data(carol, groups=[str(reviewers.pk)]))

    assert "Select a valid choice" in refused.content.decode()
    assert moved.status_code == 302
    assert [group.name for group in carol.groups.all()] == ["reviewers"]
