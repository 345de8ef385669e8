"""Tallies of comments kept by database triggers (see consultations.models.Tally and consultations.tallies).

Every insert, update and delete of a comment or a theme membership appends rows of +n / -n to the tallies in
the same transaction, whatever wrote it: a service, a bulk update, the clustering adapter, an import. On
PostgreSQL the triggers run once per statement over its transition tables (a bulk insert of 5,000 comments
appends one aggregated row per key); on SQLite once per row. Writers of memberships hold the draft's lock
exclusively, writers of a comment's counted columns share it (advisory, to the end of the transaction), so a
membership written while its comment is moderated, or two of one comment's memberships written at once, are
counted against the comment as committed; comment submission takes no lock.
Existing comments are counted by `consultations.tallies.recount` at the end.
"""

from django.db import migrations, models


COMMENT = "consultations_comment"
MEMBERSHIP = "consultations_thememembership"
VISIBLE = "('published', 'approved')"
TABLES = {
    "consultations_commenttally": "draft_id, provision_id, campaign_id, status, stance, themed, added",
    "consultations_themetally": "draft_id, theme_id, provision_id, campaign_id, status, stance",
    "consultations_hourtally": "draft_id, hour",
    "consultations_commentertally": "draft_id, author",
}


def _author(c: str) -> str:
    return (
        f"CASE WHEN {c}.author_id IS NOT NULL THEN 'u' || {c}.author_id "
        f"WHEN {c}.external_author <> '' THEN 'x' || {c}.external_author END"
    )


def _comment_keys(c: str, vendor: str) -> dict[str, tuple[str, str]]:
    """Per tally: the key expressions of comment row `c`, and the condition for it to count."""
    themed = f"EXISTS (SELECT 1 FROM {MEMBERSHIP} tm WHERE tm.comment_id = {c}.id)"
    if vendor == "postgresql":
        hour = f"date_trunc('hour', {c}.created_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'"
    else:
        hour = f"strftime('%Y-%m-%d %H:00:00', {c}.created_at)"
    return {
        "consultations_commenttally": (
            f"{c}.draft_id, {c}.provision_id, {c}.campaign_id, {c}.status, {c}.stance, {themed}, "
            f"{c}.campaign_addition <> ''",
            "",
        ),
        "consultations_hourtally": (f"{c}.draft_id, {hour}", f"{c}.status IN {VISIBLE}"),
        "consultations_commentertally": (
            f"{c}.draft_id, {_author(c)}",
            f"{c}.status IN {VISIBLE} AND {_author(c)} IS NOT NULL",
        ),
    }


def _insert(table: str, parts: list[str], *, having: bool) -> str:
    """Append the summed deltas of `parts` (SELECT keys…, n) to `table`."""
    keys = TABLES[table]
    count = len(keys.split(","))
    group = ", ".join(str(i) for i in range(1, count + 1))
    names = ", ".join(f"k{i}" for i in range(1, count + 1))
    return (
        f"INSERT INTO {table} ({keys}, n, folded) SELECT {names}, SUM(n), FALSE FROM ("
        + " UNION ALL ".join(parts)
        + f") AS d ({names}, n) GROUP BY {group}"
        + (" HAVING SUM(n) <> 0" if having else "")
    )


def _select(keys: str, sign: int, source: str, where: str) -> str:
    return f"SELECT {keys}, {sign} FROM {source}" + (f" WHERE {where}" if where else "")


# --- PostgreSQL: statement triggers over the transition tables old_rows / new_rows ---------------------------
#
# Each trigger reads its transition tables once (a MATERIALIZED CTE of the columns the tallies need) and writes
# every tally in one statement. Theme counts depend on a comment and on its memberships, written by different
# transactions (moderation, clustering, staff): a trigger that writes memberships takes an exclusive lock on the
# draft for the transaction (pg_advisory_xact_lock), one that changes a comment's counted columns a shared one,
# and each then reads in a fresh snapshot; comment submission takes none and never waits.

LOCK = "hashtext('consultations.tally_themes')"
# consultations.tallies.bulk_writes turns the counting off for its transaction, and counts the draft again at its end
OFF = "IF current_setting('consultations.tally_triggers', true) = 'off' THEN RETURN NULL; END IF"
COLUMNS = ("draft_id", "provision_id", "campaign_id", "status", "stance")


