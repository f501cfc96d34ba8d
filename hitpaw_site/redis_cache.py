"""Django's Redis cache, keeping one Redis client per connection pool.

Django makes a new `redis.Redis` for every cache call. Every request reads its session from the
cache, and in redis-py 8 a new client costs more than the GET it sends (docs/benchmarks.md, end to
end). A client only borrows a connection from its pool per command, so one per pool is enough; each
thread has its own cache object (Django's `caches` are per thread), so it is never shared.
"""

from django.core.cache.backends import redis


class RedisCacheClient(redis.RedisCacheClient):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}  # by id() of the pool: the pools live as long as this

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(redis.RedisCache):
    def __init__(self, server, params) -> None:
        super().__init__(server, params)
        self._class = RedisCacheClient
