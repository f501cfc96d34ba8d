"""Who a personal API token acts as: made once, kept as a hash, checked by a lookup of that hash."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from django.contrib.auth.models import User
from django.db.models import Q
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from enhancer.models import ApiToken

TOKEN_PREFIX = "edk_"
VISIBLE_CHARS = 6  # after TOKEN_PREFIX: enough to tell a person's tokens apart, too few to guess with
LAST_USED_EVERY = timedelta(minutes=1)  # at most one write a minute per token, however busy the script


@sensitive_variables("raw")
def hash_of(raw: str) -> str:
    """The sha256 hex kept in place of the token (the token is random, so no salt or slow hash)."""
    return hashlib.sha256(raw.encode()).hexdigest()


@sensitive_variables("raw")
def make_token(user: User, name: str, expires_at: datetime | None = None) -> tuple[ApiToken, str]:
    """A new token for `user`: the row, and the raw token to show once (it is never stored)."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=raw[: len(TOKEN_PREFIX) + VISIBLE_CHARS],
        token_hash=hash_of(raw),
        expires_at=expires_at,
    )
    return token, raw


@sensitive_variables("raw")
def person_for_token(raw: str | None) -> User | None:
    """The active person a working token acts as, or None; records when the token was last used."""
    if not raw or not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
        return None
    token = ApiToken.objects.working().select_related("user").filter(token_hash=hash_of(raw)).first()
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or token.last_used_at <= now - LAST_USED_EVERY:
        ApiToken.objects.filter(pk=token.pk).filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - LAST_USED_EVERY)
        ).update(last_used_at=now)
    return token.user
