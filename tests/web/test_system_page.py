"""The admin System page: jobs by state, the queue, workers and heartbeats, the ticker, problems, the pause."""

from types import SimpleNamespace

import pytest
from django.utils import timezone
from django_q.brokers import get_broker

from enhancer.jobs import pauses
from enhancer.models import JobStatus
from enhancer.ops import health
from tests.support.jobs import make_job
from tests.support.roles import user_with_role


@pytest.fixture
def admin_client(client, db):
    client.force_login(user_with_role("adam", "admins", is_staff=True))
    return client


@pytest.fixture
def one_cluster(monkeypatch):
    beat = SimpleNamespace(host="worker-a", workers=[1, 2, 3, 4], timestamp=timezone.now())
    monkeypatch.setattr(health, "cluster_stats", lambda: [beat])


def page(client):
    response = client.get("/system/")
    assert response.status_code == 200
    return response.content.decode()


def test_it_shows_an_admin_the_jobs_by_state(admin_client, one_cluster):
    make_job(JobStatus.CONVERTING)
    make_job(JobStatus.CONVERTING)
    make_job(JobStatus.FAILED)

    html = page(admin_client)

    assert "<tr><th>Enhancing</th><td>2</td></tr>" in html
    assert "<tr><th>Failed</th><td>1</td></tr>" in html
    assert "<tr><th>Canceled</th><td>0</td></tr>" in html


def test_it_shows_the_workers_alive_and_the_queue(admin_client, one_cluster):
    get_broker().purge_queue()  # on Redis the queue outlives the test database
    html = page(admin_client)

    assert "4 workers in 1 running cluster (worker-a)" in html
    assert "Working — 0 tasks waiting" in html


def test_it_says_plainly_when_no_worker_runs(admin_client, monkeypatch):
    monkeypatch.setattr(health, "cluster_stats", lambda: [])

    assert "None running" in page(admin_client)


def test_it_shows_the_last_hitpaw_problem_in_plain_words_without_its_code(admin_client, one_cluster):
    make_job(JobStatus.FAILED, error_code=110402000, message="The team's HitPaw coin balance has run out.")
    make_job(JobStatus.FAILED, error_code=100429000, message="HitPaw is busy; try again in a minute.")

    html = page(admin_client)

    assert "HitPaw is busy; try again in a minute." in html
    assert "100429000" not in html


def test_it_shows_the_pause_and_its_reason(admin_client, one_cluster):
    pauses.pause("The HitPaw key was refused. Ask an admin to check it.", 100401000)

    assert "Paused</strong>: The HitPaw key was refused." in page(admin_client)


@pytest.mark.parametrize("role", ["staff", "reviewers"])
def test_it_is_not_there_for_anyone_but_admins(client, db, role):
    client.force_login(user_with_role("someone", role))

    assert client.get("/system/").status_code == 404
