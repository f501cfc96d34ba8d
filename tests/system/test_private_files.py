"""The database, stored photos and logs are the server user's alone, not other local users'."""

import os
import stat
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from enhancer.management import private_files
from enhancer.media.storage import store


def mode(path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


@pytest.fixture
def usual_umask():
    """A process started the usual way creates files readable by everyone (umask 022)."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_a_stored_photo_and_its_folders_are_owner_only(settings, usual_umask):
    name = default_storage.save("originals/2026/job-1.jpg", ContentFile(b"\xff\xd8 a photo"))

    assert mode(settings.MEDIA_ROOT / name) == 0o600
    assert mode(settings.MEDIA_ROOT / "originals" / "2026") == 0o700
    assert mode(settings.MEDIA_ROOT / "originals") == 0o700


def test_an_uploaded_photo_copied_into_storage_is_owner_only(settings, tmp_path, usual_umask):
    upload = tmp_path / "upload.part"
    upload.write_bytes(b"\xff\xd8 a photo someone uploaded")

    name = store(upload, "originals", "upload", ".jpg")

    assert mode(settings.MEDIA_ROOT / name) == 0o600


def test_what_an_older_install_left_readable_is_tightened(settings, tmp_path, usual_umask, monkeypatch):
    database = tmp_path / "db.sqlite3"
    for path in (database, Path(f"{database}-wal")):
        path.write_bytes(b"sessions and password hashes")
        path.chmod(0o644)
    # An older install on SQLite, whatever database this run's own tests use.
    monkeypatch.setitem(settings.DATABASES["default"], "ENGINE", "django.db.backends.sqlite3")
    monkeypatch.setitem(settings.DATABASES["default"], "NAME", str(database))
    photo = settings.MEDIA_ROOT / "results" / "job-1.png"
    photo.parent.mkdir(parents=True)
    photo.write_bytes(b"a result")
    elsewhere = tmp_path / "not-ours.txt"
    elsewhere.write_text("left alone")
    (settings.MEDIA_ROOT / "link").symlink_to(elsewhere)

    changed = private_files.tighten_existing()

    assert mode(database) == mode(f"{database}-wal") == mode(photo) == 0o600
    assert mode(settings.MEDIA_ROOT) == mode(photo.parent) == 0o700
    assert mode(elsewhere) == 0o644  # a symlink's target is not ours to change
    assert private_files.tighten_existing() == [] and database in changed


def test_from_then_on_new_files_are_owner_only(tmp_path, usual_umask):
    private_files.create_owner_only()
    (tmp_path / "log.txt").write_text("a log line")
    (tmp_path / "folder").mkdir()
    assert mode(tmp_path / "log.txt") == 0o600 and mode(tmp_path / "folder") == 0o700
