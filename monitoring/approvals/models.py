"""Administrative approval cases (行政审批): matters and their time limits, cases, steps, correction requests.

行政许可法 (2019): art. 32 — the applicant is told everything missing at once, within 5 days; art. 42 —
a decision within 20 working days of acceptance, +10 with the head's approval, unless a law or regulation
sets another limit; art. 44 — the licence is issued and served within 10 days of the decision; art. 45 —
hearings, tendering, auctions, testing, inspection, quarantine, appraisal and expert review are not
counted; art. 82 — the law's own limits count working days. Governments also promise (承诺时限) to decide
below the legal limit; both limits are kept per case as they stood when the case was handled.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from monitoring.models import Entity, SourceSystem


class DayCount(models.TextChoices):
    NATURAL = "natural", _("natural days")
    WORKING = "working", _("working days")


class Outcome(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Matter(models.Model):
    """A kind of approval (事项) with its current legal and promised time limits."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    legal_limit_days = models.PositiveSmallIntegerField(_("legal time limit"))
    legal_limit_unit = models.CharField(max_length=8, choices=DayCount.choices, default=DayCount.WORKING)
    promised_limit_days = models.PositiveSmallIntegerField(_("promised time limit"), null=True, blank=True)
    promised_limit_unit = models.CharField(max_length=8, choices=DayCount.choices, default=DayCount.WORKING)
    basis = models.CharField(_("legal basis"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("approval matter")
        verbose_name_plural = _("approval matters")

    def __str__(self) -> str:
        return self.name


class ApprovalCase(models.Model):
    """One application and how it was handled; unique by case number within its source system."""

    source = models.ForeignKey(SourceSystem, null=True, blank=True, on_delete=models.SET_NULL)
    case_number = models.CharField(_("case number"), max_length=50)
    ref = models.CharField(max_length=60, unique=True, help_text="source + case number: the alerts' record_ref")
    matter = models.ForeignKey(Matter, on_delete=models.PROTECT, related_name="cases")
    department = models.ForeignKey(
        Entity, verbose_name=_("approving department"), on_delete=models.PROTECT, related_name="approvals_decided"
    )
    applicant = models.ForeignKey(
        Entity, verbose_name=_("applicant"), on_delete=models.PROTECT, related_name="approval_applications"
    )
    legal_representative = models.CharField(_("legal representative"), max_length=60, blank=True)
    controller = models.CharField(_("controlling person"), max_length=60, blank=True)
    legal_representative_key = models.CharField(max_length=60, blank=True, db_index=True)
    controller_key = models.CharField(max_length=60, blank=True, db_index=True)
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT)
    received_at = models.DateTimeField(_("received"))
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.PENDING)
    # The limits as they stood for this case (the matter's may change later).
    legal_limit_days = models.PositiveSmallIntegerField(_("legal time limit"))
    legal_limit_unit = models.CharField(max_length=8, choices=DayCount.choices)
    extension_days = models.PositiveSmallIntegerField(_("approved extension"), default=0)
    promised_limit_days = models.PositiveSmallIntegerField(_("promised time limit"), null=True, blank=True)
    promised_limit_unit = models.CharField(max_length=8, choices=DayCount.choices, default=DayCount.WORKING)
    order_at = models.DateTimeField(
        db_index=True, help_text="when the case joins the populations rules compare with: decided, else received"
    )
    processing_hours = models.FloatField(
        null=True, blank=True, help_text="accepted → decided, hours not counted (art. 45) left out"
    )
    raw = models.JSONField()
    ingested_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("approval case")
        verbose_name_plural = _("approval cases")
        constraints = [
            models.UniqueConstraint(fields=["source", "case_number"], name="one_case_number_per_source"),
            models.UniqueConstraint(
                fields=["case_number"], condition=models.Q(source__isnull=True), name="one_unsourced_case_number"
            ),
        ]
        indexes = [models.Index(fields=["matter", "order_at"])]

    def __str__(self) -> str:
        return f"{self.case_number} {self.matter.name}"


class CaseStep(models.Model):
    """A step of the procedure (受理, 审查, 现场核查, 专家评审, 决定, 送达…) with its handler and limit."""

    case = models.ForeignKey(ApprovalCase, on_delete=models.CASCADE, related_name="steps")
    sequence = models.PositiveSmallIntegerField()
    name = models.CharField(_("step"), max_length=40)
    handler = models.ForeignKey(
        Entity, null=True, blank=True, on_delete=models.PROTECT, related_name="approval_steps_handled"
    )
    handler_department = models.ForeignKey(Entity, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    limit_days = models.PositiveSmallIntegerField(_("step time limit"), null=True, blank=True)
    limit_unit = models.CharField(max_length=8, choices=DayCount.choices, default=DayCount.WORKING)
    counts_toward_limit = models.BooleanField(
        default=True, help_text="False for hearings, expert review, testing (行政许可法 art. 45)"
    )

    class Meta:
        ordering = ["case", "sequence"]
        constraints = [models.UniqueConstraint(fields=["case", "sequence"], name="one_step_per_sequence")]

    def __str__(self) -> str:
        return f"{self.case_id} #{self.sequence} {self.name}"


class CorrectionRequest(models.Model):
    """A request to complete the application (补正材料), and when the applicant answered it."""

    case = models.ForeignKey(ApprovalCase, on_delete=models.CASCADE, related_name="corrections")
    sequence = models.PositiveSmallIntegerField()
    requested_at = models.DateTimeField(_("requested"))
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    items = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["case", "sequence"]
        constraints = [models.UniqueConstraint(fields=["case", "sequence"], name="one_correction_per_sequence")]

    def __str__(self) -> str:
        return f"{self.case_id} 补正 #{self.sequence}"
