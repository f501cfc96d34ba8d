"""Fault injection: every way HitPaw (or the network in between) can misbehave, against a real cluster.

One qcluster subprocess and one fake HitPaw server serve the whole module. Each job carries its own
fault in its img_url, so dozens of faults run at once, as they would in production. For each we
check what a user sees (final status, a plain message), what an admin needs (the vendor's error
code) and what the team pays (charges at the fake server: never two for one photo).

The observed table is written to test-artifacts/reliability.json; scripts/reliability_table.py
renders it into docs/reliability.md.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass

import pytest
from django.utils import timezone

from enhancer.jobs import intake, pauses
from enhancer.jobs.pipeline import MSG_PAUSED
from enhancer.models import Job, JobStatus
from tests.support.cluster import PROJECT_DIR, Cluster, describe_jobs, wait_for_jobs, wait_until
from tests.support.jobs import make_job

pytestmark = [pytest.mark.faults, pytest.mark.django_db(transaction=True)]

ARTIFACT = PROJECT_DIR / "test-artifacts" / "reliability.json"
MAX_RESULT_BYTES = 1024 * 1024
READ_TIMEOUT = 3  # seconds; submit_slow answers later than that
# A paid result is retried for days in production; here for 20 s, backing off up to 2 s.
RESULT_RETRY_SECONDS = 20
RESULT_DOWN_SECONDS = 8  # longer than the old three tries a few seconds apart, inside the window
WAIT_SECONDS = 120
NOT_PLAIN = ("Traceback", "Exception", "test-key", "Apikey", 'File "', "{", "<html", "None")


@dataclass(frozen=True)
class Case:
    """One fault, and how the job must end: status, charges at HitPaw, words in the message, code."""

    fault: str
    status: str
    charges: int
    says: str = ""
    code: int | None = None


COMPLETED, FAILED = JobStatus.COMPLETED, JobStatus.FAILED
REVIEW, TIMED_OUT = JobStatus.NEEDS_REVIEW, JobStatus.TIMED_OUT
CASES = [
    Case("", COMPLETED, 1, "Done"),
    Case("submit_429:2", COMPLETED, 1, "Done"),
    Case("submit_500:1", COMPLETED, 1, "Done"),
    Case("submit_502_gateway", REVIEW, 1, "do not know whether HitPaw took it"),
    Case("submit_drop", REVIEW, 1, "do not know whether HitPaw took it"),
    Case("submit_slow:6", REVIEW, 1, "do not know whether HitPaw took it"),
    Case("submit_malformed", REVIEW, 1, "do not know whether it took the photo"),
    Case("submit_error:110400009", FAILED, 0, "too large for this model", 110400009),
    Case("submit_429_bare:2", COMPLETED, 1, "Done"),
    Case("submit_ok_null_error", COMPLETED, 1, "Done"),
    Case("submit_operation_timeout", REVIEW, 1, "do not know whether HitPaw took it", 100500007),
    Case("status_429:3", COMPLETED, 1, "Done"),
    Case("status_500:3", COMPLETED, 1, "Done"),
    Case("status_malformed:2", COMPLETED, 1, "Done"),
    Case("status_unknown:3", COMPLETED, 1, "Done"),
    Case("status_running_variants", COMPLETED, 1, "Done"),
    Case("status_error", FAILED, 1, "could not enhance this photo"),
    Case("status_failed:NSFW", FAILED, 1, "adult content"),
    Case("status_never", TIMED_OUT, 1, "did not finish this photo in time"),
    Case("status_missing", FAILED, 1, "does not exist", 110400002),
    Case("result_403", FAILED, 1, "refused access (error 403)"),
    Case("result_404", FAILED, 1, "Nothing was found at that link (error 404)"),
    Case("result_not_image", FAILED, 1, "did not lead to a picture"),
    Case("result_truncated", FAILED, 1, "cut off before the end"),
    Case("result_huge", FAILED, 1, "larger than the 1 MB limit"),
    Case(f"result_down:{RESULT_DOWN_SECONDS}", COMPLETED, 1, "Done"),
    Case("envelope_top", COMPLETED, 1, "Done"),
    Case("envelope_msg0", COMPLETED, 1, "Done"),
]
RESULT_FAULTS = {"result_403", "result_404", "result_not_image", "result_truncated", "result_huge"}


@pytest.fixture(scope="module")
def shared_media(tmp_path_factory):
    return tmp_path_factory.mktemp("faults-media")


@pytest.fixture(scope="module")
def cluster(django_db_setup, fake, shared_media, tmp_path_factory):
    log_path = tmp_path_factory.mktemp("faults-log") / "qcluster.log"
    limits = {
        "ENHANCER_MAX_RESULT_BYTES": MAX_RESULT_BYTES,
        "ENHANCER_READ_TIMEOUT": READ_TIMEOUT,
        "ENHANCER_RESULT_RETRY_SECONDS": RESULT_RETRY_SECONDS,
    }
    constants = {"enhancer.jobs.pipeline.DOWNLOAD_BACKOFF_MAX_SECONDS": 2}
    with Cluster(fake.url, shared_media, log_path, constants=constants, **limits) as running:
        yield running


@pytest.fixture(scope="module")
def table():
    """Rows observed by every test of the module, written out for docs/reliability.md at the end."""
    rows: list[dict] = []
    yield rows
    ARTIFACT.parent.mkdir(exist_ok=True)
    payload = {"generated_at": time.strftime("%Y-%m-%d %H:%M:%S %Z"), "rows": rows}
    ARTIFACT.write_text(json.dumps(payload, indent=2) + "\n")


@pytest.fixture
def desk(settings, shared_media, catalogue, cluster, fake):
    settings.MEDIA_ROOT = shared_media
    settings.ENHANCER_ALLOW_PRIVATE_URLS = True
    settings.ENHANCER_JOB_DEADLINE_SECONDS = 300
    yield cluster
    fake.set_global()  # a storm never outlives its test


def row(fault: str, job: Job, charges: int, meaning: str = "") -> dict:
    return {
        "fault": fault or "(none)",
        "meaning": meaning,
        "status": job.status,
        "charges": charges,
        "coins": job.coins,
        "error_code": job.error_code,
        "message": job.message,
    }


def plainness_problems(message: str) -> list[str]:
    """What makes a message unfit for staff: empty, or leaking code, payloads or the key."""
    if not message.strip():
        return ["the message is empty"]
    return [f"the message contains {word!r}" for word in NOT_PLAIN if word in message]


def test_each_fault_ends_as_staff_and_admins_expect_and_never_charges_twice(
    desk, fake, alice, general_2x, table
):
    urls = {case.fault: fake.image_url(64, 48, "png", fault=case.fault or None) for case in CASES}
    jobs = {job.img_url: job.pk for job in intake.create_jobs(alice, list(urls.values()), general_2x)}
    ids = {fault: jobs[url] for fault, url in urls.items()}

    # The deadline passes while HitPaw still says CONVERTING, after a few polls.
    never = ids["status_never"]
    wait_until(lambda: Job.objects.get(pk=never).poll_count >= 2, 60, desk, "polls of status_never", [never])
    Job.objects.filter(pk=never).update(deadline_at=timezone.now())
    finished = wait_for_jobs(ids.values(), desk, WAIT_SECONDS)

    stats = fake.stats()
    problems = []
    for case in CASES:
        job = finished[ids[case.fault]]
        charges = stats["charges_by_img_url"].get(urls[case.fault], 0)
        table.append(row(case.fault, job, charges))
        wrong = plainness_problems(job.message)
        if job.status != case.status:
            wrong.append(f"status {job.status}, expected {case.status}")
        if charges != case.charges:
            wrong.append(f"{charges} charges, expected {case.charges}")
        if case.says not in job.message:
            wrong.append(f"the message does not say {case.says!r}")
        if case.code is not None and job.error_code != case.code:
            wrong.append(f"error code {job.error_code}, expected {case.code}")
        if job.hitpaw_job_id and job.coins != stats["jobs"][job.hitpaw_job_id]["coins"]:
            wrong.append(f"{job.coins} coins recorded, HitPaw charged {stats['jobs'][job.hitpaw_job_id]}")
        if job.status == COMPLETED and (job.error_code is not None or not job.result):
            wrong.append(f"completed with error code {job.error_code} and result {job.result.name!r}")
        if case.fault in RESULT_FAULTS and (
            job.attempts < 4 or not job.coins or "An admin can retry" not in job.message
        ):
            wrong.append(f"result fault given up after {job.attempts} tries with {job.coins} coins kept")
        problems += [f"{case.fault or '(none)'}: {what} — {job.message!r}" for what in wrong]
    assert not problems, "\n".join(problems) + "\n" + describe_jobs(ids.values())


def test_a_rate_limit_storm_slows_jobs_down_but_each_completes_charged_once(
    desk, fake, alice, general_2x, table
):
    urls = [fake.image_url(64, 48, "png") + f"?storm={n}" for n in range(20)]
    fake.set_global(rate_limit_percent=50, seed=20)
    job_ids = [job.pk for job in intake.create_jobs(alice, urls, general_2x)]

    finished = wait_for_jobs(job_ids, desk, WAIT_SECONDS)
    fake.set_global()

    charges = fake.stats()["charges_by_img_url"]
    statuses = sorted({job.status for job in finished.values()})
    table.append(
        {
            "fault": "rate_limit_percent=50",
            "meaning": "a storm: half of all API calls answer 429, while 20 jobs run",
            "status": ", ".join(statuses),
            "charges": max(charges.get(url, 0) for url in urls),
            "coins": None,
            "error_code": None,
            "message": finished[job_ids[0]].message,
        }
    )
    assert statuses == [COMPLETED], describe_jobs(job_ids)
    assert [charges.get(url, 0) for url in urls] == [1] * len(urls)
    assert {job.error_code for job in finished.values()} == {None}


def test_an_empty_coin_balance_pauses_all_submissions_until_an_admin_resumes(
    desk, fake, alice, general_2x, table
):
    broke_fault = "submit_error:110402000"
    broke_url = fake.image_url(64, 48, "png", fault=broke_fault)
    [broke] = intake.create_jobs(alice, [broke_url], general_2x)
    broke = wait_for_jobs([broke.pk], desk)[broke.pk]
    submits_when_paused = fake.stats()["submit_calls"]

    waiting_urls = [fake.image_url(64, 48, "png") + f"?waiting={n}" for n in range(2)]
    # Photos queued just before the pause (intake takes none while paused): they must wait for it.
    waiting = [
        make_job(JobStatus.QUEUED, user=alice, model=general_2x, img_url=url).pk for url in waiting_urls
    ]
    wait_until(
        lambda: Job.objects.filter(pk__in=waiting, message=MSG_PAUSED).count() == len(waiting),
        60,
        desk,
        "the waiting jobs to notice the pause",
        waiting,
    )
    stats_while_paused = fake.stats()
    charged = stats_while_paused["charges_by_img_url"]
    meaning = "HitPaw says the coins ran out: submissions pause team-wide"
    table.append(row(broke_fault, broke, charged.get(broke_url, 0), meaning))
    held = Job.objects.get(pk=waiting[0])
    meaning = "a photo queued just before submissions paused"
    table.append(row("(none)", held, charged.get(waiting_urls[0], 0), meaning) | {"status": "waits"})

    assert pauses.current() is not None
    waited = pauses.resume()
    done = wait_for_jobs(waiting, desk)

    assert broke.status == FAILED and broke.error_code == 110402000
    assert "coin balance has run out" in broke.message
    assert pauses.current() is None and waited == 2
    assert stats_while_paused["submit_calls"] == submits_when_paused
    assert broke_url not in charged and not any(url in charged for url in waiting_urls)
    assert [done[pk].status for pk in waiting] == [COMPLETED, COMPLETED], describe_jobs(waiting)
    assert [fake.stats()["charges_by_img_url"][url] for url in waiting_urls] == [1, 1]


def test_a_key_rejected_while_polling_pauses_the_team_but_the_paid_job_still_completes(
    desk, fake, alice, general_2x, table
):
    fault = "status_bad_key:3"
    url = fake.image_url(64, 48, "png", fault=fault)
    [job] = intake.create_jobs(alice, [url], general_2x)
    wait_until(lambda: pauses.current() is not None, 60, desk, "the bad key to pause the team", [job.pk])

    done = wait_for_jobs([job.pk], desk)[job.pk]
    pause = pauses.current()
    pauses.resume()

    charges = fake.stats()["charges_by_img_url"].get(url, 0)
    table.append(
        row(
            fault,
            done,
            charges,
            "the key is rejected on polls (rotated mid-flight): the team pauses, the paid job waits",
        )
    )
    assert done.status == COMPLETED, describe_jobs([job.pk])
    assert charges == 1 and done.result
    assert pause is not None and pause.error_code == 110400000
