"""Shared fixtures: a cast of users, the seeded model catalogue, media in a temporary folder, faked DNS."""

import ipaddress
import socket

import pytest
import responses
from django.contrib.auth import get_user_model
from django.test import Client

from enhancer.hitpaw.catalogue import seed_catalogue
from enhancer.models import EnhanceModel
from tests.media import servers
from tests.support.fake_hitpaw import FakeHitPaw
from tests.support.jobs import serve_images
from tests.support.roles import user_with_role

PUBLIC_ADDRESS = "93.184.216.34"  # any global address: `responses` answers before a connection
DATABASE_FIXTURES = {"db", "transactional_db", "django_db_reset_sequences", "django_db_serialized_rollback"}


def pytest_collection_modifyitems(items):
    """Mark `database` every test that touches the database or the broker (both live in the database
    without Redis). The PostgreSQL + Redis pass (scripts/test-scale-out.sh) runs only these: the others
    would run the very same code a second time. A test that reaches those services some other way
    says so with `@pytest.mark.database` itself."""
    for item in items:
        uses_the_database = DATABASE_FIXTURES & set(getattr(item, "fixturenames", ()))
        if item.get_closest_marker("django_db") or uses_the_database:
            item.add_marker(pytest.mark.database)


@pytest.fixture(autouse=True)
def quick_password_hashing(settings):
    """Passwords hashed with a quick hasher, as Django's docs suggest for tests: every person a
    test makes has a password, and the real hasher is made slow on purpose. The app's own
    processes (live apps, clusters) keep the real one."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    """Stored originals and results go to a temporary folder, never the project's media/."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def redis_cache_starts_empty(settings):
    """The usage pages cache past days' sums under what the ledger holds; a test database made
    afresh repeats the last run's ids (and, with frozen time, its times), and Redis outlives it.
    (The database cache is rolled back with each test.)"""
    if settings.CACHES["default"]["BACKEND"].endswith("RedisCache"):
        from django.core.cache import cache

        cache.clear()


@pytest.fixture(autouse=True)
def poll_threads_end_with_the_test():
    """Poll threads keep their database connections; PostgreSQL drops no test database still in use."""
    yield
    from enhancer.jobs import scheduler

    scheduler.stop_poll_threads()


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
    """A staff member (not an admin) who enhances photos: in the `staff` group, as admins add people."""
    return user_with_role("alice", "staff", password="alice-password-1")


@pytest.fixture
def bob(db):
    """Another staff member: must never see Alice's jobs."""
    return user_with_role("bob", "staff", password="bob-password-1")


@pytest.fixture
def admin_user(db):
    """An admin who reviews every job."""
    return get_user_model().objects.create_superuser("boss", password="boss-password-1")


@pytest.fixture
def admin_client(client, admin_user):
    """The test client signed in as the admin (pytest-django's own would be a second client)."""
    client.force_login(admin_user)
    return client


@pytest.fixture
def adam(db):
    """An admin by role (in the `admins` group), not a superuser."""
    return user_with_role("adam", "admins", is_staff=True)


@pytest.fixture
def adam_client(adam):
    """A browser of its own signed in as Adam, beside any other client the test uses."""
    browser = Client()
    browser.force_login(adam)
    return browser


@pytest.fixture
def alice_client(client, alice):
    client.force_login(alice)
    return client


@pytest.fixture
def web(monkeypatch, fake_dns):
    """The web the app downloads photos from, mocked with `responses`: only what a test adds exists,
    every host name resolves to a public address and private addresses are refused."""
    with serve_images(monkeypatch, fake_dns) as mock:
        yield mock


@pytest.fixture
def server():
    """A loopback HTTP server whose routes a test sets (tests/media/servers.py)."""
    with servers.LoopbackServer() as running:
        yield running


@pytest.fixture
def sandbox(settings):
    """Sandbox mode, with the simulator's public address on loopback."""
    settings.SANDBOX_MODE = True
    settings.PUBLIC_BASE_URL = ""
    settings.SANDBOX_BASE_URL = "http://127.0.0.1:8000/sandbox"


@pytest.fixture
def api():
    """HitPaw's API mocked with `responses`: only what a test adds answers."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def waits() -> list[float]:
    """The waits a HitPaw client made between retries (its `sleep`), instead of sleeping."""
    return []


@pytest.fixture(scope="module")
def fake():
    """A fake HitPaw server process on loopback, one per test module."""
    with FakeHitPaw(api_key="test-key") as server:
        yield server


@pytest.fixture
def fake_dns(monkeypatch):
    """`socket.getaddrinfo` answered from a table, never from the network; returns `resolve`.

    IP literals resolve to themselves, `localhost` to 127.0.0.1 and any other name to a public
    address. `resolve(names, others=...)` maps more names (each to an address or a list of them),
    makes every name not in the table resolve to `others` instead (None: "Name or service not
    known"), and returns the list of every host looked up so far, which grows as lookups happen.
    """
    table: dict[str, list[str]] = {"localhost": ["127.0.0.1"]}
    unlisted: str | None = PUBLIC_ADDRESS
    looked_up: list[str] = []

    def getaddrinfo(host, port, *args, **kwargs):
        looked_up.append(host)
        try:
            addresses = [str(ipaddress.ip_address(host))]
        except ValueError:
            addresses = table.get(host) or ([unlisted] if unlisted else [])
        if not addresses:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [
            (socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port))
            for a in addresses
        ]

    def resolve(names: dict[str, str | list[str]] | None = None, others: str | None = PUBLIC_ADDRESS):
        nonlocal unlisted
        for name, addresses in (names or {}).items():
            table[name] = [addresses] if isinstance(addresses, str) else list(addresses)
        unlisted = others
        return looked_up

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return resolve


@pytest.fixture(scope="session")
def s3_endpoint():
    """A local S3-compatible server on loopback (moto), one per test run; its endpoint URL."""
    from tests.support.s3 import moto_server

    with moto_server() as endpoint_url:
        yield endpoint_url


@pytest.fixture
def s3_bucket(s3_endpoint, settings, monkeypatch):
    """Media in a fresh bucket on that server, configured as an operator would: through the environment."""
    from hitpaw_site.settings import media_storage
    from tests.support.s3 import Bucket

    bucket = Bucket(s3_endpoint)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    for name, value in bucket.environment().items():
        monkeypatch.setenv(name, value)
    settings.STORAGES = {**settings.STORAGES, "default": media_storage()}
    yield bucket
    bucket.remove()
