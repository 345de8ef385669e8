"""How many comments a draft has, by article, campaign, status, stance, theme, hour and author, without
counting them: sums of the tallies the database keeps (consultations.models.Tally, migration 0006).

    sums(model, draft_id, by, **filters)  -> {key: n}     the few rows of one draft, summed by `by`
    fold()                                                 sum each draft's appended rows into one per key
    recount(draft_id) / recount_all()                      count again from the comments (backfill, repair)
    with bulk_writes(draft_id): …                          a bulk writer's block: not counted row by row,
                                                           counted again in one pass at its end

Writes never update a shared counter: a trigger appends a row of +n / -n per change, in the writer's
transaction, so concurrent submissions on one draft do not queue on one row's lock, and nothing that writes
comments (a service, a bulk update, clustering, an import) can forget to count. Reads sum the rows of one
draft: the folded ones (one per key: a few thousand for a draft of 400,000 comments over 80 articles) and
those appended since the last fold. `fold` runs every minute (core.schedule); it replaces a draft's rows by
their sums in one statement, so a reader sees the rows before or after it, never half.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextlib import contextmanager

from django.db import connections, transaction
from django.db.models import Model, Q, Sum

from consultations.models import CommenterTally, CommentTally, DraftPage, HourTally, ThemeTally

TALLIES: dict[type[Model], tuple[str, ...]] = {
    CommentTally: ("draft_id", "provision_id", "campaign_id", "status", "stance", "themed", "added"),
    ThemeTally: ("draft_id", "theme_id", "provision_id", "campaign_id", "status", "stance"),
    HourTally: ("draft_id", "hour"),
    CommenterTally: ("draft_id", "author"),
}
VISIBLE_SQL = "('published', 'approved')"  # consultations.models.VISIBLE_STATUSES


# --- reading ---------------------------------------------------------------------------------------------------


def sums(model: type[Model], draft_id: int | Iterable[int], by: Sequence[str], **filters) -> dict:
    """The tally's rows of one draft (or several) matching `filters`, summed by the fields `by`: {key: n},
    the key a value when `by` names one field, else a tuple; keys whose sum is 0 are left out."""
    rows = model.objects.filter(**filters)
    rows = rows.filter(draft_id=draft_id) if isinstance(draft_id, int) else rows.filter(draft_id__in=list(draft_id))
    result = {}
    for *key, n in rows.values_list(*by).annotate(total=Sum("n")).values_list(*by, "total").order_by():
        if n:
            result[key[0] if len(by) == 1 else tuple(key)] = n
    return result


def total(model: type[Model], draft_id: int, **filters) -> int:
    """The sum of the tally's rows of one draft matching `filters`."""
    return model.objects.filter(draft_id=draft_id, **filters).aggregate(total=Sum("n"))["total"] or 0


def commenters(draft_id: int) -> int:
    """People with a published comment on the draft (signed-in authors, and imported authors by name).

    Folded rows are one per author (`fold` runs one at a time per draft), so the people are counted off the
    partial index of folded rows above zero; the authors with rows appended since are then looked at alone."""
    rows = CommenterTally.objects.filter(draft_id=draft_id)
    counted = rows.filter(folded=True, n__gt=0).count()
    changed = rows.filter(folded=False).values("author")
    for before, after in (
        rows.filter(author__in=changed)
        .values("author")
        .annotate(before=Sum("n", filter=Q(folded=True)), after=Sum("n"))
        .values_list("before", "after")
        .order_by()
    ):
        counted += (after > 0) - ((before or 0) > 0)
    return counted


# --- keeping them small ----------------------------------------------------------------------------------------


def _table(model: type[Model]) -> str:
    return model._meta.db_table


