"""HitPaw's error code on the paid call, in a 2xx answer as in a 4xx one: a refusal, nothing charged.

Account codes (coins not enough, key not valid) pause the team's submissions either way, instead of
sending each photo to an admin's review as if HitPaw might have taken it.
"""

import pytest

from enhancer.hitpaw.client import HitPawClient
from enhancer.jobs import pauses
from enhancer.models import CoinCharge, JobStatus
from tests.support.jobs import make_job, step

pytestmark = pytest.mark.django_db

HITPAW = "https://hitpaw.example"
PAID_CALL = f"{HITPAW}/api/photo-enhancer"


def hitpaw() -> HitPawClient:
    return HitPawClient("key", HITPAW, retry_submissions=False)


@pytest.mark.parametrize("http_status", [200, 402])
@pytest.mark.parametrize(
    ("code", "says"),
    [
        (110402000, "The team's HitPaw coin balance has run out. Ask an admin to top up."),
        (110400000, "The HitPaw API key is not valid. Ask an admin to check the key."),
    ],
)
def test_an_account_code_pauses_the_team_and_fails_the_photo_uncharged(api, http_status, code, says):
    if code == 110400000 and http_status == 402:
        http_status = 400  # the vendor's own status for a bad key
    api.post(PAID_CALL, json={"code": code, "message": "refused", "data": None}, status=http_status)
    job = step(make_job(JobStatus.SUBMITTING), hitpaw())

    assert job.status == JobStatus.FAILED
    assert (job.error_code, job.message) == (code, says)
    assert job.coins is None and not CoinCharge.objects.exists()
    pause = pauses.current()
    assert pause is not None and pause.error_code == code

    waiting = step(make_job(JobStatus.SUBMITTING), hitpaw())
    assert waiting.status == JobStatus.SUBMITTING  # held by the pause, not sent
    assert len(api.calls) == 1


def test_a_photo_refusal_in_a_2xx_answer_fails_only_that_photo(api):
    api.post(PAID_CALL, json={"code": 110400007, "message": "The extension is not valid"}, status=200)

    job = step(make_job(JobStatus.SUBMITTING), hitpaw())

    assert job.status == JobStatus.FAILED and job.error_code == 110400007
    assert job.message == "HitPaw does not accept this kind of image file. Try a JPG or PNG."
    assert pauses.current() is None
    assert job.submit_started_at is None  # HitPaw refused: nothing is in flight
