"""Confidential reports (举报/投诉/信访) and the case kept on each.

The reporter's identity is stored only encrypted (`identity_token`), read through
`reports.services.reveal_identity`, which checks the role and writes an `IdentityAccess` row.
The follow-up code is stored only as a keyed digest.

The tables keep the names they had when reports lived in the `petitions` app (issue #15 moved the models,
not the rows: `reports.0001_initial` takes them over in Django's state only).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from reports.states import CaseState


class ReportKind(models.TextChoices):
    CADRE_SELECTION = "cadre", _("Selection and appointment of officials")
    APPROVAL = "approval", _("Administrative approval")
    PROCUREMENT = "procurement", _("Public procurement and tendering")
    LAND = "land", _("Land and natural resources")
    LAW_ENFORCEMENT = "enforcement", _("Law enforcement")
    OTHER = "other", _("Other")


class Report(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=12, choices=ReportKind.choices)
    subject_name = models.CharField(_("person reported"), max_length=60, blank=True)
    subject_post = models.CharField(_("post"), max_length=80, blank=True)
    subject_unit = models.CharField(_("unit"), max_length=120)
    subject_unit_code = models.CharField(_("unit's unified social credit code"), max_length=18, blank=True)
    region = models.ForeignKey("regions.Region", verbose_name=_("where"), on_delete=models.PROTECT)
    occurred = models.CharField(_("when it happened"), max_length=60, blank=True)
    description = models.TextField(_("what happened"))
    anonymous = models.BooleanField(_("anonymous"))
    identity_token = models.TextField(blank=True, help_text="Encrypted identity (Fernet); empty for anonymous reports.")
    notify_by_email = models.BooleanField(default=False, help_text="A real-name reporter gave an e-mail address.")
    code_digest = models.CharField(max_length=64, unique=True)
    state = models.CharField(_("state"), max_length=20, choices=CaseState.choices, default=CaseState.RECEIVED)
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    accepted_at = models.DateTimeField(null=True, blank=True)
    concluded_at = models.DateTimeField(null=True, blank=True)
    replied_at = models.DateTimeField(null=True, blank=True)
    review_requested_at = models.DateTimeField(null=True, blank=True)
    re_review_requested_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    extension_days = models.PositiveSmallIntegerField(default=0)
    extension_reason = models.TextField(blank=True)
    transferred_to = models.CharField(_("transferred to"), max_length=120, blank=True)
    due_on = models.DateField(_("due"), null=True, blank=True)
    due_rule = models.CharField(max_length=20, blank=True)
    escalation = models.CharField(_("escalation"), max_length=10, default="none", db_index=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handler"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_reports",
    )
    subject_key = models.CharField(max_length=80, blank=True, db_index=True)
    unit_key = models.CharField(max_length=140, blank=True, db_index=True)
    # The unit's name as compared for conflicts of interest, whether or not the report gives a credit code.
    unit_name_key = models.CharField(max_length=140, blank=True, db_index=True)
    duplicate_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="duplicates",
        verbose_name=_("near-duplicate of"),
    )
    evaluation_note = models.TextField(_("reporter's evaluation"), blank=True)

    class Meta:
        db_table = "petitions_report"
        ordering = ["-received_at"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        permissions = [("view_reporter_identity", "Can see a reporter's identity (recorded)")]
        indexes = [models.Index(fields=["state", "due_on"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.subject_unit}"

    @property
    def reference(self) -> str:
        return self.public_id.hex[:10].upper()


class CaseEvent(models.Model):
    """One step of the case: a transition or an action, with who and when. Never edited."""

    class Action(models.TextChoices):
        FILED = "filed", _("Report received")
        ACCEPT = "accept", _("Accepted")
        NOT_ACCEPT = "not_accept", _("Not accepted")
        TRANSFER = "transfer", _("Transferred")
        START_HANDLING = "start_handling", _("Handling started")
        EXTENDED = "extended", _("Handling time extended")
        CONCLUDE = "conclude", _("Handling concluded")
        REPLIED = "replied", _("Reply sent")
        EVALUATED = "evaluated", _("Evaluated by the reporter")
        REVIEW_REQUESTED = "review_requested", _("Review requested")
        INFORMATION_ADDED = "information_added", _("Information added by the reporter")
        ASSIGNED = "assigned", _("Handler assigned")
        CLOSE = "close", pgettext_lazy("case state", "Closed")
        CLOSED = "closed", pgettext_lazy("case state", "Closed")

    INTERNAL_ACTIONS = frozenset({Action.ASSIGNED})

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="events")
    from_state = models.CharField(max_length=20, blank=True)
    to_state = models.CharField(max_length=20)
    action = models.CharField(max_length=30, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    by_reporter = models.BooleanField(default=False)
    note = models.TextField(blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "petitions_caseevent"
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.report_id} {self.action} {self.to_state}"


class ReportMessage(models.Model):
    """A reply to the reporter, or information the reporter added later."""

    class Direction(models.TextChoices):
        TO_REPORTER = "to_reporter", _("Reply to the reporter")
        FROM_REPORTER = "from_reporter", _("Added by the reporter")

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="messages")
    direction = models.CharField(max_length=14, choices=Direction.choices)
    body = models.TextField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "petitions_reportmessage"
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.report_id} {self.direction}"


class ReportAttachment(models.Model):
    """A file sent with a report: encrypted on disk outside the public media path."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="attachments")
    message = models.ForeignKey(
        ReportMessage, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    name_token = models.TextField(help_text="Encrypted original file name.")
    content_type = models.CharField(max_length=80)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    storage_name = models.CharField(max_length=64, unique=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "petitions_reportattachment"

    def __str__(self) -> str:
        return f"{self.report_id} {self.content_type} {self.size}"


class AppendOnly(models.Model):
    """Rows that are written once and never changed or deleted through the application."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise PermissionDenied("This record is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionDenied("This record is append-only.")


class IdentityAccess(AppendOnly):
    """Who saw a reporter's identity or an attachment, when, and why."""

    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="identity_accesses")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    what = models.CharField(max_length=40)
    reason = models.TextField()
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "petitions_identityaccess"
        ordering = ["-at"]
        verbose_name = _("identity access")
        verbose_name_plural = _("identity accesses")

    def __str__(self) -> str:
        return f"{self.report_id} {self.what} {self.user_id}"


class Receipt(AppendOnly):
    """Proof of when a report was filed: a hash chained to the previous receipt."""

    report = models.OneToOneField(Report, on_delete=models.PROTECT, related_name="receipt")
    sequence = models.PositiveIntegerField(unique=True)
    filed_at = models.DateTimeField()
    content_digest = models.CharField(max_length=64)
    previous_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        db_table = "petitions_receipt"
        ordering = ["sequence"]

    def __str__(self) -> str:
        return f"#{self.sequence} {self.hash[:12]}"


class ReceiptChainHead(models.Model):
    """The end of the receipt chain: one row, locked while a receipt is issued.

    Issuing a receipt locks this row (SELECT ... FOR UPDATE), so receipts are numbered and chained
    one at a time however many reports are filed at once, on PostgreSQL as on SQLite.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    sequence = models.PositiveIntegerField(default=0)
    hash = models.CharField(max_length=64)

    class Meta:
        db_table = "petitions_receiptchainhead"

    def __str__(self) -> str:
        return f"#{self.sequence} {self.hash[:12]}"


class TargetSignal(models.Model):
    """Several independent reports about one person or unit: a signal for inspectors."""

    key = models.CharField(max_length=140, unique=True)
    label = models.CharField(max_length=200)
    report_count = models.PositiveIntegerField()
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT)
    raised_at = models.DateTimeField(default=timezone.now)
    reports = models.ManyToManyField(Report, related_name="signals")

    class Meta:
        db_table = "petitions_targetsignal"
        ordering = ["-raised_at"]

    def __str__(self) -> str:
        return f"{self.label} ({self.report_count})"