def fold(*, using: str = "default") -> int:
    """Sum the rows appended to each draft's tallies into one row per key; drop the rows of deleted drafts.
    Returns the number of (tally, draft) pairs folded. Safe to run at any time, and twice at once."""
    connection = connections[using]
    folded = 0
    drafts = set(DraftPage.objects.using(using).values_list("pk", flat=True))
    for model, keys in TALLIES.items():
        table = _table(model)
        columns = ", ".join(keys)
        pending = set(model.objects.using(using).filter(folded=False).values_list("draft_id", flat=True).distinct())
        with connection.cursor() as cursor:
            for draft_id in sorted(pending):
                if draft_id not in drafts:
                    cursor.execute(f"DELETE FROM {table} WHERE draft_id = %s", [draft_id])  # noqa: S608
                    continue
                if connection.vendor == "postgresql":
                    # one statement: the rows it deletes are the rows it sums; one fold of a draft's tally at a
                    # time (a lock for the transaction), so the folded rows stay one per key
                    with transaction.atomic(using=using):
                        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s), %s)", [table, draft_id])
                        cursor.execute(
                            f"WITH gone AS (DELETE FROM {table} WHERE draft_id = %s RETURNING {columns}, n) "  # noqa: S608
                            f"INSERT INTO {table} ({columns}, n, folded) SELECT {columns}, SUM(n), TRUE FROM gone "
                            f"GROUP BY {columns} HAVING SUM(n) <> 0",
                            [draft_id],
                        )
                else:  # SQLite: one writer at a time, the transaction is enough
                    with transaction.atomic(using=using):
                        cursor.execute(f"SELECT MAX(id) FROM {table} WHERE draft_id = %s", [draft_id])  # noqa: S608
                        (last,) = cursor.fetchone()
                        cursor.execute(
                            f"INSERT INTO {table} ({columns}, n, folded) SELECT {columns}, SUM(n), 1 "  # noqa: S608
                            f"FROM {table} WHERE draft_id = %s AND id <= %s GROUP BY {columns} HAVING SUM(n) <> 0",
                            [draft_id, last],
                        )
                        cursor.execute(f"DELETE FROM {table} WHERE draft_id = %s AND id <= %s", [draft_id, last])  # noqa: S608
                folded += 1
    return folded


def _author(c: str) -> str:
    return (
        f"CASE WHEN {c}.author_id IS NOT NULL THEN 'u' || {c}.author_id "
        f"WHEN {c}.external_author <> '' THEN 'x' || {c}.external_author END"
    )


def _recount_selects(vendor: str) -> dict[type[Model], str]:
    """For each tally: the SELECT that counts one draft's comments (parameter: the draft id) as folded rows.

    The SQL here and below is built from constant table and column names only; values are parameters."""
    true = "TRUE" if vendor == "postgresql" else "1"
    if vendor == "postgresql":
        hour = "date_trunc('hour', c.created_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'"
    else:
        hour = "strftime('%%Y-%%m-%%d %%H:00:00', c.created_at)"
    membership = "consultations_thememembership"
    return {
        CommentTally: (
            "SELECT c.draft_id, c.provision_id, c.campaign_id, c.status, c.stance, "  # noqa: S608
            f"EXISTS (SELECT 1 FROM {membership} m WHERE m.comment_id = c.id), c.campaign_addition <> '', "
            f"COUNT(*), {true} FROM consultations_comment c WHERE c.draft_id = %s GROUP BY 1, 2, 3, 4, 5, 6, 7"
        ),
        ThemeTally: (
            "SELECT c.draft_id, m.theme_id, c.provision_id, c.campaign_id, c.status, c.stance, COUNT(*), "  # noqa: S608
            f"{true} FROM {membership} m JOIN consultations_comment c ON c.id = m.comment_id "
            "WHERE c.draft_id = %s GROUP BY 1, 2, 3, 4, 5, 6"
        ),
        HourTally: (
            f"SELECT c.draft_id, {hour}, COUNT(*), {true} FROM consultations_comment c "  # noqa: S608
            f"WHERE c.draft_id = %s AND c.status IN {VISIBLE_SQL} GROUP BY 1, 2"
        ),
        CommenterTally: (
            f"SELECT c.draft_id, {_author('c')}, COUNT(*), {true} FROM consultations_comment c "  # noqa: S608
            f"WHERE c.draft_id = %s AND c.status IN {VISIBLE_SQL} AND {_author('c')} IS NOT NULL GROUP BY 1, 2"
        ),
    }


