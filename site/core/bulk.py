"""Writing many rows at once, without a model object or an expression per row.

    update_rows(Comment, ["campaign", "campaign_addition"], [(pk, campaign_id, addition), ...])
    insert_rows(ThemeMembership, ["theme", "comment", "similarity"], [(theme_id, comment_id, 0.8), ...])

`QuerySet.bulk_update` builds a `CASE WHEN pk = … THEN …` expression per row and field and resolves each
through the ORM: 127 s of CPU for the 381,286 comments a full clustering run links to their campaigns, most of
it in `resolve_expression`. `update_rows` sends the values as one `VALUES` list a batch and joins it in one
statement (`UPDATE table SET ... FROM (VALUES ...) AS v WHERE table.pk = v.pk`), which PostgreSQL and SQLite
(3.33+) both run. `insert_rows` likewise inserts plain tuples with one multi-row `INSERT` a batch,
skipping rows that conflict with a unique constraint, where `bulk_create` builds a model instance per row.

Values are converted as the ORM would save them (`Field.get_db_prep_save`); no signals are sent and `save()`
is not called, as with `bulk_update` and `bulk_create`. Database triggers run as for any write.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import islice

from django.db import connections, router
from django.db.models import Model
from django.utils import timezone

# PostgreSQL takes at most 65,535 parameters a statement and SQLite 32,766: a batch stays below both.
MAX_PARAMETERS = 30_000


def _batches(rows: Iterable[tuple], size: int) -> Iterable[list[tuple]]:
    iterator = iter(rows)
    while batch := list(islice(iterator, size)):
        yield batch


def _parameters(columns: Sequence, batch: list[tuple], connection, constant: tuple = ()) -> list:
    """The batch's values in order, each as the ORM would save it to its column (`constant` ends every row)."""
    return [
        field.get_db_prep_save(value, connection)
        for row in batch
        for field, value in zip(columns, tuple(row) + constant, strict=True)
    ]


def update_rows(model: type[Model], fields: Sequence[str], rows: Iterable[tuple], *, batch_size: int = 5000) -> int:
    """Set `fields` of the rows whose primary key is each tuple's first value to its other values, in
    order. Returns the number of rows updated."""
    using = router.db_for_write(model)
    connection = connections[using]
    quote = connection.ops.quote_name
    pk = model._meta.pk
    targets = [model._meta.get_field(name) for name in fields]
    columns = [pk, *targets]
    postgres = connection.vendor == "postgresql"
    # PostgreSQL names the VALUES columns and casts the first row (a parameter alone has no type); SQLite calls
    # them column1, column2, … and has no column types to cast to (CAST AS datetime would make a number).
    names = (
        ["pk", *(f"v{n}" for n in range(len(targets)))] if postgres else [f"column{n + 1}" for n in range(len(columns))]
    )
    alias = f"v ({', '.join(names)})" if postgres else "v"
    first = (
        "("
        + ", ".join(f"CAST(%s AS {field.cast_db_type(connection)})" if postgres else "%s" for field in columns)
        + ")"
    )
    other = "(" + ", ".join(["%s"] * len(columns)) + ")"
    table = quote(model._meta.db_table)
    assignments = ", ".join(f"{quote(field.column)} = v.{name}" for field, name in zip(targets, names[1:], strict=True))
    size = max(1, min(batch_size, MAX_PARAMETERS // len(columns)))
    updated = 0
    with connection.cursor() as cursor:
        for batch in _batches(rows, size):
            values = ", ".join([first, *([other] * (len(batch) - 1))])
            cursor.execute(
                f"UPDATE {table} SET {assignments} FROM (VALUES {values}) AS {alias} "  # noqa: S608 -- quoted names
                f"WHERE {table}.{quote(pk.column)} = v.{names[0]}",
                _parameters(columns, batch, connection),
            )
            updated += cursor.rowcount
    return updated


def insert_rows(
    model: type[Model], fields: Sequence[str], rows: Iterable[tuple], *, batch_size: int = 5000, ignore_conflicts=False
) -> int:
    """Insert a row of `fields` for each tuple (no primary key given: the database assigns it). A field left
    out takes what a new model instance would (`Field.get_default`: its default, "" or None), or the time of the
    call for `auto_now`/`auto_now_add`: one value for every row of the call. Returns the number of rows inserted
    (those skipped on a conflict are not counted)."""
    using = router.db_for_write(model)
    connection = connections[using]
    quote = connection.ops.quote_name
    given = [model._meta.get_field(name) for name in fields]
    now = timezone.now()
    left = [
        (
            field,
            now if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False) else field.get_default(),
        )
        for field in model._meta.concrete_fields
        if field not in given and not field.primary_key
    ]
    columns = given + [field for field, _value in left]
    constant = tuple(value for _field, value in left)
    size = max(1, min(batch_size, MAX_PARAMETERS // len(columns)))
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    head = f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(field.column) for field in columns)}) VALUES "  # noqa: S608 -- quoted names, values as parameters
    tail = " ON CONFLICT DO NOTHING" if ignore_conflicts else ""
    inserted = 0
    with connection.cursor() as cursor:
        for batch in _batches(rows, size):
            cursor.execute(
                head + ", ".join([one] * len(batch)) + tail, _parameters(columns, batch, connection, constant)
            )
            inserted += cursor.rowcount
    return inserted


def analyze(*models: type[Model]) -> None:
    """Refresh PostgreSQL's statistics of these tables, after a bulk write changed much of them, so that the next
    reads are planned on what they now hold rather than waiting for autovacuum's next analyze (minutes, and never
    where it is off). Outside a transaction only (it would hold its locks); a no-op elsewhere and on SQLite."""
    using = router.db_for_write(models[0])
    connection = connections[using]
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE " + ", ".join(quote(model._meta.db_table) for model in models))
