"""The app's tables, one module per family, all re-exported here (`from enhancer.models import Job`).

May import Django and `enhancer.hitpaw` (vendor facts); nothing else from `enhancer`.
"""

from enhancer.models.api_tokens import ApiToken
from enhancer.models.batches import Batch
from enhancer.models.budgets import TeamBudget, UserBudget
from enhancer.models.catalogue import EnhanceModel
from enhancer.models.jobs import ACTIVE_STATUSES, TERMINAL_STATUSES, Job, JobEvent, JobStatus
from enhancer.models.ledger import CoinCharge, TopUp, expected_balance
from enhancer.models.pauses import Lease, SubmissionPause
from enhancer.models.shares import ShareLink
from enhancer.models.webhooks import DeliveryState, WebhookDelivery, WebhookEndpoint

__all__ = [
    "ACTIVE_STATUSES",
    "TERMINAL_STATUSES",
    "ApiToken",
    "Batch",
    "CoinCharge",
    "DeliveryState",
    "EnhanceModel",
    "Job",
    "JobEvent",
    "JobStatus",
    "Lease",
    "ShareLink",
    "SubmissionPause",
    "TeamBudget",
    "TopUp",
    "UserBudget",
    "WebhookDelivery",
    "WebhookEndpoint",
    "expected_balance",
]
