"""Personal API tokens: random, recognisable, kept only as a hash, refused once expired, turned
off or their person deactivated; the last use recorded at most once a minute."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from freezegun import freeze_time

from enhancer.api.tokens import TOKEN_PREFIX, hash_of, make_token, person_for_token
from enhancer.models import ApiToken

pytestmark = pytest.mark.django_db


def every_value_in_the_table() -> str:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT * FROM "{ApiToken._meta.db_table}"')
        return repr(cursor.fetchall())


def test_only_the_hash_is_stored(alice):
    token, raw = make_token(alice, "catalogue script")

    assert raw not in every_value_in_the_table()
    assert raw[len(TOKEN_PREFIX) + 6 :] not in every_value_in_the_table()
    assert token.token_hash == hash_of(raw) and len(token.token_hash) == 64


def test_the_token_is_random_with_a_recognisable_prefix(alice):
    raws = {make_token(alice, f"t{n}")[1] for n in range(10)}

    assert len(raws) == 10
    assert all(raw.startswith("edk_") and len(raw) >= 4 + 43 for raw in raws)  # 256 random bits
    for token in ApiToken.objects.all():
        assert token.prefix.startswith("edk_") and len(token.prefix) == 10
        assert any(raw.startswith(token.prefix) for raw in raws)


def test_a_working_token_acts_as_its_person(alice):
    _, raw = make_token(alice, "cms hook")

    assert person_for_token(raw) == alice


@pytest.mark.parametrize("raw", [None, "", "edk_", "edk_not-a-token", "x" * 5000, "no-prefix-at-all"])
def test_unknown_tokens_are_refused(alice, raw):
    make_token(alice, "real")

    assert person_for_token(raw) is None


def test_a_near_miss_is_refused(alice):
    _, raw = make_token(alice, "real")

    assert person_for_token(raw[:-1]) is None
    assert person_for_token(raw + "a") is None


def test_an_expired_token_is_refused(alice):
    _, raw = make_token(alice, "short", expires_at=timezone.now() + timedelta(days=30))

    with freeze_time(timezone.now() + timedelta(days=31)):
        assert person_for_token(raw) is None
    assert person_for_token(raw) == alice


def test_a_turned_off_token_is_refused(alice):
    token, raw = make_token(alice, "leaked")
    ApiToken.objects.filter(pk=token.pk).update(turned_off_at=timezone.now())

    assert person_for_token(raw) is None


def test_a_deactivated_persons_token_is_refused(alice):
    _, raw = make_token(alice, "left the team")
    alice.is_active = False
    alice.save()

    assert person_for_token(raw) is None


def test_last_use_is_written_at_most_once_a_minute(alice, django_assert_num_queries):
    token, raw = make_token(alice, "busy")
    start = timezone.now()

    with freeze_time(start):
        person_for_token(raw)
    token.refresh_from_db()
    assert token.last_used_at == start

    with freeze_time(start + timedelta(seconds=30)), django_assert_num_queries(1):  # the lookup only
        assert person_for_token(raw) == alice
    token.refresh_from_db()
    assert token.last_used_at == start

    with freeze_time(start + timedelta(seconds=61)):
        person_for_token(raw)
    token.refresh_from_db()
    assert token.last_used_at == start + timedelta(seconds=61)
