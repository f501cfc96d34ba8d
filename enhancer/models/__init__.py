"""The app's tables, one module per family, all re-exported here (`from enhancer.models import Job`).

May import Django and `enhancer.hitpaw` (vendor facts); nothing else from `enhancer`.
"""

from enhancer.models.batches import Batch
from enhancer.models.catalogue import EnhanceModel
from enhancer.models.jobs import ACTIVE_STATUSES, TERMINAL_STATUSES, Job, JobEvent, JobStatus
from enhancer.models.switches import Lease, SubmissionPause

__all__ = [
    "ACTIVE_STATUSES",
    "TERMINAL_STATUSES",
    "Batch",
    "EnhanceModel",
    "Job",
    "JobEvent",
    "JobStatus",
    "Lease",
    "SubmissionPause",
]
