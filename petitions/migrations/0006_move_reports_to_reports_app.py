"""The report channel now belongs to `reports` (issue #15): its models are dropped from this app's state only.

The tables stay where they are, with their rows; `reports.0001_initial` takes the models over under the same table
names (and renames their content types).
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("petitions", "0005_petition_answer_loop"),
        ("reports", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                # Those that point at others first: the many-to-many table's model, then the rows of a case.
                migrations.DeleteModel(name="TargetSignal"),
                migrations.DeleteModel(name="Receipt"),
                migrations.DeleteModel(name="IdentityAccess"),
                migrations.DeleteModel(name="ReportAttachment"),
                migrations.DeleteModel(name="ReportMessage"),
                migrations.DeleteModel(name="CaseEvent"),
                migrations.DeleteModel(name="Report"),
                migrations.DeleteModel(name="ReceiptChainHead"),
            ],
            database_operations=[],
        ),
    ]
