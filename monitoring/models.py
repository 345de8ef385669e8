"""The alert loop's records: entities, source systems, rule settings, alerts and verification tasks.

Each domain keeps its records in its own folder: land transfers in `monitoring/land/models.py` (this app,
label `monitoring`, imported at the end of this module), procurement and approvals in their own apps.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from monitoring.states import AlertState, Severity, TaskState


class Domain(models.TextChoices):
    PROCUREMENT = "procurement", _("Public procurement")
    LAND = "land", _("Land transfer")
    APPROVAL = "approval", _("Administrative approval")


class Entity(models.Model):
    """An organisation or a person named in records of any domain: one profile per supplier, buyer or officer."""

    class Kind(models.TextChoices):
        ORGANISATION = "org", _("Organisation")
        PERSON = "person", _("Person")

    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.ORGANISATION)
    name = models.CharField(_("name"), max_length=200)
    name_key = models.CharField(max_length=200, db_index=True)
    credit_code = models.CharField(_("unified social credit code"), max_length=18, blank=True, db_index=True)

    class Meta:
        verbose_name = _("entity")
        verbose_name_plural = _("entities")
        constraints = [
            models.UniqueConstraint(
                fields=["credit_code"], condition=~models.Q(credit_code=""), name="one_entity_per_credit_code"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class SourceSystem(models.Model):
    """A system that sends records through the ingest API, with its own token (stored as a digest)."""

    name = models.CharField(_("name"), max_length=80, unique=True)
    domain = models.CharField(_("domain"), max_length=12, choices=Domain.choices)
    token_digest = models.CharField(max_length=64, unique=True)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.name


class RuleSetting(models.Model):
    """Administrators' settings for a rule: on or off, severity, parameters."""

    code = models.CharField(max_length=10, unique=True)
    enabled = models.BooleanField(default=True)
    severity = models.CharField(
        max_length=8, choices=Severity.choices, blank=True, help_text=_("Empty: the rule's default.")
    )
    params = models.JSONField(default=dict, blank=True, help_text=_("Overrides of the rule's parameters, as JSON."))

    class Meta:
        verbose_name = _("rule setting")
        verbose_name_plural = _("rule settings")

    def __str__(self) -> str:
        return self.code


class Alert(models.Model):
    """A rule's finding on a record, with the evidence an inspector needs to see why."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    fingerprint = models.CharField(
        max_length=120, unique=True, help_text="rule code + record: re-ingesting raises no duplicate"
    )
    rule_code = models.CharField(_("rule"), max_length=10, db_index=True)
    domain = models.CharField(_("domain"), max_length=12, choices=Domain.choices)
    severity = models.CharField(_("severity"), max_length=8, choices=Severity.choices)
    title = models.CharField(_("title"), max_length=200)
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT)
    entity = models.ForeignKey(Entity, null=True, blank=True, on_delete=models.PROTECT, related_name="alerts")
    land_transfer = models.ForeignKey(
        "monitoring.LandTransfer", null=True, blank=True, on_delete=models.CASCADE, related_name="alerts"
    )
    record_ref = models.CharField(max_length=60)
    evidence = models.JSONField(default=dict)
    state = models.CharField(_("state"), max_length=14, choices=AlertState.choices, default=AlertState.NEW)
    dismissal_reason = models.TextField(blank=True)
    raised_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-raised_at"]
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")

    def __str__(self) -> str:
        return f"{self.rule_code} {self.title}"


class AlertEvent(models.Model):
    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="events")
    from_state = models.CharField(max_length=14, blank=True)
    to_state = models.CharField(max_length=14)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.alert_id} → {self.to_state}"


class VerificationTask(models.Model):
    """Checking an alert on the ground: assigned by jurisdiction, due by a date, closed with a result."""

    alert = models.OneToOneField(Alert, on_delete=models.CASCADE, related_name="task")
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="verification_tasks"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField(max_length=8, choices=TaskState.choices, default=TaskState.OPEN)
    due_on = models.DateField(_("due"))
    escalation = models.CharField(max_length=10, default="none")
    # The highest escalation level whose notices (assignee and lead, mail and live event) went out: each level
    # notifies once, however often the escalation job runs (monitoring.services.refresh_task_escalations).
    escalation_notified = models.CharField(max_length=10, default="none")
    result = models.TextField(_("result"), blank=True)
    result_file = models.CharField(max_length=64, blank=True, help_text="Stored outside the public media path.")
    result_file_name = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("verification task")
        verbose_name_plural = _("verification tasks")

    def __str__(self) -> str:
        return f"{self.alert} → {self.assignee}"


# The land domain's records belong to this app (label `monitoring`): imported so that Django registers them.
from monitoring.land.models import LandTransfer  # noqa: E402

__all__ = ["Alert", "AlertEvent", "Domain", "Entity", "LandTransfer", "RuleSetting", "SourceSystem", "VerificationTask"]
