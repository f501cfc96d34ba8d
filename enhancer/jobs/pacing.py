"""When each new photo of a person is let go: at most ENHANCER_SUBMISSIONS_PER_MINUTE a minute.

The rate decides how fast photos are sent, not whether they are taken: a paste of 500 links is one
batch, its first photos due at once and the rest waiting their turn (queued, due later). Photos are
let go in groups at least a minute apart, each group no bigger than the rate, so no minute holds
more than the rate. Every time is the database's clock (as the pipeline's are).

A person's photos already let go in the last minute count against the first group. When they were
let go is read from their deadline, which is set from that moment (and set again, later, by the
paid call): it is never earlier than the real moment, so a photo is at worst held back a little
longer, never sent early. Call inside the transaction that saves the photos, after the person's row
is locked (`intake.check_limits`), so two submissions at once cannot take the same turn.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import NamedTuple

from django.conf import settings
from django.db.models import Max, Q
from django.db.models.expressions import Combinable
from django.db.models.functions import Now
from django.utils import timezone

from enhancer.models import Job, JobStatus

MINUTE = timedelta(minutes=1)

# Taken, and not let go yet: a photo waiting its turn (no step has run, nothing tried yet).
WAITING = Q(
    status__in=(JobStatus.QUEUED, JobStatus.SUBMITTING),
    attempts=0,
    submit_started_at__isnull=True,
    due_at__gt=Now(),
)


class Turn(NamedTuple):
    """When a photo is due and its deadline (values or database expressions); `later`: not at once."""

    due_at: datetime | Combinable
    deadline_at: datetime | Combinable
    later: bool


class Pacer:
    """Hands out due times, person by person, for the photos of one submission (or one retry)."""

    def __init__(self) -> None:
        self.rate = settings.ENHANCER_SUBMISSIONS_PER_MINUTE
        self._turns: dict[int, list] = {}  # person -> [start (None: the database's now), minutes, room]

    def next_turn(self, user) -> Turn:
        """The due time and deadline of the person's next photo."""
        turn = self._turns.get(user.pk) or self._first_turn(user)
        start, minutes, room = turn
        if room <= 0:
            minutes, room = minutes + 1, self.rate
        self._turns[user.pk] = [start, minutes, room - 1]
        deadline = timedelta(seconds=settings.ENHANCER_JOB_DEADLINE_SECONDS)
        if start is None:
            due = Now() + MINUTE * minutes if minutes else Now()
            return Turn(due, Now() + (MINUTE * minutes + deadline), minutes > 0)
        due = start + MINUTE * minutes
        return Turn(due, due + deadline, True)

    def _first_turn(self, user) -> list:
        """Join the last waiting group if it has room (after it otherwise); with none, start now."""
        mine = Job.objects.filter(user=user)
        last: datetime | None = mine.filter(WAITING).aggregate(last=Max("due_at"))["last"]
        if last is not None:
            in_last_group = mine.filter(WAITING, due_at__gt=last - MINUTE).count()
            return [last, 0, self.rate - in_last_group]
        return [None, 0, self.rate - _let_go_in_the_last_minute(mine)]


def _let_go_in_the_last_minute(mine) -> int:
    """The person's photos let go (due, or on their way) in the last minute; canceled ones never went."""
    deadline = timedelta(seconds=settings.ENHANCER_JOB_DEADLINE_SECONDS)
    recent = Q(deadline_at__gt=Now() + (deadline - MINUTE)) | Q(created_at__gt=timezone.now() - MINUTE)
    return mine.filter(recent).exclude(WAITING).exclude(status=JobStatus.CANCELED).count()
