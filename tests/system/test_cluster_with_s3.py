"""A worker host with only the bucket's settings: a real qcluster puts its results in the shared bucket."""

import pytest

from enhancer.media.thumbnails import thumbnail_name
from enhancer.models import JobStatus
from tests.support.cluster import Cluster, wait_for_jobs
from tests.support.images import image_size

pytestmark = [pytest.mark.cluster, pytest.mark.django_db(transaction=True)]


def test_a_cluster_configured_for_the_bucket_stores_the_job_there(
    s3_bucket, fake, catalogue, alice_client, tmp_path, settings
):
    settings.ENHANCER_ALLOW_PRIVATE_URLS = True
    img_url = fake.image_url(64, 48, "png", polls=1)
    response = alice_client.post("/", {"img_url": img_url, "model_name": "general_2x"})
    assert response.status_code == 302, response.content.decode()[:2000]
    job_id = int(response.url.rstrip("/").split("/")[-1])

    # Its own media folder, never written: the environment (ENHANCER_S3_*, AWS_*) names the bucket.
    with Cluster(fake.url, tmp_path / "worker-media", tmp_path / "qcluster.log") as cluster:
        job = wait_for_jobs([job_id], cluster)[job_id]

    assert job.status == JobStatus.COMPLETED, job.message
    photos = [job.original.name, job.result.name]
    assert s3_bucket.keys() == sorted(photos + [thumbnail_name(name) for name in photos])
    assert image_size(s3_bucket.read(job.result.name)) == (128, 96)
    assert not (tmp_path / "worker-media").exists()
    result = alice_client.get(f"/jobs/{job_id}/result")
    assert b"".join(result.streaming_content) == s3_bucket.read(job.result.name)
