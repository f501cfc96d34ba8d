"""A job's status as the live pages poll it, so the job page, the batch page and the history agree."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from enhancer.coins.charged import ChargedJob


def job_state(job: ChargedJob, *, message: bool = True) -> dict:
    """The status, its words, coins, whether the job has ended and whether it can still be canceled
    (not sent to HitPaw yet: the page drops its Cancel button once it is); its message unless
    `message=False`."""
    state: dict[str, object] = {"status": job.status, "label": job.get_status_display()}
    if message:
        state["message"] = job.message
    # `charged`: every charge the ledger holds for the photo (querysets annotate it, coins.charged).
    state.update(coins=job.charged, terminal=job.is_terminal, can_cancel=job.can_cancel)
    return state


def listed_states(jobs: Iterable[ChargedJob], *, message: bool = True) -> list[dict]:
    """Each job's state with its id, in the order given, for a page that shows several."""
    return [{"id": job.pk, **job_state(job, message=message)} for job in jobs]
