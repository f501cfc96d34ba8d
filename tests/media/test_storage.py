"""Our copies in storage: streamed from disk, under names nobody else has, discarded on request."""

import os
import re
import tracemalloc

import pytest
from django.core.files.storage import default_storage

from enhancer.media import storage
from enhancer.media.storage import discard, store

MB = 1024 * 1024


@pytest.fixture
def source(tmp_path):
    path = tmp_path / "download.part"
    path.write_bytes(os.urandom(MB) * 24)  # 24 MB
    return path


def test_it_copies_the_file_into_storage_under_a_unique_name(source, settings):
    name = store(source, "results", "job-7", ".PNG")
    assert re.fullmatch(r"results/job-7-[0-9a-f]{16}\.png", name)
    with default_storage.open(name, "rb") as stored:
        assert stored.read() == source.read_bytes()
    assert (settings.MEDIA_ROOT / name).is_file()
    assert source.exists()  # copied, not moved: the caller still owns its temporary file


def test_two_tries_never_share_a_name(source):
    first, second = store(source, "originals/", "job-7", ".jpg"), store(source, "originals", "job-7", ".jpg")
    assert first != second
    assert default_storage.exists(first) and default_storage.exists(second)


def test_it_streams_rather_than_reading_the_file_whole(source):
    tracemalloc.start()
    try:
        store(source, "results", "job-8", ".png")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 2 * MB  # the file is 24 MB; chunks are 64 KB


def test_discard_deletes_a_stored_file(source):
    name = store(source, "results", "job-9", ".png")
    discard(name)
    assert not default_storage.exists(name)


def test_discard_is_quiet_about_names_that_are_not_there():
    discard("results/never-stored.png")
    discard("")


def test_discard_logs_a_storage_failure_instead_of_raising(monkeypatch, caplog):
    def broken(name):
        raise ConnectionError("storage is down")

    monkeypatch.setattr(storage.default_storage, "delete", broken)
    discard("results/job-1.png")
    assert "Could not delete results/job-1.png" in caplog.text
