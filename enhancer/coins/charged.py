"""What the ledger says a photo cost: every charge of every submission added up, for the pages.

`Job.coins` is the current submission's charge (it says whether the photo is paid); the ledger
keeps every charge, so a photo sent again by an admin shows both. Pages read this, never `Job.coins`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypedDict

from django.db.models import IntegerField, OuterRef, QuerySet, Subquery, Sum

from enhancer.models import CoinCharge, Job

if TYPE_CHECKING:  # django-stubs-ext comes with the dev tools, for mypy only
    from django_stubs_ext import WithAnnotations


class Charged(TypedDict):
    charged: int | None


if TYPE_CHECKING:
    ChargedJob = WithAnnotations[Job, Charged]


def charged_coins() -> Subquery:
    """An annotation for Job querysets: the coins the ledger holds for each job, None if none."""
    per_job = (
        CoinCharge.objects.filter(job=OuterRef("pk")).order_by().values("job").annotate(total=Sum("coins"))
    )
    return Subquery(per_job.values("total"), output_field=IntegerField())


def with_charged(jobs: QuerySet[Job]) -> QuerySet[ChargedJob]:
    """`jobs` with `charged`: what the ledger holds for each (see `charged_coins`)."""
    return jobs.annotate(charged=charged_coins())


def charged_for_jobs(jobs: QuerySet[Job]) -> int:
    """The coins the ledger holds for all of `jobs` (a batch's photos, a filtered list)."""
    return CoinCharge.objects.filter(job__in=jobs.values("pk")).aggregate(total=Sum("coins"))["total"] or 0
