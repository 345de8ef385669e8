"""The report channel moves from `petitions` to its own app (issue #15) without moving a row.

Every table keeps its name (`petitions_report`, `petitions_caseevent`, …, set as `db_table` on the models): only
Django's state changes hands. This migration creates the models in the `reports` state;
`petitions.0006_move_reports_to_reports_app` then drops them from the `petitions` state. Neither touches the
database schema, so the append-only triggers (`petitions.0002`) and the receipt chain stay as they are.

What names the models by their app is renamed with them: the content types (so permissions such as
`view_reporter_identity`, groups holding them, admin log entries and any generic relation follow), the periodic
job's last run (`petitions.report_deadlines` is now `reports.deadlines`), and queued reporter notices (the task
moved to `reports.notifications.notify_reporter`).
"""

import uuid

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

MODELS = [
    "report",
    "caseevent",
    "reportmessage",
    "reportattachment",
    "identityaccess",
    "receipt",
    "receiptchainhead",
    "targetsignal",
]
JOBS = [("petitions.report_deadlines", "reports.deadlines")]
TASKS = [("petitions.reports.notify_reporter", "reports.notifications.notify_reporter")]


def rename(apps, schema_editor, *, backwards: bool = False) -> None:
    def pairs(names):
        return [(new, old) for old, new in names] if backwards else names

    alias = schema_editor.connection.alias
    types = apps.get_model("contenttypes", "ContentType").objects.using(alias)
    (old_label, new_label), *_ = pairs([("petitions", "reports")])
    for model in MODELS:
        if not types.filter(app_label=new_label, model=model).exists():
            types.filter(app_label=old_label, model=model).update(app_label=new_label)
    runs = apps.get_model("core", "JobRun").objects.using(alias)
    for old, new in pairs(JOBS):
        if not runs.filter(name=new).exists():
            runs.filter(name=old).update(name=new)
    tasks = apps.get_model("django_tasks_database", "DBTaskResult").objects.using(alias)
    for old, new in pairs(TASKS):
        tasks.filter(task_path=old, status="READY").update(task_path=new)


def forwards(apps, schema_editor):
    rename(apps, schema_editor)


