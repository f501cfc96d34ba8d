"""Download all: one zip of a batch's finished photos, streamed, each named after its photo."""

import io
import zipfile

from enhancer.models import JobStatus
from tests.support.batches import make_batch
from tests.support.images import image_size

DONE, FAILED = JobStatus.COMPLETED, JobStatus.FAILED


def unzip(response) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def test_it_streams_a_zip_of_the_finished_photos_named_after_them(alice_client, alice, general_2x):
    batch, _ = make_batch(alice, general_2x, [DONE, FAILED, DONE], ["red-shoe", "blue-hat", "green-bag"])
    response = alice_client.get(f"/batches/{batch.pk}/download")
    assert response.streaming
    assert response["Content-Type"] == "application/zip"
    assert "attachment" in response["Content-Disposition"]
    archive = unzip(response)
    assert archive.namelist() == ["red-shoe-enhanced.png", "green-bag-enhanced.png"]
    assert image_size(archive.read("red-shoe-enhanced.png")) == (128, 96)


def test_it_gives_photos_with_the_same_name_their_own_names(alice_client, alice, general_2x):
    batch, _ = make_batch(alice, general_2x, [DONE, DONE], ["shoe", "shoe"])
    names = unzip(alice_client.get(f"/batches/{batch.pk}/download")).namelist()
    assert names == ["shoe-enhanced.png", "shoe-enhanced (2).png"]


def test_it_says_so_when_nothing_is_ready_to_download(alice_client, alice, general_2x):
    batch, _ = make_batch(alice, general_2x, [FAILED, JobStatus.CONVERTING])
    response = alice_client.get(f"/batches/{batch.pk}/download", follow=True)
    assert "No photo of this batch is ready yet" in response.content.decode()


def test_it_offers_download_all_only_once_a_photo_is_done(alice_client, alice, general_2x):
    working, _ = make_batch(alice, general_2x, [JobStatus.CONVERTING])
    done, _ = make_batch(alice, general_2x, [DONE])
    assert "Download all" not in alice_client.get(f"/batches/{working.pk}/").content.decode()
    assert "Download all (1 photo, zip)" in alice_client.get(f"/batches/{done.pk}/").content.decode()
