"""The read every pipeline step starts with, its SQL built once per process.

A job is read about four times in its life, and Django builds the same SELECT anew every time:
2–3 ms of CPU here, more than running it (docs/benchmarks.md). Django still builds it, once, from
the model (so it always names the current columns); each step then runs it with the job's id.
The job comes with the database's clock (`db_now`) and its model's kind and scale, all a step needs.
"""

from __future__ import annotations

import functools
from datetime import UTC, datetime

from django.db import connections
from django.db.models import F
from django.db.models.functions import Now
from django.utils.dateparse import parse_datetime

from enhancer.models import EnhanceModel, Job

_MODEL_FIELDS = ("id", "scale", "kind")


def job_for_step(job_id: int) -> Job | None:
    """The job with `db_now` and `model` (its kind and scale; other fields load if asked), or None."""
    rows = list(Job.objects.raw(_statement(connections["default"].vendor), [job_id]))
    if not rows:
        return None
    job = rows[0]
    job.db_now = _aware(job.db_now)
    known = {"id": job.model_id, "scale": job.step_model_scale, "kind": job.step_model_kind}
    fields = [f.attname for f in EnhanceModel._meta.concrete_fields if f.attname in known]
    job.model = EnhanceModel.from_db("default", fields, [known[name] for name in fields])
    return job


@functools.cache
def _statement(vendor: str) -> str:
    """The SELECT Django builds for the step's read, with a placeholder for the job's id."""
    query = (
        Job.objects.annotate(
            db_now=Now(), step_model_scale=F("model__scale"), step_model_kind=F("model__kind")
        )
        .filter(pk=0)
        .query
    )
    sql, params = query.sql_with_params()
    if tuple(params) != (0,):
        raise RuntimeError(f"the step read has parameters {params!r}, expected only the job's id")
    return sql


def _aware(value) -> datetime:
    """SQLite returns the clock as text: read it as UTC, as Django stores times there."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value
