"""The "API tokens" page: a token is made and shown once, listed by its prefix and last use, turned
off by its person or an admin; nobody else sees or touches it (a 404), and every change needs CSRF."""

import logging

import pytest
from django.contrib import admin
from django.test import Client
from django.utils import timezone

from enhancer.api.tokens import make_token, person_for_token
from enhancer.models import ApiToken
from tests.support.roles import user_with_role

pytestmark = pytest.mark.django_db

PAGE = "/settings/tokens/"


def make_on_the_page(client: Client, name: str = "catalogue", days: str = "90") -> tuple[ApiToken, str, str]:
    response = client.post(PAGE, {"name": name, "days": days})
    assert response.status_code == 200
    page = response.content.decode()
    token = ApiToken.objects.get(name=name)
    start = page.index(token.prefix)
    raw = page[start : page.index('"', start)]
    return token, raw, page


def test_a_token_is_made_and_shown_once(alice_client, alice, caplog):
    caplog.set_level(logging.DEBUG)
    token, raw, page = make_on_the_page(alice_client)

    assert person_for_token(raw) == alice
    assert "shown only this once" in page
    assert "no-store" in alice_client.post(PAGE, {"name": "b", "days": "0"})["Cache-Control"]
    again = alice_client.get(PAGE).content.decode()
    assert token.prefix in again and raw not in again
    assert raw not in str(alice_client.session.items())
    assert raw not in caplog.text


def test_the_expiry_chosen_is_kept(alice_client):
    never, _, _ = make_on_the_page(alice_client, "forever", "0")
    month, _, _ = make_on_the_page(alice_client, "month", "30")

    assert never.expires_at is None
    assert 29 < (month.expires_at - timezone.now()).days + 1 <= 30


def test_a_token_needs_a_name(alice_client):
    response = alice_client.post(PAGE, {"name": "", "days": "30"})

    assert response.status_code == 200 and not ApiToken.objects.exists()
    assert "data-raw-token" not in response.content.decode()


def test_the_list_shows_prefix_status_and_last_use(alice_client, alice):
    _, raw = make_token(alice, "cms hook")
    assert "Never" in alice_client.get(PAGE).content.decode()

    person_for_token(raw)
    token = ApiToken.objects.get()
    page = alice_client.get(PAGE).content.decode()

    assert token.prefix in page and "working" in page
    assert token.last_used_at.strftime("%b %-d, %Y") in page


def test_the_owner_turns_a_token_off(alice_client, alice):
    token, raw = make_token(alice, "leaked")

    response = alice_client.post(f"{PAGE}{token.pk}/off")

    assert response.status_code == 302
    assert person_for_token(raw) is None
    assert "turned off" in alice_client.get(PAGE).content.decode()


def test_staff_neither_see_nor_turn_off_anothers_token(alice_client, alice, bob):
    token, raw = make_token(bob, "bobs script")

    assert token.prefix not in alice_client.get(PAGE).content.decode()
    assert alice_client.post(f"{PAGE}{token.pk}/off").status_code == 404
    assert person_for_token(raw) == bob


@pytest.mark.parametrize("who", ["adam_client", "admin_client"])
def test_admins_see_everyones_tokens_and_turn_any_off(request, who, bob):
    client = request.getfixturevalue(who)
    token, raw = make_token(bob, "bobs script")

    page = client.get(PAGE).content.decode()
    assert token.prefix in page and "bob" in page and "Everyone's tokens" in page
    assert client.post(f"{PAGE}{token.pk}/off").status_code == 302
    assert person_for_token(raw) is None


def test_reviewers_see_only_their_own():
    reviewer = user_with_role("rita", "reviewers")
    other = user_with_role("sam", "staff")
    token, _ = make_token(other, "sams")
    client = Client()
    client.force_login(reviewer)

    assert token.prefix not in client.get(PAGE).content.decode()
    assert client.post(f"{PAGE}{token.pk}/off").status_code == 404


def test_a_person_without_a_role_may_make_a_token_that_can_do_what_they_can(db):
    from django.contrib.auth import get_user_model

    nobody = get_user_model().objects.create_user("nora")
    client = Client()
    client.force_login(nobody)

    token, raw, _ = make_on_the_page(client)
    assert person_for_token(raw) == nobody


def test_signed_out_visitors_are_sent_to_log_in(client):
    assert client.get(PAGE).status_code == 302
    assert client.post(PAGE, {"name": "x", "days": "30"}).status_code == 302
    assert not ApiToken.objects.exists()


def test_making_and_turning_off_need_csrf(alice):
    token, raw = make_token(alice, "kept")
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)

    assert client.post(PAGE, {"name": "x", "days": "30"}).status_code == 403
    assert client.post(f"{PAGE}{token.pk}/off").status_code == 403
    assert ApiToken.objects.count() == 1 and person_for_token(raw) == alice


def test_the_nav_links_the_page(alice_client):
    assert f'href="{PAGE}"' in alice_client.get("/jobs/").content.decode()


def test_the_admin_lists_tokens_without_their_hash_and_turns_them_off(admin_client, bob):
    token, raw = make_token(bob, "bobs script")
    assert ApiToken in admin.site._registry

    listing = admin_client.get("/admin/enhancer/apitoken/").content.decode()
    detail = admin_client.get(f"/admin/enhancer/apitoken/{token.pk}/change/").content.decode()
    assert token.prefix in listing
    assert token.token_hash not in listing + detail and raw not in listing + detail

    admin_client.post(
        "/admin/enhancer/apitoken/", {"action": "turn_off", "_selected_action": [token.pk], "index": 0}
    )
    assert person_for_token(raw) is None


def test_an_admin_by_role_reaches_the_tokens_in_the_admin(adam_client):
    assert adam_client.get("/admin/enhancer/apitoken/").status_code == 200


def test_staff_do_not_reach_the_tokens_in_the_admin(bob):
    bob.is_staff = True
    bob.save()
    client = Client()
    client.force_login(bob)

    assert client.get("/admin/enhancer/apitoken/").status_code == 403
