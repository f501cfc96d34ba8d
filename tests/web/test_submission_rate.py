"""One person may send only so many photos a minute; the form says so plainly and nothing is queued."""

from datetime import timedelta

import pytest
from freezegun import freeze_time

from enhancer.models import Job

LIMIT = 5


@pytest.fixture(autouse=True)
def small_limit(settings, monkeypatch):
    settings.ENHANCER_SUBMISSIONS_PER_MINUTE = LIMIT
    monkeypatch.setattr("enhancer.tasks.kick", lambda: None)


def send(client, count):
    links = "\n".join(f"https://photos.example.com/{n}.jpg" for n in range(count))
    return client.post("/", {"img_url": links, "model_name": "general_2x"})


def test_it_refuses_photos_past_the_limit_with_a_plain_message(alice_client, general_2x):
    assert send(alice_client, LIMIT).status_code == 302
    response = send(alice_client, 1)
    assert response.status_code == 200
    assert "more photos than one person can send in a minute (at most 5)" in response.content.decode()
    assert Job.objects.count() == LIMIT


def test_it_refuses_the_whole_batch_that_would_pass_the_limit(alice_client, general_2x):
    send(alice_client, LIMIT - 1)
    send(alice_client, 2)
    assert Job.objects.count() == LIMIT - 1


def test_it_takes_photos_again_a_minute_later(alice_client, general_2x):
    with freeze_time() as clock:
        send(alice_client, LIMIT)
        clock.tick(timedelta(seconds=61))
        assert send(alice_client, 1).status_code == 302
    assert Job.objects.count() == LIMIT + 1


def test_it_counts_each_person_separately(alice_client, bob, general_2x, client):
    send(alice_client, LIMIT)
    client.force_login(bob)
    assert send(client, 1).status_code == 302
    assert Job.objects.filter(user=bob).count() == 1
