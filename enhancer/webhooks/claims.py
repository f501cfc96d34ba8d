"""Claiming due deliveries by a conditional UPDATE (a lease), as jobs are claimed.

A worker killed mid-send leaves its lease to run out; the ticker then claims the row again and it
is sent again with the same `msg_id`: at least once, and receivers drop the repeat by that id.
Times are the database's clock, so a host whose clock runs fast steals no live lease.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.db.models import Q
from django.db.models.functions import Now

from enhancer.models import DeliveryState, WebhookDelivery

# Longer than one send (its deadline) and the writes around it. Tests change it on the module.
LEASE_SECONDS = 60
MAX_PER_CLAIM = 20


def lease_free() -> Q:
    return Q(lease_until__isnull=True) | Q(lease_until__lt=Now())


def claim_due(limit: int = MAX_PER_CLAIM) -> str | None:
    """Claim up to `limit` due deliveries of active endpoints; their token, or None if none were due."""
    due = list(
        WebhookDelivery.objects.filter(state=DeliveryState.PENDING, due_at__lte=Now(), endpoint__active=True)
        .filter(lease_free())
        .order_by("due_at")
        .values_list("pk", flat=True)[:limit]
    )
    if not due:
        return None
    token = uuid.uuid4().hex
    claimed = (
        WebhookDelivery.objects.filter(pk__in=due, state=DeliveryState.PENDING)
        .filter(lease_free())
        .update(lease_token=token, lease_until=Now() + timedelta(seconds=LEASE_SECONDS))
    )
    return token if claimed else None


def claimed(token: str) -> list[WebhookDelivery]:
    """The rows `token` still holds, with their endpoints."""
    return list(
        WebhookDelivery.objects.select_related("endpoint").filter(
            lease_token=token, lease_until__gte=Now(), state=DeliveryState.PENDING
        )
    )


def still_ours(delivery_id: int, token: str) -> bool:
    """Just before a send: the lease holds, the row waits and its endpoint is still on."""
    return WebhookDelivery.objects.filter(
        pk=delivery_id,
        lease_token=token,
        lease_until__gte=Now(),
        state=DeliveryState.PENDING,
        endpoint__active=True,
    ).exists()
