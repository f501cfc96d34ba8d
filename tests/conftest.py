"""Shared fixtures: a cast of users, the seeded model catalogue, media in a temporary folder."""

import pytest
from django.contrib.auth import get_user_model

from enhancer.catalogue import seed_catalogue
from enhancer.models import EnhanceModel
from tests.fake_hitpaw import FakeHitPaw


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    """Stored originals and results go to a temporary folder, never the project's media/."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def catalogue(db):
    """The documented models (transactional tests flush the migration's seed, so seed again)."""
    seed_catalogue(EnhanceModel)
    return {model.name: model for model in EnhanceModel.objects.all()}


@pytest.fixture
def general_2x(catalogue) -> EnhanceModel:
    return catalogue["general_2x"]


@pytest.fixture
def alice(db):
    """A staff member (not an admin) who enhances photos."""
    return get_user_model().objects.create_user("alice", password="alice-password-1")


@pytest.fixture
def bob(db):
    """Another staff member: must never see Alice's jobs."""
    return get_user_model().objects.create_user("bob", password="bob-password-1")


@pytest.fixture
def admin_user(db):
    """An admin who reviews every job."""
    return get_user_model().objects.create_superuser("boss", password="boss-password-1")


@pytest.fixture
def alice_client(client, alice):
    client.force_login(alice)
    return client


@pytest.fixture(scope="module")
def fake():
    """A fake HitPaw server process on loopback, one per test module."""
    with FakeHitPaw(api_key="test-key") as server:
        yield server
