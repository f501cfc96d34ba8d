"""With Redis, the cache (and with it every request's session) keeps one Redis client per pool
instead of making a new one for each call, and still reads and writes as Django's own does."""

import pytest
from django.conf import settings
from django.core.cache import cache

pytestmark = pytest.mark.skipif(
    not settings.CACHES["default"]["BACKEND"].startswith("hitpaw_site.redis_cache"),
    reason="Redis cache only (REDIS_URL set)",
)


def test_the_cache_keeps_one_redis_client_and_still_works(monkeypatch):
    backend = cache._cache
    made = []
    make = backend._client
    monkeypatch.setattr(backend, "_client", lambda **options: made.append(options) or make(**options))
    backend._clients.clear()

    for n in range(20):
        cache.set(f"kept-client-{n}", {"n": n}, timeout=30)
        assert cache.get(f"kept-client-{n}") == {"n": n}
    cache.delete("kept-client-0")

    assert cache.get("kept-client-0") is None
    assert len(made) == 1


def test_a_session_survives_between_requests_through_the_kept_client(client, alice):
    client.force_login(alice)

    assert client.get("/").status_code == 200
    assert client.get("/jobs/").status_code == 200
