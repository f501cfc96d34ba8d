"""HitPaw's job statuses: the documented ones and those the vendor's own tools meet.

Unknown statuses count as running; our own deadline ends them.
"""

RUNNING_STATUSES = frozenset(
    {
        "CONVERTING",
        "WAITING",
        "PENDING",
        "INPUT_PREPARING",
        "OUTPUT_SAVING",
        "CONVERT_COMPLETED",
        "OUTPUT_SAVED",
    }
)
COMPLETED_STATUSES = frozenset({"COMPLETED"})
FAILED_STATUSES = frozenset({"ERROR", "ERROR_INTERRUPTION", "TIMEOUT", "CANCEL", "REJECT", "NSFW"})

# What staff read when HitPaw ends a job with one of these statuses.
FAILURE_MESSAGES = {
    "NSFW": "HitPaw refused this photo because it looks like adult content.",
    "REJECT": "HitPaw rejected this photo.",
    "CANCEL": "The job was canceled at HitPaw.",
    "TIMEOUT": "HitPaw took too long on this photo and gave up. You can try again.",
}
GENERIC_FAILURE = "HitPaw could not enhance this photo. You can try again."

# HitPaw deletes a result (its `res_url`) this many days after the job completes.
RESULT_LINK_DAYS = 8
