"""A stored file is on disk (fsync'd, with its folder entry) before its job says done."""

import os

import pytest
from django.core.files.storage import default_storage

from enhancer.media import storage
from enhancer.models import Job, JobStatus
from tests.support.jobs import RESULT_URL, StubClient, add_image, make_job, serve_images, step


@pytest.fixture
def synced(monkeypatch):
    """Each fsync: the path it was for, and the job's status at that moment (if a job is being saved)."""
    calls = []
    real_fsync = os.fsync

    def fsync(descriptor):
        path = os.readlink(f"/proc/self/fd/{descriptor}")
        status = Job.objects.values_list("status", flat=True).first()
        calls.append((path, status))
        real_fsync(descriptor)

    monkeypatch.setattr(storage.os, "fsync", fsync)
    return calls


def test_a_stored_file_and_its_folder_are_flushed_to_disk(tmp_path, synced, db):
    source = tmp_path / "photo.png"
    source.write_bytes(b"a photo")

    name = storage.store(source, "results", "job-1", ".png")

    path = default_storage.path(name)
    assert [call[0] for call in synced] == [path, os.path.dirname(path)]


@pytest.mark.django_db
def test_a_result_is_flushed_before_its_job_is_marked_done(monkeypatch, fake_dns, synced):
    with serve_images(monkeypatch, fake_dns) as web:
        add_image(web, RESULT_URL, 128, 96)
        job = step(make_job(JobStatus.DOWNLOADING), StubClient())

    assert job.status == JobStatus.COMPLETED
    assert synced and {status for _, status in synced} == {JobStatus.DOWNLOADING}
    assert synced[0][0] == default_storage.path(job.result.name)
