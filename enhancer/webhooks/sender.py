"""Sending claimed deliveries: signed per Standard Webhooks, POSTed through `enhancer.net`.

`enhancer.net` refuses private addresses (unless `ENHANCER_ALLOW_PRIVATE_URLS`), pins the checked
address, keeps a total deadline and follows no redirect: an endpoint cannot point the desk at the
office network. A 2xx delivers; anything else is tried again later (`retries`) or given up. Only
the status code and a plain message are kept: never the secret, never the receiver's body.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from enhancer.models import DeliveryState, WebhookDelivery, WebhookEndpoint
from enhancer.net import Deadline, OutboundError, outbound, pinned_session, request
from enhancer.webhooks import claims, retries

log = logging.getLogger(__name__)

SEND_SECONDS = 15.0  # the total deadline of one send; well inside claims.LEASE_SECONDS
CONNECT_SECONDS = 5.0
PLAIN = {
    outbound.MSG_REDIRECTS: "The endpoint answered with a redirect; webhooks do not follow redirects.",
    outbound.MSG_NO_ANSWER: "The endpoint did not answer in time.",
    outbound.MSG_TOO_SLOW: "The endpoint did not answer in time.",
    outbound.MSG_NO_CONNECTION: "Could not connect to the endpoint.",
}
MSG_TURNED_OFF = "Turned off: every delivery failed for a day. Fix the endpoint, then turn it on again."


def signed_headers(secret: str, msg_id: str, body: str, at: datetime) -> dict[str, str]:
    """The three Standard Webhooks headers for `body`."""
    return {
        "content-type": "application/json",
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": Webhook(secret).sign(msg_id, at, body),
    }


def post(endpoint: WebhookEndpoint, delivery: WebhookDelivery) -> tuple[int | None, str]:
    """One attempt: (status code or None, a plain error or "")."""
    body = json.dumps(delivery.payload, separators=(",", ":"))
    headers = signed_headers(endpoint.secret, delivery.msg_id, body, timezone.now())
    deadline = Deadline(SEND_SECONDS)
    try:
        with deadline:
            response = request(
                pinned_session(),
                deadline,
                "POST",
                endpoint.url,
                allow_private=bool(settings.ENHANCER_ALLOW_PRIVATE_URLS),
                connect_timeout=CONNECT_SECONDS,
                read_timeout=SEND_SECONDS,
                data=body.encode(),
                headers=headers,
            )
            response.close()  # the receiver's answer is not read: only its status matters
    except OutboundError as error:
        return None, PLAIN.get(error.message, error.message)
    if 200 <= response.status_code < 300:
        return response.status_code, ""
    return response.status_code, f"The endpoint answered {response.status_code}."


def deliver_claimed(token: str) -> int:
    """Send every delivery `token` still holds; how many were delivered."""
    delivered = 0
    for delivery in claims.claimed(token):
        if not claims.still_ours(delivery.pk, token):  # given up, or its endpoint turned off, meanwhile
            continue
        status_code, error = post(delivery.endpoint, delivery)
        if record(delivery, token, status_code, error):
            delivered += 1
    return delivered


def record(delivery: WebhookDelivery, token: str, status_code: int | None, error: str) -> bool:
    """Write the attempt's outcome under our lease (a lost lease changes nothing); True if delivered."""
    now = timezone.now()
    attempts = delivery.attempts + 1
    mine = WebhookDelivery.objects.filter(pk=delivery.pk, lease_token=token, state=DeliveryState.PENDING)
    endpoint = delivery.endpoint
    fields: dict = {
        "attempts": attempts,
        "last_status_code": status_code,
        "last_error": error[:300],
        "lease_token": "",
        "lease_until": None,
    }
    with transaction.atomic():
        if not error:
            mine.update(state=DeliveryState.DELIVERED, delivered_at=now, **fields)
            WebhookEndpoint.objects.filter(pk=endpoint.pk).update(failing_since=None)
            return True
        due = retries.next_try(attempts, now, delivery.created_at)
        if due is None:
            mine.update(state=DeliveryState.GIVEN_UP, **fields)
        else:
            mine.update(due_at=due, **fields)
        WebhookEndpoint.objects.filter(pk=endpoint.pk, failing_since__isnull=True).update(failing_since=now)
        endpoint.refresh_from_db(fields=["failing_since"])
        if retries.should_turn_off(endpoint.failing_since, now):
            turn_off(endpoint.pk, MSG_TURNED_OFF)
    log.info(
        "Webhook %s to endpoint %s failed (attempt %s): %s", delivery.msg_id, endpoint.pk, attempts, error
    )
    return False


def turn_off(endpoint_id: int, reason: str) -> None:
    """Stop an endpoint: no more sends; its waiting deliveries are given up with the reason."""
    WebhookEndpoint.objects.filter(pk=endpoint_id).update(active=False, turned_off_reason=reason)
    WebhookDelivery.objects.filter(endpoint_id=endpoint_id, state=DeliveryState.PENDING).update(
        state=DeliveryState.GIVEN_UP, last_error=reason[:300], lease_token="", lease_until=None
    )
