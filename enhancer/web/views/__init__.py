"""Pages, one module per page family. Views read the database and queue work; they never call HitPaw."""

from enhancer.web.views.health import healthz
from enhancer.web.views.jobs import JOBS_PER_PAGE, job_detail, job_file, job_list, job_status
from enhancer.web.views.public import original_for_hitpaw
from enhancer.web.views.shares import share_create, share_image, share_page, share_revoke
from enhancer.web.views.submit import submit
from enhancer.web.views.team import team
from enhancer.web.views.usage import usage, usage_csv

__all__ = [
    "JOBS_PER_PAGE",
    "healthz",
    "job_detail",
    "job_file",
    "job_list",
    "job_status",
    "original_for_hitpaw",
    "share_create",
    "share_image",
    "share_page",
    "share_revoke",
    "submit",
    "team",
    "usage",
    "usage_csv",
]
