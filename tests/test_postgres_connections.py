"""On PostgreSQL (Django's own engine) a kept connection the database dropped while idle, as after a
restart, is replaced before a request uses it; and a statement run again and again is prepared on
the server, so PostgreSQL does not parse and plan it every time."""

import pytest
from django.db import close_old_connections, connection, connections

from enhancer.models import Job

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's kept connections only"),
]


def a_request() -> int:
    """What Django does around a request: tidy connections, run a query, tidy again."""
    close_old_connections()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    close_old_connections()
    return pid


def test_a_kept_connection_serves_request_after_request():
    first = a_request()

    assert {a_request() for _ in range(5)} == {first}


def test_a_connection_the_database_dropped_while_idle_is_replaced_before_use():
    first = a_request()
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [first])
    finally:
        other.close()

    replaced = a_request()  # no error: the health check found it dead and opened another

    assert replaced != first


def test_a_statement_the_pipeline_repeats_is_prepared_on_the_server():
    for _ in range(6):
        Job.objects.filter(pk=0, lease_token="no-such-token").update(attempts=0)

    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements WHERE statement LIKE 'UPDATE%%'")
        prepared = [row[0] for row in cursor.fetchall()]

    assert any(statement.startswith('UPDATE "enhancer_job" SET "attempts" = $1') for statement in prepared)
