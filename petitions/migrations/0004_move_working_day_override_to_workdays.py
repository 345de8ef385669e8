"""The working-day calendar now belongs to `workdays` (issue #15): dropped from this app's state only.

The table stays where it is; `workdays.0001_initial` takes the model over with the same table name.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("petitions", "0003_receipt_chain_head_unit_name_key"),
        ("workdays", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="WorkingDayOverride")],
            database_operations=[],
        ),
    ]
