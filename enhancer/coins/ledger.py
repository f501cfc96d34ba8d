"""Writing the coin ledger: a charge per submission HitPaw accepted, and top-ups admins record."""

from __future__ import annotations

import logging
from collections.abc import Callable

from enhancer.hitpaw.errors import VENDOR_ERRORS
from enhancer.models import CoinCharge, Job, SubmissionPause, TopUp, expected_balance

log = logging.getLogger(__name__)


def charge_writer(job: Job, hitpaw_job_id: str, coins: int | None) -> Callable[[], None]:
    """A callback for `lifecycle.move(then=...)` that writes the charge with the submission's record.

    One INSERT that does nothing if the entry exists (the unique constraint on job and HitPaw job):
    the move that runs it happens once per submission, so no read is needed first.
    """
    return lambda: write_charge(job, hitpaw_job_id, coins)


def write_charge(job: Job, hitpaw_job_id: str, coins: int | None) -> None:
    """The ledger entry for an accepted submission, unless it is there already."""
    if coins is None:
        # HitPaw accepted it without saying the price: the entry still shows the job was charged.
        log.warning("Job %s: HitPaw accepted it as %s without saying its coins", job.pk, hitpaw_job_id)
    entry = CoinCharge(
        job_id=job.pk,
        hitpaw_job_id=hitpaw_job_id,
        user_id=job.user_id,
        model_id=job.model_id,
        coins=coins or 0,
        estimated_coins=job.estimated_coins,
    )
    CoinCharge.objects.bulk_create([entry], ignore_conflicts=True)


def record_charge(job: Job, hitpaw_job_id: str, coins: int | None) -> CoinCharge:
    """The ledger entry for what HitPaw charged for `job` as `hitpaw_job_id`; written once, ever."""
    write_charge(job, hitpaw_job_id, coins)
    return CoinCharge.objects.get(job_id=job.pk, hitpaw_job_id=hitpaw_job_id)


def record_top_up(coins: int, note: str = "", by=None) -> TopUp:
    """Coins the team bought."""
    return TopUp.objects.create(coins=coins, note=note, recorded_by=by)


def _is_out_of_coins(code: int | None) -> bool:
    error = VENDOR_ERRORS.get(code) if code is not None else None
    return error is not None and error.http_status == 402


def balance_beside_refusal(pause: SubmissionPause | None) -> int | None:
    """The balance we expect, to show beside HitPaw's "coins ran out" (None for any other pause).

    None too while no top-up was ever recorded: coins bought are then unknown, and charges alone
    would read as a debt ("about -2135 coins") that means nothing.
    """
    if pause is None or not _is_out_of_coins(pause.error_code) or not TopUp.objects.exists():
        return None
    return expected_balance()
