"""Budgets at the real price: checked just before the paid call, from the photo's real size.

At intake a link's size is unknown, so a photo counts at its model's lowest price there; once the
photo is fetched its estimate is known, and a photo that would pass a limit is not sent at all.
"""

import io
import re
from functools import lru_cache

import pytest
import responses
from django.contrib.auth import get_user_model
from PIL import Image

from enhancer.coins import ledger
from enhancer.hitpaw.client import HitPawClient, Submission
from enhancer.jobs import claims, intake, pipeline
from enhancer.models import CoinCharge, Job, JobStatus, TeamBudget, UserBudget
from tests.support.jobs import StubClient, in_threads, make_job, step

pytestmark = pytest.mark.django_db

PHOTO = "https://photos.example/shop/camera.jpg"
HITPAW = "https://hitpaw.example"


@lru_cache(maxsize=4)
def jpeg(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("L", (width, height), 128).save(out, "JPEG", quality=50)
    return out.getvalue()


def team_budget(coins: int) -> None:
    TeamBudget.objects.update_or_create(pk=1, defaults={"monthly_coins": coins})


def already_charged(user, coins: int) -> None:
    ledger.record_charge(make_job(JobStatus.COMPLETED, user=user, coins=coins), "hp-earlier", coins)


def sent_through(job: Job, client) -> Job:
    """Fetch the photo, then take it to (and, if it fits, through) the paid call."""
    job = step(job, client)
    assert job.status == JobStatus.SUBMITTING, job.message
    return step(job, client)


def test_a_240_coin_photo_with_20_coins_left_is_never_sent(web, alice, catalogue):
    team_budget(100)
    already_charged(alice, 80)
    web.add(responses.GET, PHOTO, body=jpeg(4000, 3000), content_type="image/jpeg")  # 12 MP
    # Taken at intake: a link's size is unknown there, and the model's lowest price (10) fits.
    (job,) = intake.create_jobs(alice, [PHOTO], catalogue["general_4x"])
    hitpaw = StubClient()

    job = sent_through(job, hitpaw)

    assert hitpaw.submit_calls == []
    assert job.status == JobStatus.FAILED
    assert job.estimated_coins == 240  # 192 MP out
    assert job.message == (
        "Over budget: the team's monthly coin budget has 20 coins left this month, and this photo "
        "needs 240. It was not sent to HitPaw and no coins were spent. You can try it again once an "
        "admin raises the budget, or next month."
    )
    assert job.submit_started_at is None and job.coins is None
    assert CoinCharge.objects.count() == 1  # the earlier charge only


def test_no_request_reaches_hitpaw_for_an_over_budget_photo(web, alice, catalogue):
    """The same with the real client: HitPaw's address is never called."""
    team_budget(100)
    already_charged(alice, 80)
    web.add(responses.GET, PHOTO, body=jpeg(4000, 3000), content_type="image/jpeg")
    paid_call = web.add(responses.POST, f"{HITPAW}/api/photo-enhancer", json={"code": 200, "data": {}})
    (job,) = intake.create_jobs(alice, [PHOTO], catalogue["general_4x"])

    job = sent_through(job, HitPawClient("key", HITPAW))

    assert job.status == JobStatus.FAILED and job.message.startswith("Over budget")
    assert paid_call.call_count == 0


def test_a_persons_own_limit_is_checked_at_the_real_price_too(web, alice, catalogue):
    UserBudget.objects.create(user=alice, monthly_coins=100)
    web.add(responses.GET, PHOTO, body=jpeg(4000, 3000), content_type="image/jpeg")
    (job,) = intake.create_jobs(alice, [PHOTO], catalogue["general_4x"])
    hitpaw = StubClient()

    job = sent_through(job, hitpaw)

    assert hitpaw.submit_calls == []
    assert job.message.startswith(
        "Over budget: your monthly coin limit has 100 coins left this month, and this photo needs 240."
    )


def test_a_photo_that_fits_its_real_price_is_sent(web, alice, catalogue):
    team_budget(300)
    already_charged(alice, 60)
    web.add(responses.GET, PHOTO, body=jpeg(4000, 3000), content_type="image/jpeg")
    (job,) = intake.create_jobs(alice, [PHOTO], catalogue["general_4x"])
    hitpaw = StubClient(submits=[Submission("hp-1", 240)])

    job = sent_through(job, hitpaw)

    assert len(hitpaw.submit_calls) == 1
    assert job.status == JobStatus.CONVERTING and job.coins == 240


def test_a_50_photo_batch_cannot_pass_the_team_budget(web, alice, catalogue):
    team_budget(600)
    # 1000 × 750 at 4x: 12 MP out, 30 coins each (50 × 30 = 1500); at intake 50 × 10 = 500 fit.
    web.add(responses.GET, re.compile(r"https://photos\.example/batch/\d+\.jpg"), body=jpeg(1000, 750))
    links = [f"https://photos.example/batch/{n}.jpg" for n in range(50)]
    jobs = intake.create_jobs(alice, links, catalogue["general_4x"])
    hitpaw = StubClient(submits=[Submission(f"hp-{n}", 30) for n in range(50)])

    ended = [sent_through(job, hitpaw) for job in jobs]

    assert len(hitpaw.submit_calls) == 20  # 20 × 30 = 600: the budget, and not a coin more
    assert sum(job.coins or 0 for job in ended) == 600
    over = [job for job in ended if job.status == JobStatus.FAILED]
    assert len(over) == 30 and all(job.message.startswith("Over budget") for job in over)


def test_a_photo_being_sent_counts_at_its_estimate_until_it_is_charged(alice):
    """While one 240-coin photo's paid call is under way, a second one does not fit 300 coins."""
    team_budget(300)
    big = {"original_width": 4000, "original_height": 3000, "estimated_coins": 240}
    first = make_job(JobStatus.SUBMITTING, user=alice, **big)
    second = make_job(JobStatus.SUBMITTING, user=alice, **big)
    meanwhile = []

    def second_photo_during_the_first_call(call):
        if call == 1:
            meanwhile.append(step(second, hitpaw))

    hitpaw = StubClient(submits=[Submission("hp-1", 240)], on_submit=second_photo_during_the_first_call)
    step(first, hitpaw)

    assert len(hitpaw.submit_calls) == 1
    assert meanwhile[0].status == JobStatus.FAILED
    assert "has 60 coins left this month, and this photo needs 240" in meanwhile[0].message


def test_at_intake_photos_on_their_way_count_at_their_estimate(alice, general_2x):
    team_budget(300)
    make_job(JobStatus.SUBMITTING, user=alice, estimated_coins=240)

    with pytest.raises(intake.SubmissionRefused, match="has 60 coins left"):
        intake.create_jobs(alice, [PHOTO] * 7, general_2x)  # 7 × 10 at the lowest price


def test_an_upload_is_checked_at_intake_at_its_real_price(settings, alice, catalogue):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.PUBLIC_BASE_URL = "https://desk.example"
    team_budget(100)
    photo = SimpleUploadedFile("camera.jpg", jpeg(4000, 3000), content_type="image/jpeg")

    with pytest.raises(intake.SubmissionRefused) as refused:
        intake.create_upload_jobs(alice, [photo], catalogue["general_4x"])

    assert refused.value.message.startswith(
        "The team's monthly coin budget has 100 coins left this month, and this photo needs about 240."
    )
    assert not Job.objects.exists()


def test_an_over_budget_photo_can_be_tried_again_once_the_budget_is_raised(alice):
    team_budget(100)
    job = step(make_job(JobStatus.SUBMITTING, user=alice, estimated_coins=240), StubClient())
    assert job.status == JobStatus.FAILED

    team_budget(1000)
    (again,) = intake.retry_jobs(Job.objects.filter(pk=job.pk))

    assert again.retry_of_id == job.pk and again.status == JobStatus.QUEUED


@pytest.mark.django_db(transaction=True)
def test_two_photos_sent_at_once_cannot_both_take_the_last_coins(catalogue):
    alice = get_user_model().objects.create_user("alice")
    team_budget(240)
    jobs = [
        make_job(JobStatus.SUBMITTING, user=alice, estimated_coins=240, model=catalogue["general_4x"])
        for _ in range(2)
    ]
    hitpaw = StubClient(submits=[Submission("hp-1", 240)])

    def send(index):
        token = claims.claim_job(jobs[index].pk)
        pipeline.advance(jobs[index].pk, token, hitpaw)

    in_threads(2, send)

    assert len(hitpaw.submit_calls) == 1
    assert sorted(Job.objects.values_list("status", flat=True)) == [JobStatus.CONVERTING, JobStatus.FAILED]
