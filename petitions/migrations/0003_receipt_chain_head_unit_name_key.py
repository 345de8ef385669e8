"""The receipt chain's head row (locked while a receipt is issued) and the unit-name key used for conflicts.

The head starts at the last receipt already issued; every report gets its unit name normalised as
`core.identifiers.normalise_name` does, truncated to the field's length.
"""

import re
import unicodedata

from django.db import migrations, models

GENESIS = "0" * 64


def _normalise_name(value):
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", value or "")).lower()


def forwards(apps, schema_editor):
    Receipt = apps.get_model("petitions", "Receipt")
    ReceiptChainHead = apps.get_model("petitions", "ReceiptChainHead")
    Report = apps.get_model("petitions", "Report")
    last = Receipt.objects.order_by("-sequence").first()
    ReceiptChainHead.objects.update_or_create(
        pk=1, defaults={"sequence": last.sequence if last else 0, "hash": last.hash if last else GENESIS}
    )
    for report in Report.objects.only("pk", "subject_unit").iterator(chunk_size=1000):
        Report.objects.filter(pk=report.pk).update(unit_name_key=_normalise_name(report.subject_unit)[:140])


class Migration(migrations.Migration):
    dependencies = [
        ("petitions", "0002_append_only_triggers"),
    ]

    operations = [
        migrations.CreateModel(
            name="ReceiptChainHead",
            fields=[
                ("id", models.PositiveSmallIntegerField(default=1, primary_key=True, serialize=False)),
                ("sequence", models.PositiveIntegerField(default=0)),
                ("hash", models.CharField(max_length=64)),
            ],
        ),
        migrations.AddField(
            model_name="report",
            name="unit_name_key",
            field=models.CharField(blank=True, db_index=True, max_length=140),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
