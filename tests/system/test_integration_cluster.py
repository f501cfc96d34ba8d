"""The whole path for real: the submit form, a qcluster subprocess, a fake HitPaw server over HTTP.

Nothing is mocked: the form queues the job, the cluster's ticker claims it, the pipeline fetches the
photo, spends coins once, polls, downloads the result, and the job page serves our stored copies.
"""

import pytest
import requests

from enhancer.models import JobStatus
from tests.support.cluster import Cluster, wait_for_jobs
from tests.support.images import image_size

pytestmark = [pytest.mark.cluster, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def shared_media(tmp_path_factory):
    return tmp_path_factory.mktemp("cluster-media")


@pytest.fixture(scope="module")
def cluster(django_db_setup, fake, shared_media, tmp_path_factory):
    log_path = tmp_path_factory.mktemp("cluster-log") / "qcluster.log"
    with Cluster(fake.url, shared_media, log_path) as running:
        yield running


@pytest.fixture
def desk(settings, shared_media, catalogue, cluster):
    """The test process agrees with the cluster: same media folder, local links allowed."""
    settings.MEDIA_ROOT = shared_media
    settings.ENHANCER_ALLOW_PRIVATE_URLS = True
    return cluster


def submit_through_the_form(client, img_url: str, model_name: str) -> int:
    response = client.post("/", {"img_url": img_url, "model_name": model_name})
    assert response.status_code == 302, response.content.decode()[:2000]
    job_id = int(response.url.rstrip("/").split("/")[-1])
    assert response.url == f"/jobs/{job_id}/"
    return job_id


def the_photo_at(url: str) -> bytes:
    with requests.Session() as session:
        session.trust_env = False  # straight to the loopback fake, whatever proxy the machine has
        return session.get(url, timeout=10).content


@pytest.mark.parametrize(
    ("model_name", "result_size"), [("general_2x", (128, 96)), ("general_4x", (256, 192))]
)
def test_it_takes_a_photo_from_the_form_to_a_stored_result_charged_once(
    desk, fake, alice_client, model_name, result_size
):
    img_url = fake.image_url(64, 48, "png") + f"?for={model_name}"  # the fake ignores other params
    job_id = submit_through_the_form(alice_client, img_url, model_name)

    job = wait_for_jobs([job_id], desk)[job_id]

    assert job.status == JobStatus.COMPLETED, job.message
    stats = fake.stats()
    assert stats["charges_by_img_url"][img_url] == 1
    assert job.coins == stats["jobs"][job.hitpaw_job_id]["coins"]
    stored_original = job.original.read()
    stored_result = job.result.read()
    assert stored_original == the_photo_at(img_url)
    assert image_size(stored_result) == result_size
    assert (job.result_width, job.result_height) == result_size


def test_the_job_page_shows_the_coins_and_serves_our_stored_copies(desk, fake, alice_client):
    img_url = fake.image_url(64, 48, "png", polls=1)
    job_id = submit_through_the_form(alice_client, img_url, "general_2x")
    job = wait_for_jobs([job_id], desk)[job_id]
    assert job.status == JobStatus.COMPLETED, job.message

    page = alice_client.get(f"/jobs/{job_id}/").content.decode()
    original = alice_client.get(f"/jobs/{job_id}/original")
    result = alice_client.get(f"/jobs/{job_id}/result")

    assert f"data-coins>{job.coins}<" in page
    assert f'src="/jobs/{job_id}/original"' in page
    assert f'src="/jobs/{job_id}/result"' in page
    assert b"".join(original.streaming_content) == job.original.read()
    assert b"".join(result.streaming_content) == job.result.read()
    assert job.res_url not in page  # never the vendor's link, which expires


def test_a_12_megapixel_phone_photo_at_4x_completes_with_its_192_megapixel_result_stored(
    desk, fake, alice_client
):
    img_url = fake.image_url(4000, 3000, "jpg", solid=True)
    job_id = submit_through_the_form(alice_client, img_url, "general_4x")

    job = wait_for_jobs([job_id], desk, timeout=180)[job_id]

    assert job.status == JobStatus.COMPLETED, job.message
    assert (job.original_width, job.original_height) == (4000, 3000)
    assert (job.result_width, job.result_height) == (16000, 12000)
    with job.result.open("rb") as stored:
        assert image_size(stored.read(64 * 1024)) == (16000, 12000)
    assert job.coins == job.estimated_coins == 240  # 192 MP out: the 108-216 MP band
    assert fake.stats()["charges_by_img_url"][img_url] == 1


@pytest.mark.parametrize(
    ("size", "model_name", "says"),
    [
        ((9800, 7350), "general_2x", "72.0 megapixels (9800 × 7350)"),
        ((6325, 4744), "general_4x", "480.1 megapixels (25300 × 18976)"),
    ],
)
def test_a_photo_over_hitpaws_limits_is_refused_before_any_coin_is_spent(
    desk, fake, alice_client, size, model_name, says
):
    img_url = fake.image_url(*size, "jpg", solid=True)
    job_id = submit_through_the_form(alice_client, img_url, model_name)

    job = wait_for_jobs([job_id], desk, timeout=120)[job_id]

    assert job.status == JobStatus.FAILED
    assert says in job.message and "megapixels" in job.message
    assert fake.stats()["submit_calls_by_img_url"].get(img_url, 0) == 0
    assert job.coins is None and not job.hitpaw_job_id
