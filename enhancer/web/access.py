"""Who may see and do what: one place, by Django permissions (the roles are groups), never `is_staff`.

Roles (groups made by migrations 0008 and 0013): **staff** send photos (`add_job`: it may spend
coins) and see and share their own jobs (`add_sharelink`: it publishes them); **reviewers** also see
everyone's jobs and usage, read-only: they neither send nor share; **admins** also manage budgets,
top-ups, the catalogue, users and anyone's share links. Another user's job is a 404, so ids leak
nothing; an action the person's role does not allow is a 403 (`enhancer.web.refusals`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import Http404
from django.shortcuts import get_object_or_404

from enhancer.coins.charged import with_charged
from enhancer.models import Batch, Job, ShareLink

if TYPE_CHECKING:
    from enhancer.coins.charged import ChargedJob

SEE_ALL_JOBS = "enhancer.view_job"
CHANGE_ANY_JOB = "enhancer.change_job"
SEE_TEAM_USAGE = "enhancer.view_coincharge"
MANAGE_SHARES = "enhancer.change_sharelink"
ENHANCE = "enhancer.add_job"
SHARE = "enhancer.add_sharelink"
PAUSE_SUBMISSIONS = "enhancer.change_submissionpause"  # pause and resume the whole team
RECORD_TOP_UPS = "enhancer.add_topup"  # admins, who also see the balance the app expects
MANAGE_CATALOGUE = "enhancer.change_enhancemodel"


def may_enhance(user) -> bool:
    """Sending a photo, or sending one again, may spend coins: only roles that enhance may."""
    return user.has_perm(ENHANCE)


def may_make_links(user) -> bool:
    """Making a share link publishes a photo: only roles that share may."""
    return user.has_perm(SHARE)


def has_a_role(user) -> bool:
    """Whether an admin gave this person any role (a superuser needs none)."""
    return user.is_superuser or user.groups.exists()


def sees_all_jobs(user) -> bool:
    return user.has_perm(SEE_ALL_JOBS)


def sees_team_usage(user) -> bool:
    return user.has_perm(SEE_TEAM_USAGE)


def sees_price_checks(user) -> bool:
    """Charges far from their estimate are shown to those who keep the catalogue and its prices."""
    return user.has_perm(MANAGE_CATALOGUE)


def visible_jobs(user):
    """The jobs `user` may see: their own, or everyone's for reviewers and admins; each with what
    the ledger charged for it (`charged`)."""
    jobs = with_charged(Job.objects.select_related("model", "user"))
    return jobs if sees_all_jobs(user) else jobs.filter(user=user)


def job_for_user(user, pk: int) -> ChargedJob:
    """The job if `user` may see it; 404 otherwise."""
    return get_object_or_404(visible_jobs(user), pk=pk)


def may_change(user, owner_id: int) -> bool:
    """Owners act on their own photos (cancel, try again); admins on anyone's; reviewers only look."""
    return owner_id == user.pk or user.has_perm(CHANGE_ANY_JOB)


def job_to_change(user, pk: int) -> Job:
    """A job `user` may act on; 404 for one they may only see, as for one they may not see."""
    job = job_for_user(user, pk)
    if not may_change(user, job.user_id):
        raise Http404("No such photo.")
    return job


def visible_batches(user):
    """The batches `user` may see: their own, or everyone's for reviewers and admins."""
    batches = Batch.objects.select_related("model", "user")
    return batches if sees_all_jobs(user) else batches.filter(user=user)


def batch_for_user(user, pk: int) -> Batch:
    return get_object_or_404(visible_batches(user), pk=pk)


def batch_to_change(user, pk: int) -> Batch:
    batch = batch_for_user(user, pk)
    if not may_change(user, batch.user_id):
        raise Http404("No such batch.")
    return batch


def may_share(user, job: Job) -> bool:
    """Owners share their own finished jobs; admins may share or turn off anyone's links."""
    return job.user_id == user.pk or user.has_perm(MANAGE_SHARES)


def job_to_share(user, pk: int) -> Job:
    """A job `user` may share; 404 for one they may not (a reviewer sees it but cannot share it)."""
    job = job_for_user(user, pk)
    if not may_share(user, job):
        raise Http404("No such photo.")
    return job


def share_for_user(user, job_pk: int, share_pk: int) -> ShareLink:
    """One of a job's share links, if `user` may manage that job's links."""
    job = job_to_share(user, job_pk)
    return get_object_or_404(ShareLink, pk=share_pk, job=job)
