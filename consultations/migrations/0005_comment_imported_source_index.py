from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("consultations", "0004_sensitive_words_and_held_comments"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="comment",
            index=models.Index(
                condition=models.Q(("source", ""), _negated=True),
                fields=["draft", "source"],
                name="comment_imported_source",
            ),
        ),
    ]
