"""Pages, one module per page family. Views read the database and queue work; they never call HitPaw."""

from enhancer.web.views.batches import batch_detail, batch_download, batch_retry, batch_status
from enhancer.web.views.healthz import healthz
from enhancer.web.views.jobs import (
    JOBS_PER_PAGE,
    job_cancel,
    job_detail,
    job_file,
    job_list,
    job_resume,
    job_retry,
    job_send_again,
    job_status,
    job_thumbnail,
    jobs_status,
)
from enhancer.web.views.link_sizes import measure
from enhancer.web.views.public import original_for_hitpaw
from enhancer.web.views.shares import share_create, share_image, share_page, share_revoke
from enhancer.web.views.submit import submit
from enhancer.web.views.system import system
from enhancer.web.views.team import team
from enhancer.web.views.usage import usage, usage_csv

__all__ = [
    "JOBS_PER_PAGE",
    "batch_detail",
    "batch_download",
    "batch_retry",
    "batch_status",
    "healthz",
    "job_cancel",
    "job_detail",
    "job_file",
    "job_list",
    "job_resume",
    "job_retry",
    "job_send_again",
    "job_status",
    "job_thumbnail",
    "jobs_status",
    "measure",
    "original_for_hitpaw",
    "share_create",
    "share_image",
    "share_page",
    "share_revoke",
    "submit",
    "system",
    "team",
    "usage",
    "usage_csv",
]