def backwards(apps, schema_editor):
    rename(apps, schema_editor, backwards=True)


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        # The tables exist, as the petitions app left them.
        ("petitions", "0005_petition_answer_loop"),
        ("regions", "0002_national_level"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("core", "0001_live_events_and_job_runs"),
        ("django_tasks_database", "0021_conditional_partial_index_ordering"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ReceiptChainHead",
                    fields=[
                        ("id", models.PositiveSmallIntegerField(default=1, primary_key=True, serialize=False)),
                        ("sequence", models.PositiveIntegerField(default=0)),
                        ("hash", models.CharField(max_length=64)),
                    ],
                    options={
                        "db_table": "petitions_receiptchainhead",
                    },
                ),
                migrations.CreateModel(
                    name="Report",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("public_id", models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    ("cadre", "Selection and appointment of officials"),
                                    ("approval", "Administrative approval"),
                                    ("procurement", "Public procurement and tendering"),
                                    ("land", "Land and natural resources"),
                                    ("enforcement", "Law enforcement"),
                                    ("other", "Other"),
                                ],
                                max_length=12,
                                verbose_name="kind",
                            ),
                        ),
                        ("subject_name", models.CharField(blank=True, max_length=60, verbose_name="person reported")),
                        ("subject_post", models.CharField(blank=True, max_length=80, verbose_name="post")),
                        ("subject_unit", models.CharField(max_length=120, verbose_name="unit")),
                        (
                            "subject_unit_code",
                            models.CharField(
                                blank=True, max_length=18, verbose_name="unit's unified social credit code"
                            ),
                        ),
                        ("occurred", models.CharField(blank=True, max_length=60, verbose_name="when it happened")),
                        ("description", models.TextField(verbose_name="what happened")),
                        ("anonymous", models.BooleanField(verbose_name="anonymous")),
                        (
                            "identity_token",
                            models.TextField(
                                blank=True, help_text="Encrypted identity (Fernet); empty for anonymous reports."
                            ),
                        ),
                        (
                            "notify_by_email",
                            models.BooleanField(
                                default=False, help_text="A real-name reporter gave an e-mail address."
                            ),
                        ),
                        ("code_digest", models.CharField(max_length=64, unique=True)),
                        (
                            "state",
                            models.CharField(
                                choices=[
                                    ("received", "Received"),
                                    ("accepted", "Accepted"),
                                    ("not_accepted", "Not accepted"),
                                    ("transferred", "Transferred to another body"),
                                    ("handling", "Under handling"),
                                    ("concluded", "Concluded"),
                                    ("replied", "Replied"),
                                    ("satisfied", "Evaluated: satisfied"),
                                    ("unsatisfied", "Evaluated: not satisfied"),
                                    ("review", "Under review (复查)"),
                                    ("review_replied", "Review answered"),
                                    ("re_review", "Under re-review (复核)"),
                                    ("re_review_replied", "Re-review answered"),
                                    ("closed", "Closed"),
                                ],
                                default="received",
                                max_length=20,
                                verbose_name="state",
                            ),
                        ),
                        (
                            "received_at",
                            models.DateTimeField(default=django.utils.timezone.now, verbose_name="received"),
                        ),
                        ("accepted_at", models.DateTimeField(blank=True, null=True)),
                        ("concluded_at", models.DateTimeField(blank=True, null=True)),
                        ("replied_at", models.DateTimeField(blank=True, null=True)),
                        ("review_requested_at", models.DateTimeField(blank=True, null=True)),
                        ("re_review_requested_at", models.DateTimeField(blank=True, null=True)),
                        ("closed_at", models.DateTimeField(blank=True, null=True)),
                        ("extension_days", models.PositiveSmallIntegerField(default=0)),
                        ("extension_reason", models.TextField(blank=True)),
                        ("transferred_to", models.CharField(blank=True, max_length=120, verbose_name="transferred to")),
                        ("due_on", models.DateField(blank=True, null=True, verbose_name="due")),
                        ("due_rule", models.CharField(blank=True, max_length=20)),
                        (
                            "escalation",
                            models.CharField(db_index=True, default="none", max_length=10, verbose_name="escalation"),
                        ),
                        ("subject_key", models.CharField(blank=True, db_index=True, max_length=80)),
                        ("unit_key", models.CharField(blank=True, db_index=True, max_length=140)),
                        ("unit_name_key", models.CharField(blank=True, db_index=True, max_length=140)),
                        ("evaluation_note", models.TextField(blank=True, verbose_name="reporter's evaluation")),
                        (
                            "assigned_to",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="assigned_reports",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="handler",
                            ),
                        ),
                        (
                            "duplicate_of",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="duplicates",
                                to="reports.report",
                                verbose_name="near-duplicate of",
                            ),
                        ),
                        (
                            "region",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT, to="regions.region", verbose_name="where"
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "report",
                        "verbose_name_plural": "reports",
                        "db_table": "petitions_report",
                        "ordering": ["-received_at"],
                        "permissions": [("view_reporter_identity", "Can see a reporter's identity (recorded)")],
                    },
                ),
                migrations.CreateModel(
                    name="Receipt",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("sequence", models.PositiveIntegerField(unique=True)),
                        ("filed_at", models.DateTimeField()),
                        ("content_digest", models.CharField(max_length=64)),
                        ("previous_hash", models.CharField(max_length=64)),
                        ("hash", models.CharField(max_length=64, unique=True)),
                        (
                            "report",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.PROTECT, related_name="receipt", to="reports.report"
                            ),
                        ),
                    ],
                    options={
                        "db_table": "petitions_receipt",
                        "ordering": ["sequence"],
                    },
                ),
                migrations.CreateModel(
                    name="IdentityAccess",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("what", models.CharField(max_length=40)),
                        ("reason", models.TextField()),
                        ("at", models.DateTimeField(default=django.utils.timezone.now)),
                        (
                            "user",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "report",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="identity_accesses",
                                to="reports.report",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "identity access",
                        "verbose_name_plural": "identity accesses",
                        "db_table": "petitions_identityaccess",
                        "ordering": ["-at"],
                    },
                ),
                migrations.CreateModel(
                    name="CaseEvent",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("from_state", models.CharField(blank=True, max_length=20)),
                        ("to_state", models.CharField(max_length=20)),
                        (
                            "action",
                            models.CharField(
                                choices=[
                                    ("filed", "Report received"),
                                    ("accept", "Accepted"),
                                    ("not_accept", "Not accepted"),
                                    ("transfer", "Transferred"),
                                    ("start_handling", "Handling started"),
                                    ("extended", "Handling time extended"),
                                    ("conclude", "Handling concluded"),
                                    ("replied", "Reply sent"),
                                    ("evaluated", "Evaluated by the reporter"),
                                    ("review_requested", "Review requested"),
                                    ("information_added", "Information added by the reporter"),
                                    ("assigned", "Handler assigned"),
                                    ("close", "Closed"),
                                    ("closed", "Closed"),
                                ],
                                max_length=30,
                            ),
                        ),
                        ("by_reporter", models.BooleanField(default=False)),
                        ("note", models.TextField(blank=True)),
                        ("at", models.DateTimeField(default=django.utils.timezone.now)),
                        (
                            "actor",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "report",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE, related_name="events", to="reports.report"
                            ),
                        ),
                    ],
                    options={
                        "db_table": "petitions_caseevent",
                        "ordering": ["at", "pk"],
                    },
                ),
                migrations.CreateModel(
                    name="ReportMessage",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "direction",
                            models.CharField(
                                choices=[
                                    ("to_reporter", "Reply to the reporter"),
                                    ("from_reporter", "Added by the reporter"),
                                ],
                                max_length=14,
                            ),
                        ),
                        ("body", models.TextField()),
                        ("at", models.DateTimeField(default=django.utils.timezone.now)),
                        (
                            "author",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "report",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="messages",
                                to="reports.report",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "petitions_reportmessage",
                        "ordering": ["at", "pk"],
                    },
                ),
                migrations.CreateModel(
                    name="ReportAttachment",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("name_token", models.TextField(help_text="Encrypted original file name.")),
                        ("content_type", models.CharField(max_length=80)),
                        ("size", models.PositiveIntegerField()),
                        ("sha256", models.CharField(max_length=64)),
                        ("storage_name", models.CharField(max_length=64, unique=True)),
                        ("at", models.DateTimeField(default=django.utils.timezone.now)),
                        (
                            "report",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="attachments",
                                to="reports.report",
                            ),
                        ),
                        (
                            "message",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="attachments",
                                to="reports.reportmessage",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "petitions_reportattachment",
                    },
                ),
                migrations.CreateModel(
                    name="TargetSignal",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("key", models.CharField(max_length=140, unique=True)),
                        ("label", models.CharField(max_length=200)),
                        ("report_count", models.PositiveIntegerField()),
                        ("raised_at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("region", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, to="regions.region")),
                        ("reports", models.ManyToManyField(related_name="signals", to="reports.report")),
                    ],
                    options={
                        "db_table": "petitions_targetsignal",
                        "ordering": ["-raised_at"],
                    },
                ),
                migrations.AddIndex(
                    model_name="report",
                    index=models.Index(fields=["state", "due_on"], name="petitions_r_state_714e2d_idx"),
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(forwards, backwards),
    ]
