"""One HitPaw client keeps its HTTP connection between calls when the API allows it."""

import pytest

from enhancer.hitpaw.client import HitPawClient
from tests.support.fake_hitpaw import FakeHitPaw


@pytest.fixture(scope="module")
def keep_alive_fake():
    with FakeHitPaw(api_key="test-key", keep_alive=True) as server:
        yield server


def connections_for_five_polls(server):
    """New connections the server saw during five polls (less the one asking for its stats)."""
    client = HitPawClient("test-key", server.url)
    submission = client.submit(server.image_url(64, 48, "png", fault="status_never"), "general_2x", ".png")
    before = server.stats()["connections"]
    for _ in range(5):
        client.status(submission.job_id)
    return server.stats()["connections"] - before - 1


def test_it_polls_over_the_connection_it_submitted_on(keep_alive_fake):
    assert connections_for_five_polls(keep_alive_fake) == 0


def test_it_opens_a_connection_per_call_when_the_server_closes_each(fake):
    assert connections_for_five_polls(fake) == 5
