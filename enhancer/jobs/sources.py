"""Which links we hand to HitPaw, and which result links we may fetch from where."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings

from enhancer.models import Job


def hitpaw_base_url() -> str:
    """The real API, or the built-in simulator when no key is set (sandbox mode)."""
    return settings.SANDBOX_BASE_URL if settings.SANDBOX_MODE else settings.HITPAW_BASE_URL


def submission_url(job: Job) -> str:
    """The image link HitPaw fetches: the link the user gave us."""
    return job.img_url


def result_fetch_allows_private(res_url: str) -> bool:
    """Results from the API's own host are trusted even on a private address (the sandbox)."""
    if settings.ENHANCER_ALLOW_PRIVATE_URLS:
        return True
    return urlsplit(res_url).hostname == urlsplit(hitpaw_base_url()).hostname
