"""The read every pipeline step starts with, its SQL built once per process.

A job is read about four times in its life, and a queryset builds the same SELECT anew every time,
and sorts out its columns anew: 2–3 ms of CPU here, more than running it (docs/benchmarks.md).
Django still builds it, once, from the model (so it always names the current columns), and says
once which column is which and how each converts; each step then runs it with the job's id.
The job comes with the database's clock (`db_now`) and its model's kind and scale, all a step needs.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from django.db import connections
from django.db.models import F
from django.db.models.functions import Now

from enhancer.jobs import statements
from enhancer.models import EnhanceModel, Job


def job_for_step(job_id: int) -> Job | None:
    """The job with `db_now` and `model` (its kind and scale; other fields load if asked), or None."""
    connection = connections["default"]
    read = _read(connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(read.sql, [job_id])
        rows = cursor.fetchall()
    if not rows:
        return None
    row = read.convert(rows[0], connection)
    job = Job.from_db("default", read.field_names, row[: len(read.field_names)])
    job.db_now = row[read.db_now_at]  # aware: SQLite's text converted like any DateTimeField
    known = {"id": job.model_id, "scale": row[read.scale_at], "kind": row[read.kind_at]}
    fields = [f.attname for f in EnhanceModel._meta.concrete_fields if f.attname in known]
    job.model = EnhanceModel.from_db("default", fields, [known[name] for name in fields])
    return job


@dataclass(frozen=True)
class _Read:
    sql: str
    field_names: list[str]  # the job's columns come first in each row, in this order
    db_now_at: int
    scale_at: int
    kind_at: int
    converters: dict

    def convert(self, row: tuple, connection) -> list:
        """The row as the ORM gives it (SQLite's text times as datetimes, its 0/1 as booleans)."""
        return statements.converted(row, self.converters, connection)


@functools.cache
def _read(vendor: str) -> _Read:
    """The SELECT Django builds for the step's read, with a placeholder for the job's id.

    Built as a queryset would run it, and its row read as a queryset reads it (the compiler's
    column order and converters), minus the building on every call.
    """
    query = (
        Job.objects.annotate(
            db_now=Now(), step_model_scale=F("model__scale"), step_model_kind=F("model__kind")
        )
        .filter(pk=0)
        .query
    )
    compiler = query.get_compiler("default")
    sql, params = compiler.as_sql()
    if tuple(params) != (0,):
        raise RuntimeError(f"the step read has parameters {params!r}, expected only the job's id")
    select_fields = compiler.klass_info["select_fields"]
    if select_fields != list(range(len(select_fields))):
        raise RuntimeError("the step read's job columns do not come first")
    columns = [column for column, _, _ in compiler.select[: compiler.col_count]]
    at = compiler.annotation_col_map
    return _Read(
        sql=sql,
        field_names=[column.target.attname for column in columns[: len(select_fields)]],
        db_now_at=at["db_now"],
        scale_at=at["step_model_scale"],
        kind_at=at["step_model_kind"],
        converters=compiler.get_converters(columns),
    )
