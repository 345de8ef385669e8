"""Database triggers that refuse UPDATE and DELETE on the append-only tables.

The application already refuses to change these rows; the triggers make the database refuse
too, so that no staff tool or stray query can rewrite the audit trail or the receipt chain.
On SQLite (development only) just UPDATE is refused: its test-database flush deletes rows one
by one, where PostgreSQL truncates.
"""

from django.db import migrations

TABLES = ["petitions_identityaccess", "petitions_receipt", "petitions_caseevent"]


def create_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table in TABLES:
        if vendor == "postgresql":
            schema_editor.execute(
                """
                CREATE OR REPLACE FUNCTION sunshine_refuse_change() RETURNS trigger AS $$
                BEGIN RAISE EXCEPTION 'append-only table %', TG_TABLE_NAME; END; $$ LANGUAGE plpgsql;
                """,
                params=None,  # the % above is PL/pgSQL's, not a query parameter
            )
            schema_editor.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION sunshine_refuse_change();"
            )
        elif vendor == "sqlite":
            schema_editor.execute(
                f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
                f"BEGIN SELECT RAISE(ABORT, 'append-only table {table}'); END;"
            )


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table in TABLES:
        if vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};")
        elif vendor == "sqlite":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_update;")


class Migration(migrations.Migration):
    dependencies = [("petitions", "0001_initial")]
    operations = [migrations.RunPython(create_triggers, drop_triggers)]
