"""The teammate page (like the Add form, with the one-time link and Copy), new links, and the welcome
page the teammate opens: their username, a password, logged in."""

import re

from django.contrib.auth import get_user_model

from tests.support.roles import user_with_role

User = get_user_model()
PEOPLE = "/admin/auth/user/"
LINK = re.compile(r'value="http://testserver(/accounts/set-password/[^"]+)"')


def add_carol(browser, role="staff"):
    return browser.post(
        f"{PEOPLE}add/", {"full_name": "Carol Baker", "username": "carol", "role": role}, follow=True
    )


def link_on(page) -> str:
    return LINK.search(page.content.decode()).group(1)


def test_after_add_teammate_the_admin_lands_on_a_page_for_people_with_the_link_to_copy(adam_client):
    response = add_carol(adam_client)

    carol = User.objects.get(username="carol")
    page = response.content.decode()
    assert response.redirect_chain[-1][0] == f"{PEOPLE}{carol.pk}/change/"
    assert "Carol Baker was added. Hand them the link below; their username is carol." in page
    for field in ('name="full_name"', 'name="username"', 'name="groups"', 'name="is_active"'):
        assert field in page
    for django_only in ("Staff status", "Superuser status", "user_permissions", "Date joined"):
        assert django_only not in page
    assert link_on(response).startswith("/accounts/set-password/")
    assert 'data-copy="one-time-link"' in page and "enhancer/copy-link" in page
    assert "<script>" not in page.split("</head>")[1]  # no inline script (CSP)


def test_the_link_is_shown_once_and_a_new_one_replaces_it(adam_client, client):
    first = link_on(add_carol(adam_client))
    carol = User.objects.get(username="carol")
    assert "data-set-password-link" not in adam_client.get(f"{PEOPLE}{carol.pk}/change/").content.decode()

    renewed = adam_client.post(f"{PEOPLE}{carol.pk}/one-time-link/", follow=True)
    second = link_on(renewed)

    assert second != first
    assert "Links made before no longer work." in renewed.content.decode()
    assert "no longer works" in client.get(first, follow=True).content.decode()
    assert "Your username is <strong>carol</strong>" in client.get(second, follow=True).content.decode()


def test_the_role_and_name_are_changed_on_the_teammate_page(adam_client):
    add_carol(adam_client)
    carol = User.objects.get(username="carol")
    admins = carol.groups.model.objects.get(name="admins")

    adam_client.post(
        f"{PEOPLE}{carol.pk}/change/",
        {"full_name": "Carol Baker-Smith", "username": "carol", "groups": str(admins.pk), "is_active": "on"},
    )

    carol.refresh_from_db()
    assert (carol.first_name, carol.last_name) == ("Carol", "Baker-Smith")
    assert [group.name for group in carol.groups.all()] == ["admins"]
    assert carol.is_staff and not carol.is_superuser  # the admin site's flag follows the role


def test_a_superuser_may_still_open_djangos_full_form(client, admin_user, adam):
    client.force_login(admin_user)

    plain = client.get(f"{PEOPLE}{adam.pk}/change/").content.decode()
    full = client.get(f"{PEOPLE}{adam.pk}/change/?all_fields=1").content.decode()

    assert "Superuser status" not in plain and "?all_fields=1" in plain
    assert "Superuser status" in full and "Staff status" in full


def test_an_admin_who_is_not_a_superuser_never_gets_the_full_form(adam_client, adam):
    page = adam_client.get(f"{PEOPLE}{adam.pk}/change/?all_fields=1").content.decode()
    assert "Superuser status" not in page and "all_fields" not in page


def test_nobody_makes_a_link_for_someone_out_of_their_reach(adam_client, admin_user, alice_client):
    carol = user_with_role("carol", "staff")

    assert adam_client.post(f"{PEOPLE}{admin_user.pk}/one-time-link/").status_code == 404
    assert alice_client.post(f"{PEOPLE}{carol.pk}/one-time-link/").status_code == 302  # to the admin login
    assert adam_client.get(f"{PEOPLE}{carol.pk}/one-time-link/").status_code == 405


def test_the_welcome_page_tells_the_username_and_logs_the_teammate_in(adam_client, client):
    link = link_on(add_carol(adam_client))

    welcome = client.get(link, follow=True)
    assert "Your username is <strong>carol</strong>" in welcome.content.decode()
    done = client.post(
        welcome.redirect_chain[-1][0],
        {"new_password1": "a-long-new-pass-91", "new_password2": "a-long-new-pass-91"},
        follow=True,
    )

    page = done.content.decode()
    assert done.redirect_chain[-1][0] == "/"
    assert "Welcome, Carol Baker. Your password has been set, and you are logged in as carol." in page
    assert "Password reset complete" not in page
    assert int(client.session["_auth_user_id"]) == User.objects.get(username="carol").pk


def test_a_reviewer_lands_on_the_photos(adam_client, client):
    link = link_on(add_carol(adam_client, role="reviewers"))
    welcome = client.get(link, follow=True)

    done = client.post(
        welcome.redirect_chain[-1][0],
        {"new_password1": "a-long-new-pass-91", "new_password2": "a-long-new-pass-91"},
    )

    assert done["Location"] == "/jobs/"


def test_a_superuser_without_a_role_keeps_none_when_their_name_is_changed(client, admin_user):
    client.force_login(admin_user)

    page = client.get(f"{PEOPLE}{admin_user.pk}/change/").content.decode()
    client.post(
        f"{PEOPLE}{admin_user.pk}/change/",
        {"full_name": "Bo Ss", "username": admin_user.username, "groups": "", "is_active": "on"},
    )

    admin_user.refresh_from_db()
    assert "None (a superuser may do everything)" in page
    assert admin_user.get_full_name() == "Bo Ss"
    assert not admin_user.groups.exists() and admin_user.is_staff and admin_user.is_superuser
