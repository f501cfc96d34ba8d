"""One submission per click: the same submit form sent twice makes its photos once.

A double click, Enter pressed twice, or a browser resending the POST: the second send lands on the
first one's page, and nothing new is queued (or charged).
"""

import re

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from enhancer.jobs import intake
from enhancer.models import Batch, Job
from tests.support.images import image_bytes
from tests.support.jobs import in_threads, make_job

PHOTO = "https://photos.example.com/shoe.jpg"
TOKEN = "0123456789abcdef0123456789abcdef"


def token_on(page) -> str:
    found = re.search(r'<input type="hidden" name="submission_token" value="([0-9a-f]{32})"', page)
    assert found, "the submit form carries no submission token"
    return found.group(1)


def send(client, token=TOKEN, links=PHOTO, **fields):
    return client.post(
        "/", {"img_url": links, "model_name": "general_2x", "submission_token": token, **fields}
    )


def test_each_showing_of_the_form_carries_a_token_of_its_own(alice_client, catalogue):
    first = token_on(alice_client.get("/").content.decode())
    second = token_on(alice_client.get("/").content.decode())

    assert first != second


def test_the_same_form_sent_twice_makes_one_job_and_lands_on_its_page(alice_client, catalogue):
    token = token_on(alice_client.get("/").content.decode())

    first = send(alice_client, token)
    second = send(alice_client, token)

    job = Job.objects.get()
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == f"/jobs/{job.pk}/"
    page = alice_client.get(second["Location"]).content.decode()
    assert "its photos were taken once" in page


def test_several_links_sent_twice_make_one_batch_and_land_on_its_page(alice_client, catalogue):
    links = "\n".join(f"https://photos.example.com/{n}.jpg" for n in range(3))

    first = send(alice_client, links=links)
    second = send(alice_client, links=links)

    batch = Batch.objects.get()
    assert Job.objects.count() == 3
    assert first["Location"] == second["Location"] == f"/batches/{batch.pk}/"


def test_an_upload_sent_twice_makes_one_job_and_stores_the_photo_once(alice_client, catalogue, settings):
    settings.PUBLIC_BASE_URL = "https://desk.example.com"

    def upload():
        photo = SimpleUploadedFile("shoe.png", image_bytes(64, 48), content_type="image/png")
        return send(alice_client, links="", photos=[photo])

    first, second = upload(), upload()

    job = Job.objects.get()
    assert first["Location"] == second["Location"] == f"/jobs/{job.pk}/"
    assert len(default_storage.listdir("originals")[1]) == 1


def test_a_new_showing_of_the_form_sends_again(alice_client, catalogue):
    send(alice_client, "a" * 32)
    send(alice_client, "b" * 32)

    assert Job.objects.count() == 2


def test_a_token_is_one_persons_own(alice_client, client, bob, catalogue):
    send(alice_client)
    client.force_login(bob)

    response = send(client)

    theirs = Job.objects.get(user=bob)
    assert response["Location"] == f"/jobs/{theirs.pk}/"


def test_a_form_without_a_token_of_ours_is_still_taken(alice_client, catalogue):
    send(alice_client, "not-a-token")
    send(alice_client, "")

    assert Job.objects.count() == 2
    assert set(Job.objects.values_list("submission_token", flat=True)) == {""}


def test_a_refused_form_can_be_sent_again_once_corrected(alice_client, catalogue):
    refused = send(alice_client, links="not a link")
    assert refused.status_code == 200 and token_on(refused.content.decode()) == TOKEN

    assert send(alice_client)["Location"] == f"/jobs/{Job.objects.get().pk}/"


@pytest.mark.django_db
def test_two_sends_that_both_miss_the_first_makes_record_still_make_one(alice, general_2x, monkeypatch):
    """Both sends looked before either saved: the unique token turns the second into the first's page."""
    first = make_job(user=alice, submission_token=TOKEN)
    looks = []
    real = intake._sent_before

    def slow_look(user, token):
        looks.append(token)
        if len(looks) > 2:  # the look before and the one under the lock both missed it
            real(user, token)

    monkeypatch.setattr(intake, "_sent_before", slow_look)

    with pytest.raises(intake.AlreadySubmitted) as again:
        intake.create_jobs(alice, [PHOTO], general_2x, submission_token=TOKEN)

    assert again.value.job == first
    assert Job.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_sends_at_once_make_one_job(alice, general_2x):
    def submit(_):
        try:
            return intake.create_jobs(alice, [PHOTO], general_2x, submission_token=TOKEN)[0].pk
        except intake.AlreadySubmitted as again:
            return again.job.pk

    results = in_threads(2, submit)

    assert Job.objects.count() == 1
    assert results == [Job.objects.get().pk] * 2