def _projected(alias: str, prefix: str = "") -> str:
    """The columns of comment row `alias` the tallies read, named with `prefix`."""
    p = prefix
    return (
        f"{alias}.draft_id AS {p}draft_id, {alias}.provision_id AS {p}provision_id, {alias}.campaign_id AS "
        f"{p}campaign_id, {alias}.status AS {p}status, {alias}.stance AS {p}stance, {alias}.campaign_addition <> '' "
        f"AS {p}added, date_trunc('hour', {alias}.created_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS {p}hour, "
        f"{_author(alias)} AS {p}author, {alias}.status IN {VISIBLE} AS {p}visible"
    )


PG_CHANGED = (
    "(o.draft_id, o.provision_id, o.campaign_id, o.status, o.stance, o.campaign_addition <> '', o.created_at, "
    "o.author_id, o.external_author) IS DISTINCT FROM (n.draft_id, n.provision_id, n.campaign_id, n.status, "
    "n.stance, n.campaign_addition <> '', n.created_at, n.author_id, n.external_author)"
)
FIELDS = ("draft_id", "provision_id", "campaign_id", "status", "stance", "added", "hour", "author", "visible")


def _pg_comment_body(op: str) -> str:
    if op == "INSERT":
        signed = f"SELECT n.id, 1 AS sign, {_projected('n')} FROM new_rows n"
    elif op == "DELETE":
        signed = f"SELECT o.id, -1 AS sign, {_projected('o')} FROM old_rows o"
    else:
        signed = (
            "SELECT id, -1 AS sign, " + ", ".join(f"o_{f} AS {f}" for f in FIELDS) + " FROM ch UNION ALL "
            "SELECT id, 1, " + ", ".join(f"n_{f}" for f in FIELDS) + " FROM ch"
        )
    changed = (
        f"ch AS MATERIALIZED (SELECT o.id, {_projected('o', 'o_')}, {_projected('n', 'n_')} FROM old_rows o "
        f"JOIN new_rows n ON n.id = o.id WHERE {PG_CHANGED}), "
        if op == "UPDATE"
        else ""
    )
    keys = ", ".join(COLUMNS)
    statement = (
        f"WITH {changed}r AS MATERIALIZED ({signed}), "
        f"th AS MATERIALIZED (SELECT i.id, EXISTS (SELECT 1 FROM {MEMBERSHIP} tm WHERE tm.comment_id = i.id) AS themed "
        "FROM (SELECT DISTINCT id FROM r) AS i), "
        f"a AS (INSERT INTO consultations_commenttally ({keys}, themed, added, n, folded) "
        f"SELECT r.draft_id, r.provision_id, r.campaign_id, r.status, r.stance, th.themed, r.added, SUM(r.sign), FALSE "
        "FROM r JOIN th ON th.id = r.id GROUP BY 1, 2, 3, 4, 5, 6, 7 HAVING SUM(r.sign) <> 0), "
        "b AS (INSERT INTO consultations_hourtally (draft_id, hour, n, folded) SELECT draft_id, hour, SUM(sign), FALSE "
        "FROM r WHERE visible GROUP BY 1, 2 HAVING SUM(sign) <> 0), "
        "c AS (INSERT INTO consultations_commentertally (draft_id, author, n, folded) SELECT draft_id, author, "
        "SUM(sign), FALSE FROM r WHERE visible AND author IS NOT NULL GROUP BY 1, 2 HAVING SUM(sign) <> 0) "
        f"INSERT INTO consultations_themetally (draft_id, theme_id, provision_id, campaign_id, status, stance, n, folded) "
        f"SELECT r.draft_id, m.theme_id, r.provision_id, r.campaign_id, r.status, r.stance, SUM(r.sign), FALSE "
        f"FROM r JOIN {MEMBERSHIP} m ON m.comment_id = r.id GROUP BY 1, 2, 3, 4, 5, 6 HAVING SUM(r.sign) <> 0"
    )
    if op == "INSERT":  # a new comment has no theme yet: nothing to wait for
        return statement
    drafts = (
        f"SELECT DISTINCT o.draft_id AS d FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE {PG_CHANGED}"
        if op == "UPDATE"
        else "SELECT DISTINCT draft_id AS d FROM old_rows"
    )
    lock = f"PERFORM pg_advisory_xact_lock_shared({LOCK}, d::int) FROM ({drafts}) AS x ORDER BY d"
    return f"{lock};\n  {statement}"


