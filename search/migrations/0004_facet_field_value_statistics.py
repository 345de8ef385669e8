"""PostgreSQL: statistics on SearchFacet's field and value together.

A value means something only with its field ("5" is draft 5, or provision 5, or theme 5), and the planner, which
takes the two columns as independent, estimated a draft of 423,524 facet rows at 88,638: it then read every one
of them (a merge join) to filter a few thousand sampled or candidate entries (search.backends.bounded), instead
of looking each one up. With the combined statistics it estimates the draft right and looks the entries up.
"""

from django.db import migrations

FACET = "sunshine_search_searchfacet"


def create_statistics(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"CREATE STATISTICS IF NOT EXISTS search_facet_field_value (mcv) ON field, value FROM {FACET}")
        schema_editor.execute(f"ANALYZE {FACET}")


def drop_statistics(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP STATISTICS IF EXISTS search_facet_field_value")


class Migration(migrations.Migration):
    dependencies = [
        ("sunshine_search", "0003_clustering_state"),
    ]

    operations = [
        migrations.RunPython(create_statistics, drop_statistics),
    ]
