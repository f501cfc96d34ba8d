"""Exit 0 when PostgreSQL and Redis answer at the given URLs (and empty the Redis test database)."""

import sys

import psycopg
import redis


def main(pg_url: str, redis_url: str) -> int:
    try:
        psycopg.connect(pg_url, connect_timeout=3).close()
    except psycopg.Error as error:
        print(f"PostgreSQL at {pg_url} is not reachable: {error}", file=sys.stderr)
        return 1
    try:
        redis.Redis.from_url(redis_url, socket_connect_timeout=3).flushdb()
    except redis.RedisError as error:
        print(f"Redis at {redis_url} is not reachable: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