THEMES_LOCK = "consultations.tally_themes"  # the draft lock of the membership triggers (migration 0006)


def recount(draft_id: int, *, using: str = "default", only: Iterable[type[Model]] | None = None) -> None:
    """Count the draft's comments again from scratch and replace its tallies (or `only` these) with the result.

    On PostgreSQL one statement deletes the old rows and inserts the new ones, so it reads one snapshot: a
    comment committed meanwhile is either in the count (and its appended row deleted) or not (and its row kept).
    It first takes the draft's lock as the membership triggers do, so no theme count is changing meanwhile.
    """
    connection = connections[using]
    selects = _recount_selects(connection.vendor)
    models = [model for model in TALLIES if only is None or model in set(only)]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with transaction.atomic(using=using):
                cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s), %s)", [THEMES_LOCK, draft_id])
                for model in models:  # no fold of these tallies meanwhile (see `fold`)
                    cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s), %s)", [_table(model), draft_id])
                _recount_statement(cursor, selects, draft_id, models)
        else:
            with transaction.atomic(using=using):
                for model in models:
                    table, keys = _table(model), TALLIES[model]
                    cursor.execute(f"DELETE FROM {table} WHERE draft_id = %s", [draft_id])  # noqa: S608
                    cursor.execute(f"INSERT INTO {table} ({', '.join(keys)}, n, folded) {selects[model]}", [draft_id])


@contextmanager
def bulk_writes(draft_id: int, *, using: str = "default", only: Iterable[type[Model]] | None = None):
    """For a transaction that writes most of a draft's comments or memberships at once (a full clustering run).

    The triggers count every write, at some 50 microseconds a row on PostgreSQL: 20 to 40 s more for a run that
    writes 400,000 memberships and relinks 120,000 comments to campaigns. Inside this block they do not count
    (PostgreSQL: for this transaction only); at its end the draft is counted again in one pass (4 to 12 s at
    400,000 comments; `only` the tallies the block changed, if given). Everything else keeps counting as usual.
    """
    connection = connections[using]
    with transaction.atomic(using=using):
        postgresql = connection.vendor == "postgresql"
        if postgresql:
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('consultations.tally_triggers', 'off', true)")
        yield
        if postgresql:
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('consultations.tally_triggers', 'on', true)")
        recount(draft_id, using=using, only=only)


def _recount_statement(cursor, selects: dict, draft_id: int, models: list[type[Model]]) -> None:
    """PostgreSQL: delete a draft's tallies and count them again in one statement (one snapshot)."""
    parts = []
    for number, model in enumerate(models):
        keys = TALLIES[model]
        table = _table(model)
        parts.append(f"d{number} AS (DELETE FROM {table} WHERE draft_id = %s)")  # noqa: S608
        parts.append(f"i{number} AS (INSERT INTO {table} ({', '.join(keys)}, n, folded) {selects[model]})")
    cursor.execute("WITH " + ", ".join(parts) + " SELECT 1", [draft_id] * (2 * len(models)))


def recount_all(*, using: str = "default", progress=None) -> int:
    """Recount every draft (and drop the tallies of drafts that no longer exist). Returns the drafts counted."""
    from django.apps import apps

    draft_model = apps.get_model("consultations", "DraftPage")
    drafts = list(draft_model.objects.using(using).order_by("pk").values_list("pk", flat=True))
    for draft_id in drafts:
        recount(draft_id, using=using)
        if progress:
            progress(draft_id)
    with connections[using].cursor() as cursor:
        for model in TALLIES:
            table = _table(model)
            cursor.execute(
                f"DELETE FROM {table} WHERE draft_id NOT IN (SELECT page_ptr_id FROM consultations_draftpage)"  # noqa: S608
            )
    return len(drafts)
