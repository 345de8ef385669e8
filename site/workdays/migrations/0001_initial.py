"""The working-day calendar moves from `petitions` to `workdays` (issue #15) without moving a row.

The table keeps its name (`petitions_workingdayoverride`): only Django's state changes hands
(`petitions.0004_move_working_day_override_to_workdays` drops it from the petitions state), and the
content type is relabelled so that existing permissions and admin log entries follow the model.
"""

from django.db import migrations, models


def relabel_content_type(apps, schema_editor, *, old, new):
    ContentType = apps.get_model("contenttypes", "ContentType")
    types = ContentType.objects.using(schema_editor.connection.alias)
    if not types.filter(app_label=new, model="workingdayoverride").exists():
        types.filter(app_label=old, model="workingdayoverride").update(app_label=new)


def forwards(apps, schema_editor):
    relabel_content_type(apps, schema_editor, old="petitions", new="workdays")


def backwards(apps, schema_editor):
    relabel_content_type(apps, schema_editor, old="workdays", new="petitions")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("petitions", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="WorkingDayOverride",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("day", models.DateField(unique=True, verbose_name="date")),
                        (
                            "is_working_day",
                            models.BooleanField(
                                help_text="Ticked: a weekend day worked; unticked: a holiday.", verbose_name="working day"
                            ),
                        ),
                        ("name", models.CharField(blank=True, max_length=40, verbose_name="occasion")),
                    ],
                    options={
                        "verbose_name": "working-day calendar entry",
                        "verbose_name_plural": "working-day calendar",
                        "db_table": "petitions_workingdayoverride",
                        "ordering": ["day"],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(forwards, backwards),
    ]
