"""What the JSON API answers with: typed shapes, so the OpenAPI schema says exactly what is sent."""

from __future__ import annotations

from datetime import date, datetime

from ninja import Schema


class Error(Schema):
    """Every refusal: 401 no working token, 403 not allowed, 404 not found, 409 refused, 422 bad input."""

    detail: str


class Photo(Schema):
    id: int
    status: str
    label: str
    message: str
    model: str
    person: str
    link: str | None  # the image link sent; None for an uploaded photo (its link is our own, private)
    upload_name: str
    batch_id: int | None
    exif: bool
    dpi: int | None
    created_at: datetime
    finished_at: datetime | None
    estimated_coins: int | None
    coins: int  # what the ledger charged for it
    terminal: bool
    can_cancel: bool
    can_resume: bool
    result_ready: bool


class PhotoPage(Schema):
    items: list[Photo]
    next_cursor: str | None
    next: str | None


class NewPhotos(Schema):
    img_urls: list[str]
    model: str
    exif: bool = False
    dpi: int | None = None


class Created(Schema):
    photos: list[Photo]
    batch_id: int | None
    skipped: list[str]  # links left out, in plain words (the others were sent)


class BatchTotals(Schema):
    count: int
    done: int
    problems: int
    working: int
    coins: int
    estimated: int
    finished: bool


class Batch(Schema):
    id: int
    model: str
    person: str
    created_at: datetime
    totals: BatchTotals


class BatchDetail(Batch):
    photos: list[Photo]


class BatchPage(Schema):
    items: list[Batch]
    next_cursor: str | None
    next: str | None


class NewShare(Schema):
    days: int
    keep_details: bool = False


class Share(Schema):
    id: int
    photo_id: int
    url: str
    state: str
    live: bool
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    views: int
    keep_details: bool


class SharePage(Schema):
    items: list[Share]
    next_cursor: str | None
    next: str | None


class Tally(Schema):
    name: str
    coins: int
    count: int


class DayCoins(Schema):
    day: date
    coins: int


class CoinUsage(Schema):
    first: date
    last: date
    total: int
    count: int
    estimated: int
    by_day: list[DayCoins]
    by_model: list[Tally]
    by_person: list[Tally] | None  # reviewers and admins only


class Balance(Schema):
    expected_balance: int  # coins bought (top-ups) less coins HitPaw charged
