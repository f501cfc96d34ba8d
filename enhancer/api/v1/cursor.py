"""Cursor pagination: newest first, each page picking up after the last row of the one before.

The cursor is that row's (created time, id), signed, so it is opaque and cannot be forged; rows
added meanwhile never shift a page the way page numbers would.
"""

from __future__ import annotations

from datetime import datetime

from django.core import signing
from django.db.models import Q
from ninja.errors import HttpError

SALT = "enhancer.api.v1.cursor"
DEFAULT_LIMIT = 20
MOST = 100
MSG_BAD_CURSOR = "That cursor is not one this API gave out. Start again without it."


def page(rows, cursor: str | None, limit: int) -> tuple[list, str | None]:
    """One page of `rows` (a queryset with `created_at`), newest first, and the next page's cursor."""
    rows = rows.order_by("-created_at", "-pk")
    if cursor:
        at, pk = _read(cursor)
        rows = rows.filter(Q(created_at__lt=at) | Q(created_at=at, pk__lt=pk))
    found = list(rows[: limit + 1])
    if len(found) <= limit:
        return found, None
    last = found[limit - 1]
    return found[:limit], signing.dumps([last.created_at.isoformat(), last.pk], salt=SALT, compress=True)


def _read(cursor: str) -> tuple[datetime, int]:
    try:
        at, pk = signing.loads(cursor, salt=SALT)
        return datetime.fromisoformat(at), int(pk)
    except (signing.BadSignature, ValueError, TypeError) as error:
        raise HttpError(422, MSG_BAD_CURSOR) from error
