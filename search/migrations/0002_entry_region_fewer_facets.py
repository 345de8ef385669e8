"""A document's type, public flag and region live in SearchEntry's columns, no longer as SearchFacet rows.

Every document had four to six facet rows for them (doc_type, public, region, and region_path: the region
and each region enclosing it); the region filter is now a prefix match on the code. Existing entries keep
their region; the rows are removed.
"""

from django.db import migrations, models

ENTRY = "sunshine_search_searchentry"
MOVED = ("doc_type", "public", "region", "region_path")


def move_to_columns(apps, schema_editor):
    entry = apps.get_model("sunshine_search", "SearchEntry")._meta.db_table
    facet = apps.get_model("sunshine_search", "SearchFacet")._meta.db_table
    schema_editor.execute(
        f"UPDATE {entry} SET region = (SELECT f.value FROM {facet} f WHERE f.entry_id = {entry}.id "  # noqa: S608
        f"AND f.field = 'region' ORDER BY f.id LIMIT 1) "
        f"WHERE EXISTS (SELECT 1 FROM {facet} f WHERE f.entry_id = {entry}.id AND f.field = 'region')"
    )
    schema_editor.execute(f"DELETE FROM {facet} WHERE field IN ({', '.join(repr(f) for f in MOVED)})")  # noqa: S608


def back_to_rows(apps, schema_editor):
    from regions.codes import ancestors

    SearchEntry = apps.get_model("sunshine_search", "SearchEntry")
    SearchFacet = apps.get_model("sunshine_search", "SearchFacet")
    last = 0
    while rows := list(
        SearchEntry.objects.filter(pk__gt=last).order_by("pk").values_list("pk", "doc_type", "public", "region")[:5000]
    ):
        facets = []
        for pk, doc_type, public, region in rows:
            facets += [SearchFacet(entry_id=pk, field="doc_type", value=doc_type)]
            facets += [SearchFacet(entry_id=pk, field="public", value="true" if public else "false")]
            if region:
                facets += [SearchFacet(entry_id=pk, field="region", value=region)]
                facets += [SearchFacet(entry_id=pk, field="region_path", value=c) for c in [*ancestors(region), region]]
        SearchFacet.objects.bulk_create(facets, batch_size=2000)
        last = rows[-1][0]


class Migration(migrations.Migration):
    dependencies = [
        ("sunshine_search", "0001_index_and_outbox"),
    ]

    operations = [
        # ALTER TABLE … ADD COLUMN on both databases: on SQLite, Django would copy the table into a new one,
        # which drops the triggers that keep the full-text table in step with it (made by 0001).
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddField(
                    model_name="searchentry",
                    name="region",
                    field=models.CharField(blank=True, default="", max_length=12),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    f"ALTER TABLE {ENTRY} ADD COLUMN region varchar(12) NOT NULL DEFAULT ''",
                    f"ALTER TABLE {ENTRY} DROP COLUMN region",
                ),
            ],
        ),
        migrations.RunPython(move_to_columns, back_to_rows),
    ]
