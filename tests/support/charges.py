"""Ledger entries for jobs made by hand in tests: pages read coins from the ledger, not `Job.coins`."""

from enhancer.coins import ledger
from enhancer.models import CoinCharge, Job


def charged(job: Job) -> Job:
    """Write the charge the pipeline writes with a submission, for a job made with `coins=`, dated
    when the job says it was sent (or now)."""
    number = job.hitpaw_job_id or f"hitpaw-job-{job.pk}"
    ledger.write_charge(job, number, job.coins)
    if job.submitted_at:
        CoinCharge.objects.filter(job=job, hitpaw_job_id=number).update(at=job.submitted_at)
    return job