def _pg_membership_body(op: str) -> str:
    if op == "INSERT":
        signed = "SELECT comment_id, theme_id, 1 AS sign FROM new_rows"
        themes = "SELECT theme_id FROM new_rows"
    elif op == "DELETE":
        signed = "SELECT comment_id, theme_id, -1 AS sign FROM old_rows"
        themes = "SELECT theme_id FROM old_rows"
    else:
        moved = (
            "FROM old_rows o JOIN new_rows n ON n.id = o.id "
            "WHERE (o.theme_id, o.comment_id) IS DISTINCT FROM (n.theme_id, n.comment_id)"
        )
        signed = f"SELECT o.comment_id, o.theme_id, -1 AS sign {moved} UNION ALL SELECT n.comment_id, n.theme_id, 1 {moved}"
        themes = f"SELECT o.theme_id {moved} UNION SELECT n.theme_id {moved}"
    lock = (
        f"PERFORM pg_advisory_xact_lock({LOCK}, d::int) FROM (SELECT DISTINCT t.draft_id AS d FROM "
        f"consultations_theme t WHERE t.id IN ({themes})) AS x ORDER BY d"
    )
    statement = (
        f"WITH d AS MATERIALIZED ({signed}), "
        f"c AS MATERIALIZED (SELECT c.id, {', '.join(f'c.{column}' for column in COLUMNS)}, c.campaign_addition <> '' "
        f"AS added FROM {COMMENT} c WHERE c.id IN (SELECT comment_id FROM d)), "
        # a comment whose first membership was added (k > 0 and as many now), or last one removed, changes sides
        f"w AS MATERIALIZED (SELECT comment_id, k, (SELECT COUNT(*) FROM {MEMBERSHIP} x WHERE x.comment_id = s.comment_id) "
        "AS members FROM (SELECT comment_id, SUM(sign) AS k FROM d GROUP BY comment_id) AS s WHERE k <> 0), "
        "f AS MATERIALIZED (SELECT c.*, w.k > 0 AS now_themed FROM w JOIN c ON c.id = w.comment_id "
        "WHERE (w.k > 0 AND w.members = w.k) OR (w.k < 0 AND w.members = 0)), "
        "a AS (INSERT INTO consultations_themetally (draft_id, theme_id, provision_id, campaign_id, status, stance, n, "
        "folded) SELECT c.draft_id, d.theme_id, c.provision_id, c.campaign_id, c.status, c.stance, SUM(d.sign), FALSE "
        "FROM d JOIN c ON c.id = d.comment_id GROUP BY 1, 2, 3, 4, 5, 6 HAVING SUM(d.sign) <> 0) "
        f"INSERT INTO consultations_commenttally ({', '.join(COLUMNS)}, themed, added, n, folded) "
        f"SELECT {', '.join(COLUMNS)}, themed, added, SUM(s), FALSE FROM ("
        f"SELECT {', '.join(COLUMNS)}, now_themed AS themed, added, 1 AS s FROM f UNION ALL "
        f"SELECT {', '.join(COLUMNS)}, NOT now_themed, added, -1 FROM f"
        ") AS flips GROUP BY 1, 2, 3, 4, 5, 6, 7 HAVING SUM(s) <> 0"
    )
    return f"{lock};\n  {statement}"


def _pg_statements() -> list[str]:
    statements = []
    for table, body in (("comment", _pg_comment_body), ("membership", _pg_membership_body)):
        target = COMMENT if table == "comment" else MEMBERSHIP
        for op in ("INSERT", "UPDATE", "DELETE"):
            function = f"consultations_tally_{table}_{op.lower()}"
            statements.append(
                f"CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
                f"BEGIN\n  {OFF};\n  {body(op)};\n  RETURN NULL;\nEND\n$$"
            )
            referencing = {
                "INSERT": "NEW TABLE AS new_rows",
                "DELETE": "OLD TABLE AS old_rows",
                "UPDATE": "OLD TABLE AS old_rows NEW TABLE AS new_rows",
            }[op]
            statements.append(
                f"CREATE TRIGGER {function} AFTER {op} ON {target} REFERENCING {referencing} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {function}()"
            )
    return statements


def _pg_reverse() -> list[str]:
    statements = []
    for table, target in (("comment", COMMENT), ("membership", MEMBERSHIP)):
        for op in ("insert", "update", "delete"):
            statements.append(f"DROP TRIGGER IF EXISTS consultations_tally_{table}_{op} ON {target}")
            statements.append(f"DROP FUNCTION IF EXISTS consultations_tally_{table}_{op}()")
    return statements


# --- SQLite: row triggers ------------------------------------------------------------------------------------

