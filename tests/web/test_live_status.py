"""The live pages (job, batch, history) tell of one job in the same words, whichever page asks."""

import pytest

from enhancer.models import JobStatus
from tests.support.batches import make_batch

SHARED = ("status", "label", "coins", "terminal")


@pytest.mark.parametrize("status", [JobStatus.CONVERTING, JobStatus.COMPLETED, JobStatus.FAILED])
def test_the_job_page_batch_page_and_history_report_a_job_alike(alice_client, alice, general_2x, status):
    batch, (job,) = make_batch(alice, general_2x, [status])
    alone = alice_client.get(f"/jobs/{job.pk}/status.json").json()
    (in_batch,) = alice_client.get(f"/batches/{batch.pk}/status.json").json()["jobs"]
    (listed,) = alice_client.get(f"/jobs/status.json?ids={job.pk}").json()["jobs"]
    assert in_batch["id"] == listed["id"] == job.pk
    assert (
        [alone[key] for key in SHARED] == [in_batch[key] for key in SHARED] == [listed[key] for key in SHARED]
    )
    assert in_batch["message"] == alone["message"] == job.message
