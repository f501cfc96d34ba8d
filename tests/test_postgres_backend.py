"""On PostgreSQL a kept connection is checked (a `SELECT 1` round trip) only after it sat idle a while:
a busy web thread does not pay for a check per request, and a connection the database dropped while
idle is still replaced before a request uses it. And a statement run again and again is prepared
on the server, so PostgreSQL does not parse and plan it every time."""

import pytest
from django.db import close_old_connections, connection, connections

from enhancer.db_backends.postgresql.base import TRUST_SECONDS
from enhancer.jobs import claims

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's kept connections only"),
]


@pytest.fixture
def health_checks(monkeypatch):
    """Every health check Django makes on the connection, counted."""
    checks = []
    real_check = connection.is_usable

    def counted():
        checks.append(connection.connection.info.backend_pid)
        return real_check()

    monkeypatch.setattr(connection, "is_usable", counted)
    return checks


def a_request() -> int:
    """What Django does around a request: tidy connections, run a query, tidy again."""
    close_old_connections()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    close_old_connections()
    return pid


def sit_idle() -> None:
    connection.tidied_at -= TRUST_SECONDS + 1


def test_a_connection_that_just_served_a_request_is_not_checked_again(health_checks):
    first = a_request()
    health_checks.clear()

    pids = {a_request() for _ in range(5)}

    assert health_checks == []
    assert pids == {first}  # the same kept connection throughout


def test_a_connection_idle_for_a_while_is_checked_before_use(health_checks):
    first = a_request()
    health_checks.clear()
    sit_idle()

    assert a_request() == first
    assert health_checks == [first]


def test_a_connection_the_database_dropped_while_idle_is_replaced_before_use(health_checks):
    first = a_request()
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [first])
    finally:
        other.close()
    sit_idle()

    replaced = a_request()  # no error: the check found the connection dead and opened another

    assert replaced != first
    assert health_checks == [first]


def test_a_statement_the_pipeline_repeats_is_prepared_on_the_server():
    """Parsed and planned once per connection instead of on every run (docs/benchmarks.md)."""
    for _ in range(6):
        claims.update(0, "no-such-token", attempts=0)  # matches no job: only the statement matters

    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements WHERE statement LIKE 'UPDATE%%'")
        prepared = [row[0] for row in cursor.fetchall()]

    assert any(statement.startswith('UPDATE "enhancer_job" SET "attempts" = $1') for statement in prepared)