SQLITE_CHANGED = (
    "OLD.draft_id IS NOT NEW.draft_id OR OLD.provision_id IS NOT NEW.provision_id OR OLD.campaign_id IS NOT "
    "NEW.campaign_id OR OLD.status IS NOT NEW.status OR OLD.stance IS NOT NEW.stance OR (OLD.campaign_addition "
    "<> '') IS NOT (NEW.campaign_addition <> '') OR OLD.created_at IS NOT NEW.created_at OR OLD.author_id IS NOT "
    "NEW.author_id OR OLD.external_author IS NOT NEW.external_author"
)


def _sqlite_row(row: str, sign: int) -> list[str]:
    """The statements that count comment row `row` (NEW or OLD) with `sign`."""
    statements = []
    for table, (keys, condition) in _comment_keys(row, "sqlite").items():
        statements.append(f"INSERT INTO {table} ({TABLES[table]}, n, folded) SELECT {keys}, {sign}, 0" + (f" WHERE {condition}" if condition else ""))
    statements.append(
        f"INSERT INTO consultations_themetally ({TABLES['consultations_themetally']}, n, folded) SELECT {row}.draft_id, "
        f"m.theme_id, {row}.provision_id, {row}.campaign_id, {row}.status, {row}.stance, {sign}, 0 FROM {MEMBERSHIP} m "
        f"WHERE m.comment_id = {row}.id"
    )
    return statements


def _sqlite_member(row: str, sign: int, *, flips: bool = True) -> list[str]:
    """The statements that count membership row `row` (NEW or OLD) with `sign`, and a comment's themed flip."""
    keys = "c.draft_id, c.provision_id, c.campaign_id, c.status, c.stance"
    added = "c.campaign_addition <> ''"
    members = f"(SELECT COUNT(*) FROM {MEMBERSHIP} x WHERE x.comment_id = {row}.comment_id)"
    flipped = f"{members} = 1" if sign > 0 else f"{members} = 0"
    now = "1" if sign > 0 else "0"
    counted = [
        f"INSERT INTO consultations_themetally ({TABLES['consultations_themetally']}, n, folded) SELECT c.draft_id, "
        f"{row}.theme_id, c.provision_id, c.campaign_id, c.status, c.stance, {sign}, 0 FROM {COMMENT} c "
        f"WHERE c.id = {row}.comment_id",
    ]
    if not flips:
        return counted
    return counted + [
        f"INSERT INTO consultations_commenttally ({TABLES['consultations_commenttally']}, n, folded) "
        f"SELECT {keys}, {now}, {added}, 1, 0 FROM {COMMENT} c WHERE c.id = {row}.comment_id AND {flipped} "
        f"UNION ALL SELECT {keys}, 1 - {now}, {added}, -1, 0 FROM {COMMENT} c WHERE c.id = {row}.comment_id AND {flipped}",
    ]


def _sqlite_statements() -> list[str]:
    def trigger(name, event, target, body, when=""):
        return (
            f"CREATE TRIGGER {name} AFTER {event} ON {target} FOR EACH ROW" + (f" WHEN {when}" if when else "")
            + " BEGIN " + "; ".join(body) + "; END"
        )

    return [
        trigger("consultations_tally_comment_insert", "INSERT", COMMENT, _sqlite_row("NEW", 1)),
        trigger(
            "consultations_tally_comment_update", "UPDATE", COMMENT, _sqlite_row("OLD", -1) + _sqlite_row("NEW", 1), SQLITE_CHANGED
        ),
        trigger("consultations_tally_comment_delete", "DELETE", COMMENT, _sqlite_row("OLD", -1)),
        trigger("consultations_tally_membership_insert", "INSERT", MEMBERSHIP, _sqlite_member("NEW", 1)),
        trigger(
            "consultations_tally_membership_update",
            "UPDATE",
            MEMBERSHIP,
            _sqlite_member("OLD", -1, flips=False) + _sqlite_member("NEW", 1, flips=False),
            "OLD.theme_id IS NOT NEW.theme_id AND OLD.comment_id IS NEW.comment_id",
        ),
        trigger(
            "consultations_tally_membership_move",
            "UPDATE",
            MEMBERSHIP,
            _sqlite_member("OLD", -1) + _sqlite_member("NEW", 1),
            "OLD.comment_id IS NOT NEW.comment_id",
        ),
        trigger("consultations_tally_membership_delete", "DELETE", MEMBERSHIP, _sqlite_member("OLD", -1)),
    ]


def _sqlite_reverse() -> list[str]:
    return [
        f"DROP TRIGGER IF EXISTS consultations_tally_{table}_{op}"
        for table in ("comment", "membership")
        for op in ("insert", "update", "delete")
    ] + ["DROP TRIGGER IF EXISTS consultations_tally_membership_move"]


