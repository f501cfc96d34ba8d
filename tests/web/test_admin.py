"""The admin: its lists load, needs-review jobs are resubmitted or closed, a pause is lifted."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from enhancer.hitpaw.catalogue import CATALOGUE
from enhancer.jobs import review
from enhancer.models import EnhanceModel, JobEvent, JobStatus, SubmissionPause
from tests.support.jobs import handed_to_the_ticker, make_job

DOCUMENTED_MODELS = {
    "face_2x",
    "face_4x",
    "face_v2_2x",
    "face_v2_4x",
    "general_2x",
    "general_4x",
    "high_fidelity_2x",
    "high_fidelity_4x",
    "sharpen_denoise",
    "detail_denoise",
    "generative_portrait",
    "generative",
}
# Every job here is a bare row for Alice's cat photo, with the message of a job in doubt.
IN_DOUBT = {
    "bare": True,
    "img_url": "https://photos.example.com/cat.png",
    "message": "We could not tell whether HitPaw received this photo.",
}


def expired() -> datetime:
    """The admin tests' jobs are a minute past their deadline: an admin's action must set a new one."""
    return timezone.now() - timedelta(minutes=1)


def run_action(client, changelist: str, action: str, pks):
    data = {"action": action, "_selected_action": [str(pk) for pk in pks]}
    return client.post(f"/admin/enhancer/{changelist}/", data, follow=True)


@pytest.mark.parametrize("changelist", ["job", "enhancemodel", "submissionpause"])
def test_it_loads_each_list_for_an_admin(admin_client, alice, general_2x, changelist):
    make_job(JobStatus.COMPLETED, user=alice, model=general_2x, deadline_at=expired(), coins=10, **IN_DOUBT)
    SubmissionPause.objects.create(pk=1, paused=True, reason="The coins ran out.")
    assert admin_client.get(f"/admin/enhancer/{changelist}/").status_code == 200


def test_it_lists_models_by_display_name_and_api_name(admin_client, catalogue):
    page = admin_client.get("/admin/enhancer/enhancemodel/").content.decode()
    assert "Generative Portrait" in page
    assert "generative_portrait" in page


def test_it_shows_a_jobs_page_with_its_timeline(admin_client, alice, general_2x):
    job = make_job(JobStatus.NEEDS_REVIEW, user=alice, model=general_2x, deadline_at=expired(), **IN_DOUBT)
    JobEvent.objects.create(job=job, status=JobStatus.NEEDS_REVIEW, message="Outcome unknown.")
    response = admin_client.get(f"/admin/enhancer/job/{job.pk}/change/")
    assert response.status_code == 200
    assert "Outcome unknown." in response.content.decode()


def test_it_keeps_the_admin_from_staff_who_are_not_admins(alice_client):
    response = alice_client.get("/admin/enhancer/job/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_it_resubmits_only_the_needs_review_jobs_chosen(admin_client, alice, general_2x):
    unknown = make_job(
        JobStatus.NEEDS_REVIEW,
        user=alice,
        model=general_2x,
        deadline_at=expired(),
        submit_started_at=timezone.now(),
        **IN_DOUBT,
    )
    done = make_job(
        JobStatus.COMPLETED, user=alice, model=general_2x, deadline_at=expired(), coins=10, **IN_DOUBT
    )
    response = run_action(admin_client, "job", "resubmit_jobs", [unknown.pk, done.pk])
    unknown.refresh_from_db()
    done.refresh_from_db()
    assert "1 job(s) sent again." in response.content.decode()
    assert (unknown.status, unknown.message) == (JobStatus.SUBMITTING, review.MSG_RESUBMITTED)
    assert unknown.submit_started_at is None
    assert unknown.deadline_at > timezone.now()
    assert unknown.events.last().message == review.MSG_RESUBMITTED
    assert done.status == JobStatus.COMPLETED
    assert handed_to_the_ticker()


def test_it_closes_only_the_needs_review_jobs_chosen(admin_client, alice, general_2x):
    unknown = make_job(
        JobStatus.NEEDS_REVIEW, user=alice, model=general_2x, deadline_at=expired(), **IN_DOUBT
    )
    failed = make_job(JobStatus.FAILED, user=alice, model=general_2x, deadline_at=expired(), **IN_DOUBT)
    response = run_action(admin_client, "job", "close_jobs", [unknown.pk, failed.pk])
    unknown.refresh_from_db()
    failed.refresh_from_db()
    assert "1 job(s) closed." in response.content.decode()
    assert (unknown.status, unknown.message) == (JobStatus.CANCELED, review.MSG_CLOSED)
    assert failed.status == JobStatus.FAILED


def test_it_resubmits_nothing_when_no_chosen_job_needs_review(admin_client, alice, general_2x):
    done = make_job(JobStatus.COMPLETED, user=alice, model=general_2x, deadline_at=expired(), **IN_DOUBT)
    response = run_action(admin_client, "job", "resubmit_jobs", [done.pk])
    assert "0 job(s) sent again." in response.content.decode()


def test_it_lifts_the_pause_and_wakes_the_waiting_jobs(admin_client, alice, general_2x):
    pause = SubmissionPause.objects.create(
        pk=1, paused=True, reason="The coins ran out.", error_code=110402000
    )
    waiting = make_job(JobStatus.SUBMITTING, user=alice, model=general_2x, deadline_at=expired(), **IN_DOUBT)
    response = run_action(admin_client, "submissionpause", "resume_submissions", [pause.pk])
    pause.refresh_from_db()
    waiting.refresh_from_db()
    assert "Submissions resumed; 1 waiting job(s) will go now." in response.content.decode()
    assert pause.paused is False
    assert waiting.deadline_at > timezone.now()
    assert "New photos are paused" not in admin_client.get("/").content.decode()


def test_the_migrations_seed_the_twelve_documented_models(db):
    models = EnhanceModel.objects.all()
    assert set(models.values_list("name", flat=True)) == DOCUMENTED_MODELS
    assert models.count() == len(CATALOGUE) == 12
    assert all(model.display_name and model.good_for and model.enabled for model in models)
    assert {m.name: m.scale for m in models if m.name.endswith("_4x")} == dict.fromkeys(
        ["face_4x", "face_v2_4x", "general_4x", "high_fidelity_4x"], 4
    )
    assert set(models.filter(kind="generative").values_list("name", flat=True)) == {
        "generative",
        "generative_portrait",
    }


def test_it_will_not_resubmit_a_job_hitpaw_gave_a_number_and_says_why(admin_client, alice, general_2x):
    known = make_job(
        JobStatus.NEEDS_REVIEW, user=alice, model=general_2x, deadline_at=expired(),
        hitpaw_job_id="hp-known", coins=10, submitted_at=timezone.now(), **IN_DOUBT,
    )  # fmt: skip

    page = run_action(admin_client, "job", "resubmit_jobs", [known.pk]).content.decode()
    known.refresh_from_db()

    assert "0 job(s) sent again." in page and "HitPaw gave them a job number" in page
    assert known.status == JobStatus.NEEDS_REVIEW and known.hitpaw_job_id == "hp-known"


def test_it_resubmits_a_known_job_when_the_admin_confirms_hitpaw_has_no_record(
    admin_client, alice, general_2x
):
    known = make_job(
        JobStatus.NEEDS_REVIEW, user=alice, model=general_2x, deadline_at=expired(),
        hitpaw_job_id="hp-ghost", **IN_DOUBT,
    )  # fmt: skip

    run_action(admin_client, "job", "resubmit_unknown_to_hitpaw", [known.pk])
    known.refresh_from_db()

    assert known.status == JobStatus.SUBMITTING and known.hitpaw_job_id == ""


def test_it_retries_the_download_of_a_failed_paid_result_hitpaw_still_keeps(admin_client, alice, general_2x):
    fresh = make_job(
        JobStatus.FAILED, user=alice, model=general_2x, deadline_at=expired(), coins=10,
        hitpaw_job_id="hp-1", res_url="https://results.example/out.png", res_url_at=timezone.now(),
        submitted_at=timezone.now(), **IN_DOUBT,
    )  # fmt: skip
    gone = make_job(
        JobStatus.FAILED, user=alice, model=general_2x, deadline_at=expired(), coins=10,
        hitpaw_job_id="hp-2", res_url="https://results.example/old.png",
        res_url_at=timezone.now() - timedelta(days=9), submitted_at=timezone.now() - timedelta(days=9),
        **IN_DOUBT,
    )  # fmt: skip

    page = run_action(admin_client, "job", "retry_downloads", [fresh.pk, gone.pk]).content.decode()
    fresh.refresh_from_db()
    gone.refresh_from_db()

    assert "1 job(s) will try to save their result again." in page and "1 job(s) skipped" in page
    assert fresh.status == JobStatus.DOWNLOADING and fresh.due_at is not None
    assert gone.status == JobStatus.FAILED
    assert handed_to_the_ticker()
