"""Which links we hand to HitPaw, and which result links we may fetch from where."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.urls import reverse

from enhancer.models import Job
from enhancer.net.addresses import private_urls_allowed, reachable_from_internet

ORIGINAL_LINK_SALT = "enhancer.original-for-hitpaw"


def hitpaw_base_url() -> str:
    """The real API, or the built-in simulator when no key is set (sandbox mode)."""
    return settings.SANDBOX_BASE_URL if settings.SANDBOX_MODE else settings.HITPAW_BASE_URL


def public_address_reachable() -> bool:
    """True when `PUBLIC_BASE_URL` is an address HitPaw could reach from the internet.

    Unset, loopback, private, link-local or an office-only name (`desk.local`, `intranet`) is not:
    an office PC behind NAT has no such address.
    """
    return reachable_from_internet(settings.PUBLIC_BASE_URL)


def needs_staging(job: Job) -> bool:
    """An uploaded photo HitPaw cannot fetch from us: it goes to HitPaw's own storage first."""
    return bool(job.upload_name and job.original) and not public_address_reachable()


def submission_url(job: Job) -> str:
    """The image link HitPaw fetches.

    An upload staged on HitPaw's storage: the link HitPaw gave for it. With a reachable
    `PUBLIC_BASE_URL`, a signed, expiring link to our own checked copy, so the photo HitPaw
    enhances (and charges for) is the one we checked against the limits and estimated.
    Without one, the user's own link, which its owner could change after our check.
    """
    if job.staged_url:
        return job.staged_url
    if not (public_address_reachable() and job.original):
        return job.img_url
    return original_link(job, settings.PUBLIC_BASE_URL)


def original_link(job: Job, base_url: str) -> str:
    """A signed, expiring link under `base_url` to our stored copy of the job's photo."""
    token = signing.TimestampSigner(salt=ORIGINAL_LINK_SALT).sign_object(
        {"job": job.pk, "file": job.original.name}
    )
    path = reverse("enhancer:original_for_hitpaw", args=[token, f"photo{job.extension}"])
    return base_url + path


def job_for_original_link(token: str) -> Job | None:
    """The job whose original a signed link points to, while the link is valid and the file unchanged."""
    try:
        claim = signing.TimestampSigner(salt=ORIGINAL_LINK_SALT).unsign_object(
            token, max_age=settings.ENHANCER_ORIGINAL_LINK_SECONDS
        )
    except signing.BadSignature:  # includes an expired link
        return None
    job = Job.objects.filter(pk=claim.get("job")).first()
    if job is None or not job.original or job.original.name != claim.get("file"):
        return None
    return job


def result_fetch_allows_private(res_url: str) -> bool:
    """Results from the API's own host are trusted even on a private address (the sandbox)."""
    if private_urls_allowed():
        return True
    return urlsplit(res_url).hostname == urlsplit(hitpaw_base_url()).hostname
