"""Uploads behind NAT: with no public address, an upload goes to HitPaw's own storage (presign-put,
then a PUT) and HitPaw is sent the link it gave. Against the fake HitPaw server; staging is free."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from enhancer.hitpaw.client import HitPawClient
from enhancer.jobs import intake, pipeline
from enhancer.models import Job, JobStatus
from tests.support.images import image_bytes
from tests.support.jobs import step

PHOTO = image_bytes(64, 48, "JPEG")


@pytest.fixture
def office(settings, fake, monkeypatch):
    """A key set, the API at the fake server, and no address HitPaw could reach us on."""
    settings.SANDBOX_MODE = False
    settings.PUBLIC_BASE_URL = ""
    settings.ENHANCER_ALLOW_PRIVATE_URLS = True  # the fake's result links are on loopback
    monkeypatch.setattr(pipeline, "BACKOFF_BASE_SECONDS", 0.01)
    fake.reset()
    fake.set_global()
    return HitPawClient("test-key", fake.url, retry_submissions=False, backoff_base=0.01)


def upload(user, model, name="desk.jpg"):
    (job,), _ = intake.create_upload_jobs(user, [SimpleUploadedFile(name, PHOTO, "image/jpeg")], model)
    return job


def unsigned(url: str) -> str:
    """A link to a stored original less its signature's time and digest: it is signed again when
    sent, and a second may have gone by on a slow machine."""
    return re.sub(r"(/o/[^:/]+):[^/]+", r"\1", url)


def run_to_the_end(job: Job, client: HitPawClient) -> Job:
    for _ in range(20):
        if job.is_terminal:
            return job
        job = step(job, client)
    raise AssertionError(f"job {job.pk} stuck at {job.status}: {job.message}")


@pytest.mark.django_db(transaction=True)
def test_an_upload_is_staged_then_sent_with_the_staged_link_and_charged_once(office, fake, alice, catalogue):
    job = run_to_the_end(upload(alice, catalogue["general_2x"]), office)

    stats = fake.stats()
    ((staged_key, staged_bytes),) = stats["staged"].items()
    (hitpaw_job,) = stats["jobs"].values()
    assert (stats["presign_calls"], stats["put_calls"]) == (1, 1)
    assert staged_bytes == len(PHOTO)
    assert hitpaw_job["img_url"] == f"{fake.url}/staging/files/{staged_key}.jpg" == job.staged_url
    assert stats["charges"] == 1
    assert (job.status, job.coins) == (JobStatus.COMPLETED, 10)
    assert job.staged_until is not None


@pytest.mark.django_db(transaction=True)
def test_a_failed_upload_to_hitpaws_storage_is_tried_again_and_charges_nothing(
    office, fake, alice, catalogue
):
    fake.set_global(put_failures=1)
    job = step(upload(alice, catalogue["general_2x"]), office)

    assert job.status == JobStatus.SUBMITTING
    assert job.attempts == 1 and job.submit_started_at is None and not job.staged_url
    assert "upload service refused the photo (HTTP 500). Trying again shortly." in job.message
    assert fake.stats()["charges"] == 0 and fake.stats()["submit_calls"] == 0

    job = run_to_the_end(job, office)
    stats = fake.stats()
    assert (stats["presign_calls"], stats["put_calls"], stats["charges"]) == (2, 2, 1)
    assert job.status == JobStatus.COMPLETED


@pytest.mark.django_db(transaction=True)
def test_an_upload_that_never_reaches_hitpaws_storage_fails_without_a_charge(
    office, fake, alice, catalogue, settings, monkeypatch
):
    monkeypatch.setattr(pipeline, "MAX_STEP_ATTEMPTS", 2)
    fake.set_global(put_failures=10)
    job = run_to_the_end(upload(alice, catalogue["general_2x"]), office)

    assert job.status == JobStatus.FAILED
    assert "HitPaw's upload service refused the photo" in job.message
    assert job.coins is None and fake.stats()["charges"] == 0 and fake.stats()["submit_calls"] == 0


@pytest.mark.django_db(transaction=True)
def test_with_a_public_address_nothing_is_staged(office, fake, alice, catalogue, settings, live_server):
    settings.PUBLIC_BASE_URL = "https://desk.example.com"
    job = upload(alice, catalogue["general_2x"])

    assert job.img_url.startswith("https://desk.example.com/o/")
    step(job, office)  # HitPaw cannot fetch desk.example.com here: what matters is what it was sent
    assert fake.stats()["presign_calls"] == 0
    sent = fake.stats()["submit_calls_by_img_url"]
    assert {unsigned(url): calls for url, calls in sent.items()} == {unsigned(job.img_url): 1}


@pytest.mark.parametrize(
    ("address", "reachable"),
    [
        ("", False),
        ("http://127.0.0.1:8000", False),
        ("http://192.168.1.20:8000", False),
        ("http://[fd00::1]", False),
        ("http://localhost:8000", False),
        ("http://desk.local", False),
        ("http://intranet", False),
        ("https://desk.example.com", True),
        ("https://203.0.113.9", False),  # documentation range: not on the internet
        ("https://8.8.4.4", True),
    ],
)
def test_which_public_addresses_hitpaw_can_reach(settings, address, reachable):
    from enhancer.jobs.hitpaw_links import public_address_reachable

    settings.PUBLIC_BASE_URL = address
    assert public_address_reachable() is reachable


def test_a_tiff_upload_is_refused_at_once_when_it_would_have_to_be_staged(office, alice, catalogue):
    tiff = SimpleUploadedFile("scan.tiff", image_bytes(64, 48, "TIFF"), "image/tiff")
    with pytest.raises(intake.SubmissionRefused, match="“scan.tiff”: HitPaw's upload service takes JPG"):
        intake.create_upload_jobs(alice, [tiff], catalogue["general_2x"])
    assert not Job.objects.exists()


def test_the_start_up_checks_say_what_an_unreachable_public_address_means(settings):
    from enhancer.checks import check_public_address

    settings.SANDBOX_MODE = False
    settings.PUBLIC_BASE_URL = "http://192.168.1.20:8000"
    (note,) = check_public_address(None)
    assert note.id == "enhancer.I001" and "uploaded photos are put on HitPaw's upload service" in note.msg

    settings.PUBLIC_BASE_URL = "https://desk.example.com"
    assert check_public_address(None) == []
