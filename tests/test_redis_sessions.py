"""With Redis, sessions are read from Django's own Redis cache and survive between requests."""

import pytest
from django.conf import settings

pytestmark = pytest.mark.skipif(
    not settings.CACHES["default"]["BACKEND"].endswith("RedisCache"),
    reason="Redis cache only (REDIS_URL set)",
)


def test_a_session_survives_between_requests(client, alice):
    client.force_login(alice)

    assert client.get("/").status_code == 200
    assert client.get("/jobs/").status_code == 200