def create_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = {"postgresql": _pg_statements, "sqlite": _sqlite_statements}.get(vendor, list)()
    for statement in statements:
        schema_editor.execute(statement, params=None)


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for statement in {"postgresql": _pg_reverse, "sqlite": _sqlite_reverse}.get(vendor, list)():
        schema_editor.execute(statement, params=None)


def create_indexes(apps, schema_editor):
    """A theme's members in the order its page shows them, a page at a time (PostgreSQL: SQLite refuses NULLS LAST
    in an index, and the embedded database serves small drafts)."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX membership_order ON {MEMBERSHIP} (theme_id, similarity DESC NULLS LAST, comment_id)"
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS membership_order")


def count_existing(apps, schema_editor):
    """The comments already there, counted once (a few seconds for 400,000)."""
    from consultations.tallies import recount_all

    recount_all(using=schema_editor.connection.alias)


class Migration(migrations.Migration):

    dependencies = [
        ('consultations', '0005_comment_imported_source_index'),
    ]

    operations = [
        migrations.CreateModel(
            name='CommenterTally',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('draft_id', models.BigIntegerField()),
                ('n', models.IntegerField()),
                ('folded', models.BooleanField(default=False)),
                ('author', models.CharField(max_length=90)),
            ],
        ),
        migrations.CreateModel(
            name='CommentTally',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('draft_id', models.BigIntegerField()),
                ('n', models.IntegerField()),
                ('folded', models.BooleanField(default=False)),
                ('provision_id', models.BigIntegerField(null=True)),
                ('campaign_id', models.BigIntegerField(null=True)),
                ('status', models.CharField(max_length=10)),
                ('stance', models.CharField(max_length=10)),
                ('themed', models.BooleanField()),
                ('added', models.BooleanField()),
            ],
        ),
        migrations.CreateModel(
            name='HourTally',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('draft_id', models.BigIntegerField()),
                ('n', models.IntegerField()),
                ('folded', models.BooleanField(default=False)),
                ('hour', models.DateTimeField()),
            ],
        ),
        migrations.CreateModel(
            name='ThemeTally',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('draft_id', models.BigIntegerField()),
                ('n', models.IntegerField()),
                ('folded', models.BooleanField(default=False)),
                ('theme_id', models.BigIntegerField()),
                ('provision_id', models.BigIntegerField(null=True)),
                ('campaign_id', models.BigIntegerField(null=True)),
                ('status', models.CharField(max_length=10)),
                ('stance', models.CharField(max_length=10)),
            ],
        ),
        migrations.AddIndex(
            model_name='commentertally',
            index=models.Index(fields=['draft_id', 'author'], name='commentertally_draft'),
        ),
        migrations.AddIndex(
            model_name='commentertally',
            index=models.Index(condition=models.Q(('folded', False)), fields=['draft_id'], name='commentertally_unfolded'),
        ),
        migrations.AddIndex(
            model_name='commentertally',
            index=models.Index(condition=models.Q(('folded', True), ('n__gt', 0)), fields=['draft_id'], name='commentertally_counted'),
        ),
        migrations.AddIndex(
            model_name='commenttally',
            index=models.Index(fields=['draft_id'], name='commenttally_draft'),
        ),
        migrations.AddIndex(
            model_name='commenttally',
            index=models.Index(condition=models.Q(('folded', False)), fields=['draft_id'], name='commenttally_unfolded'),
        ),
        migrations.AddIndex(
            model_name='hourtally',
            index=models.Index(fields=['draft_id'], name='hourtally_draft'),
        ),
        migrations.AddIndex(
            model_name='hourtally',
            index=models.Index(condition=models.Q(('folded', False)), fields=['draft_id'], name='hourtally_unfolded'),
        ),
        migrations.AddIndex(
            model_name='themetally',
            index=models.Index(fields=['draft_id'], name='themetally_draft'),
        ),
        migrations.AddIndex(
            model_name='themetally',
            index=models.Index(fields=['theme_id'], name='themetally_theme'),
        ),
        migrations.AddIndex(
            model_name='themetally',
            index=models.Index(condition=models.Q(('folded', False)), fields=['draft_id'], name='themetally_unfolded'),
        ),
        migrations.RunPython(create_indexes, drop_indexes),
        migrations.RunPython(create_triggers, drop_triggers),
        migrations.RunPython(count_existing, migrations.RunPython.noop),
    ]
