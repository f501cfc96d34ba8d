"""UPDATEs Django builds once per shape, then runs with each call's own values.

The pipeline runs a handful of UPDATEs thousands of times: a status change, a lease renewal, a
hand-back (the read each step starts with is built once too, in step_read.py). Building one costs
Django ten times the CPU of running it (0.6 ms against 0.05 ms on SQLite, docs/benchmarks.md).
Here Django still builds each from the model, once per shape: which fields are set and tested,
and which expressions (`Now()`, `F("n") + 1`) they use. A call then only fills in its values, each
prepared by its field as Django prepares it.
"""

from __future__ import annotations

import threading

from django.db import connections
from django.db.models import Expression, Model, QuerySet
from django.db.models.sql import UpdateQuery

# The pipeline has a few dozen shapes; one with a delay of its own (`claims.db_now_plus(backoff)`)
# is a shape of its own too, so the cache is bounded.
MAX_SHAPES = 512
_built: dict[tuple, tuple[str, list]] = {}
_lock = threading.Lock()


class _Slot(Expression):
    """One value of the call: compiles to a placeholder whose parameter is filled in per call."""

    def __init__(self, index: int, field) -> None:
        super().__init__(output_field=field)
        self.index = index

    def as_sql(self, compiler, connection):
        return "%s", [self]


def update(model: type[Model], where: dict, values: dict, using: str = "default") -> int:
    """`model.objects.filter(**where).update(**values)`, built once per shape; the rows changed."""
    sql, params = update_statement(model, where, values, using)
    with connections[using].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def update_statement(
    model: type[Model], where: dict, values: dict, using: str = "default"
) -> tuple[str, list]:
    """The SQL and parameters of that update.

    Set values, and tests of equality against a number or text, are filled in per call; other
    tests (`__in` a list, `__isnull`, against an expression) are part of the shape.
    """
    connection = connections[using]
    where_shape = tuple((name, *_where_kind(name, value)) for name, value in where.items())
    value_shape = tuple((name, value if _is_expression(value) else None) for name, value in values.items())
    key = (connection.vendor, model._meta.label, where_shape, value_shape)
    built = _built.get(key)
    if built is None:
        built = _build(model, where, values, connection)
        with _lock:
            if len(_built) >= MAX_SHAPES:  # shapes that vary (a random backoff): start afresh
                _built.clear()
            _built[key] = built
    sql, template = built
    given = (*where.values(), *values.values())
    return sql, [_fill(param, given, connection) for param in template]


def _where_kind(name: str, value) -> tuple:
    if _fills_in(name, value):
        return ("value", None)
    return ("fixed", value if _is_expression(value) else _hashable(value))


def _fills_in(name: str, value) -> bool:
    """A test that takes its value per call: equality with a number or text (never None)."""
    return "__" not in name and isinstance(value, int | str) and not isinstance(value, bool)


def _is_expression(value) -> bool:
    return hasattr(value, "resolve_expression")


def _hashable(value):
    return tuple(value) if isinstance(value, list | set) else value


def _build(model: type[Model], where: dict, values: dict, connection) -> tuple[str, list]:
    """Let Django build the UPDATE, with a slot wherever a call brings its own value."""
    fields = model._meta
    index = 0
    slotted_where = {}
    for name, value in where.items():
        if _fills_in(name, value):
            field = fields.pk if name == "pk" else fields.get_field(name)
            value = _Slot(index, field)
        slotted_where[name] = value
        index += 1
    slotted_values = {}
    for name, value in values.items():
        slotted_values[name] = value if _is_expression(value) else _Slot(index, fields.get_field(name))
        index += 1
    return compile_update(model._default_manager.filter(**slotted_where), slotted_values, connection)


def compile_update(queryset: QuerySet, values: dict, connection) -> tuple[str, list]:
    """The SQL and parameters `queryset.update(**values)` runs (the model's own fields only)."""
    query = queryset.query.chain(UpdateQuery)
    query.add_update_values(values)
    query.clear_select_clause()
    if query.related_updates:
        raise ValueError("statements update only the model's own fields")
    sql, params = query.get_compiler(connection=connection).as_sql()
    return sql, list(params)


def _fill(param, given: tuple, connection):
    if isinstance(param, _Slot):
        return param.output_field.get_db_prep_save(given[param.index], connection=connection)
    return param


# --- SELECTs, built once the same way --------------------------------------------------------------
# Every form POST reads the model catalogue: 0.6 ms of CPU through a queryset here, 0.2 ms built
# once (docs/benchmarks.md, end to end). A handful of shapes, all fixed in the code.
_built_selects: dict[tuple, tuple] = {}


def select(model: type[Model], where: dict, using: str = "default") -> list[Model]:
    """`list(model.objects.filter(**where))` (its default ordering), built once per shape."""
    connection = connections[using]
    where_shape = tuple((name, *_where_kind(name, value)) for name, value in where.items())
    key = (connection.vendor, model._meta.label, where_shape)
    built = _built_selects.get(key)
    if built is None:
        built = _built_selects[key] = _build_select(model, where, connection)
    sql, template, attnames, converters = built
    given = tuple(where.values())
    with connection.cursor() as cursor:
        cursor.execute(sql, [_fill(param, given, connection) for param in template])
        rows = cursor.fetchall()
    return [model.from_db(using, attnames, converted(row, converters, connection)) for row in rows]


def converted(row: tuple, converters: dict, connection) -> list:
    """A row as a queryset gives it (SQLite's text times as datetimes, its 0/1 as booleans), from
    the compiler's `get_converters`, kept with a statement built once."""
    row = list(row)
    for position, (functions, expression) in converters.items():
        for convert in functions:
            row[position] = convert(row[position], expression, connection)
    return row


def _build_select(model: type[Model], where: dict, connection) -> tuple:
    slotted = {
        name: _Slot(index, model._meta.pk if name == "pk" else model._meta.get_field(name))
        if _fills_in(name, value)
        else value
        for index, (name, value) in enumerate(where.items())
    }
    compiler = model._default_manager.filter(**slotted).query.get_compiler(connection=connection)
    sql, params = compiler.as_sql()
    columns = [column for column, _, _ in compiler.select[: compiler.col_count]]
    attnames = [column.target.attname for column in columns]
    if attnames != [field.attname for field in model._meta.concrete_fields]:
        raise RuntimeError(f"{model.__name__}'s SELECT does not read its own columns in order")
    return sql, list(params), attnames, compiler.get_converters(columns)
