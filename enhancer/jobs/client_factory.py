"""Build the HitPaw client from settings: one per thread, since a requests session is not shared safely."""

from __future__ import annotations

import threading

from django.conf import settings

from enhancer.hitpaw.client import HitPawClient
from enhancer.jobs.hitpaw_links import hitpaw_base_url

_local = threading.local()


def get_client() -> HitPawClient:
    """This thread's client, made on first use."""
    client = getattr(_local, "client", None)
    if client is None:
        client = HitPawClient(
            settings.HITPAW_API_KEY or settings.SANDBOX_KEY,
            hitpaw_base_url(),
            connect_timeout=settings.ENHANCER_CONNECT_TIMEOUT,
            read_timeout=settings.ENHANCER_READ_TIMEOUT,
            retry_submissions=False,  # the pipeline retries them, with nothing marked in flight
        )
        _local.client = client
    return client
