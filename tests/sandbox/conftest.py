import pytest
import responses

from enhancer.sandbox import tasks, views

KEY = "this-installs-sandbox-key"  # what the app sends; see the `app_key` fixture


@pytest.fixture(autouse=True)
def workers_run_at_once(monkeypatch, request):
    """The simulator's enhancement is a background task; here it runs as soon as it is enqueued,
    unless a test asks for `idle_workers`."""
    if "idle_workers" not in request.fixturenames:
        monkeypatch.setattr(views, "enqueue_enhancement", tasks.enhance_task)


@pytest.fixture
def idle_workers(monkeypatch):
    """No worker has picked anything up yet: the list of what was enqueued."""
    queued = []
    monkeypatch.setattr(views, "enqueue_enhancement", queued.append)
    return queued


@pytest.fixture(autouse=True)
def public_dns(fake_dns):
    """Every host name but localhost resolves to a public address (IP literals to themselves)."""
    fake_dns()


@pytest.fixture(autouse=True)
def app_key(settings):
    """The per-install key the app's own client sends (derived from SECRET_KEY in real runs)."""
    settings.SANDBOX_KEY = KEY


@pytest.fixture(autouse=True)
def strict_fetches(settings):
    settings.ENHANCER_ALLOW_PRIVATE_URLS = False


@pytest.fixture
def web():
    """The outside web as the simulator sees it: only what a test registers exists."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock
