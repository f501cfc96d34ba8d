"""django-q2 wiring only: each task passes plain values to the pipeline or the scheduler."""

from __future__ import annotations

import logging

from django_q.utils import get_func_repr

from enhancer.jobs import scheduler, thumbnails
from enhancer.webhooks import sender

log = logging.getLogger(__name__)
GROUP = "enhancer"
REFUSED = "enhancer.tasks.refused"
# The only functions the workers run: a schedule or queued task naming anything else (say
# `os.system`, typed into an admin form) runs `refused` instead, which records a failure.
ALLOWED_TASKS = frozenset(
    {
        "enhancer.tasks.advance_batch",
        "enhancer.tasks.make_thumbnails",
        "enhancer.tasks.deliver_webhooks",
        "enhancer.sandbox.tasks.enhance_task",
        REFUSED,
    }
)


def make_thumbnails(job_id: int) -> None:
    """Make the thumbnails a job's stored photos lack (asked for by a page that found none)."""
    thumbnails.make_for_job(job_id)


def deliver_webhooks(token: str) -> int:
    """Send the webhook deliveries claimed under `token`."""
    return sender.deliver_claimed(token)


def advance_batch(token: str) -> int:
    """Run the due step of every job claimed under `token`."""
    return scheduler.run_batch(token)


def refuse_unknown_tasks(sender, task: dict, **kwargs) -> None:
    """django-q2's `pre_enqueue`: every task (schedules' too) passes here before it is signed and
    queued. One that names a function off the allow-list, or any result hook (the monitor imports
    and calls it), is swapped for `refused`, so the code it names never runs on a worker."""
    func = get_func_repr(task["func"])
    hook = task.get("hook")
    if func in ALLOWED_TASKS and not hook:
        return
    named = f"{func} (result hook {get_func_repr(hook)})" if hook else str(func)
    log.error(
        "Refused to queue %s from %s: the workers run only Enhance Desk's own tasks",
        named,
        task.get("group") or task.get("name"),
    )
    task.pop("hook", None)
    task.update(func=REFUSED, args=(named,), kwargs={})


def refused(named: str) -> None:
    """What runs in place of a refused task: a failure row saying why, in the admin and the log."""
    raise PermissionError(
        f"Refused: {named} is not one of Enhance Desk's tasks, so it was not run. "
        "Only the app's own task functions may be scheduled."
    )
