"""Webhook endpoints (where a person or the team wants events sent) and deliveries (the outbox).

A delivery is a row written in the same transaction as the job's status change, so an event is
never lost; the workers send it later, claimed by a lease like a job, so a crash sends it again
with the same `msg_id` (the `webhook-id` receivers use to drop repeats).
"""

from __future__ import annotations

import base64
import secrets

from django.conf import settings
from django.db import models

EVENT_COMPLETED = "photo.completed"
EVENT_FAILED = "photo.failed"
EVENT_NEEDS_REVIEW = "photo.needs_review"
EVENT_BATCH_COMPLETED = "batch.completed"
EVENT_PING = "ping"
EVENT_CHOICES = [
    (EVENT_COMPLETED, "A photo is done"),
    (EVENT_FAILED, "A photo failed"),
    (EVENT_NEEDS_REVIEW, "A photo needs an admin's check"),
    (EVENT_BATCH_COMPLETED, "A batch is done"),
]
EVENTS = [name for name, _ in EVENT_CHOICES]


def new_secret() -> str:
    """A Standard Webhooks secret: `whsec_` and 24 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


def new_msg_id() -> str:
    return "msg_" + secrets.token_hex(16)


class WebhookEndpoint(models.Model):
    """A URL that receives signed events: a person's own photos, or everyone's when team-wide."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="webhook_endpoints"
    )
    team_wide = models.BooleanField(default=False, help_text="Everyone's photos (made by an admin).")
    url = models.URLField(max_length=2000)
    events = models.JSONField(default=list)
    secret = models.CharField(max_length=100, default=new_secret, editable=False)
    active = models.BooleanField(default=True)
    failing_since = models.DateTimeField(null=True, blank=True)
    turned_off_reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Webhook {self.pk} to {self.url}"


class DeliveryState(models.TextChoices):
    PENDING = "pending", "Waiting to be sent"
    DELIVERED = "delivered", "Delivered"
    GIVEN_UP = "given_up", "Given up"


class WebhookDelivery(models.Model):
    """One event for one endpoint, sent until it gets a 2xx or 24 hours pass."""

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    event_type = models.CharField(max_length=40)
    msg_id = models.CharField(max_length=40, default=new_msg_id)
    payload = models.JSONField()
    state = models.CharField(max_length=12, choices=DeliveryState.choices, default=DeliveryState.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    due_at = models.DateTimeField(null=True, blank=True)
    lease_token = models.CharField(max_length=32, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["state", "due_at"], name="webhook_delivery_due")]

    def __str__(self) -> str:
        return f"{self.event_type} {self.msg_id}"
