"""The per-minute rate decides how fast one person's photos are sent, not whether they are taken:
photos past it are queued and due a minute (or more) later, and the form takes them all."""

from datetime import timedelta

import pytest
from django.utils import timezone

from enhancer.jobs import claims, intake
from enhancer.models import Job, JobStatus

LIMIT = 5


@pytest.fixture(autouse=True)
def small_limit(settings, monkeypatch):
    settings.ENHANCER_SUBMISSIONS_PER_MINUTE = LIMIT


def send(client, count, start=0):
    links = "\n".join(f"https://photos.example.com/{n}.jpg" for n in range(start, start + count))
    return client.post("/", {"img_url": links, "model_name": "general_2x"})


def due_now(user) -> int:
    soon = timezone.now() + timedelta(seconds=5)
    return Job.objects.filter(user=user, due_at__lte=soon).count()


def minutes_away(user) -> list[int]:
    """Each of the person's photos' wait, in whole minutes from now, in order."""
    now = timezone.now()
    return [
        round((job.due_at - now).total_seconds() / 60) for job in Job.objects.filter(user=user).order_by("pk")
    ]


def test_photos_past_the_rate_are_taken_and_wait_their_turn(alice_client, alice, general_2x):
    assert send(alice_client, LIMIT).status_code == 302
    response = send(alice_client, 1, start=LIMIT)
    assert response.status_code == 302  # taken, not refused
    assert Job.objects.count() == LIMIT + 1
    assert due_now(alice) == LIMIT
    late = Job.objects.order_by("pk").last()
    assert late.status == JobStatus.QUEUED
    assert "Waiting its turn: at most 5 photos a minute are sent to HitPaw" in late.message


def test_no_minute_holds_more_than_the_rate(alice, general_2x):
    intake.create_jobs(alice, [f"https://photos.example.com/{n}.jpg" for n in range(12)], general_2x)
    assert minutes_away(alice) == [0] * 5 + [1] * 5 + [2] * 2


def test_a_later_paste_fills_the_last_waiting_minute_then_goes_after_it(alice, general_2x):
    intake.create_jobs(alice, [f"https://photos.example.com/a{n}.jpg" for n in range(7)], general_2x)
    intake.create_jobs(alice, [f"https://photos.example.com/b{n}.jpg" for n in range(5)], general_2x)
    assert minutes_away(alice) == [0] * 5 + [1] * 2 + [1] * 3 + [2] * 2


def test_photos_sent_in_the_last_minute_count_against_the_first(alice, general_2x):
    intake.create_jobs(alice, [f"https://photos.example.com/a{n}.jpg" for n in range(3)], general_2x)
    claims.claim_due_jobs(100, 100)  # let go: the ticker handed them to a worker
    intake.create_jobs(alice, [f"https://photos.example.com/b{n}.jpg" for n in range(4)], general_2x)
    assert minutes_away(alice) == [0] * 3 + [0] * 2 + [1] * 2


def test_the_ticker_hands_out_only_the_photos_whose_turn_has_come(alice, general_2x):
    intake.create_jobs(alice, [f"https://photos.example.com/{n}.jpg" for n in range(8)], general_2x)
    claims.claim_due_jobs(100, 100)
    claimed = Job.objects.exclude(lease_token="")
    assert claimed.count() == LIMIT


def test_a_waiting_photos_deadline_counts_from_its_turn(alice, general_2x, settings):
    intake.create_jobs(alice, [f"https://photos.example.com/{n}.jpg" for n in range(6)], general_2x)
    late = Job.objects.order_by("pk").last()
    assert late.deadline_at - late.due_at == timedelta(seconds=settings.ENHANCER_JOB_DEADLINE_SECONDS)


def test_it_counts_each_person_separately(alice_client, bob, general_2x, client):
    send(alice_client, LIMIT)
    client.force_login(bob)
    assert send(client, 1).status_code == 302
    assert due_now(bob) == 1


def test_canceled_photos_never_went_so_they_take_no_turn(alice, general_2x):
    jobs = intake.create_jobs(
        alice, [f"https://photos.example.com/a{n}.jpg" for n in range(LIMIT)], general_2x
    )
    for job in jobs:
        intake.cancel(job)
    intake.create_jobs(alice, ["https://photos.example.com/b.jpg"], general_2x)
    assert Job.objects.order_by("pk").last().due_at <= timezone.now() + timedelta(seconds=5)
