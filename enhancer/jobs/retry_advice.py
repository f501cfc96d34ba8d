"""Whether trying a failed photo again can help, or would fail the same way.

A photo too large for its model, a file of a kind HitPaw does not take, or no picture at all fails
again whatever the moment: offering Try again for it only wastes the person's time (and, for a
refusal after sending, coins). Such a photo can still be enhanced again with another model or sent
as another file. Judged from HitPaw's error code when there is one, else from the photo's size
against the model's limits, else from our own check of the file.
"""

from __future__ import annotations

from enhancer.hitpaw import pricing
from enhancer.media import imaging
from enhancer.models import Job, JobStatus

# HitPaw's refusals of the photo or model themselves (the docs' table): the same photo on the same
# model is refused again.
REPEATING_CODES = frozenset(
    {
        110400005,  # the model is not supported
        110400007,  # the extension is not valid
        110400009,  # the input resolution is over the limit
        110400010,  # the target resolution is over the limit
    }
)

# Our own checks of the file, which give the same answer for the same file.
_FILE_PROBLEMS = (
    imaging.MSG_UNREADABLE,
    imaging.MSG_BROKEN,
    imaging.MSG_ANIMATED,
    imaging.MSG_POLYGLOT,
    imaging.MSG_TOO_MUCH_DATA,
)
_FILE_PROBLEM_PARTS = ("This kind of image (", "megapixel limit.")

MSG_WILL_REPEAT = (
    "Trying this photo again would fail the same way, so it was not sent. "
    "Pick another model (Enhance again), or use another file."
)


def will_repeat(job: Job) -> bool:
    """True when the job failed for a reason that trying the same photo and model again cannot change."""
    if job.status not in (JobStatus.FAILED, JobStatus.TIMED_OUT):
        return False
    if job.error_code in REPEATING_CODES:
        return True
    if job.original_width and job.original_height:
        model = job.model
        if pricing.limit_problem(model.kind, job.original_width, job.original_height, model.scale):
            return True
    message = job.message or ""
    return any(problem in message for problem in (*_FILE_PROBLEMS, *_FILE_PROBLEM_PARTS))
