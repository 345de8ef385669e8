"""Follows, e-mail preferences and the notifications waiting to be sent (immediately or in a daily digest)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Frequency(models.TextChoices):
    IMMEDIATE = "immediate", _("At once, one e-mail per event")
    DAILY = "daily", _("Once a day, in one digest")
    NEVER = "never", _("Never")


class Kind(models.TextChoices):
    NEW_READING = "new_reading", _("A new reading of the draft")
    DECISION = "decision", _("A decision on your comment's theme")
    REPORT = "report", _("The handling report is published")
    RESPONSE = "response", _("The petition has a response")


class Follow(models.Model):
    """A person follows a subject registered by a domain app (a draft, a petition)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows")
    subject = models.CharField(max_length=60)  # a registered key, "consultations.draft"
    object_id = models.PositiveBigIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "subject", "object_id"], name="unique_follow")]
        indexes = [models.Index(fields=["subject", "object_id"])]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.subject}:{self.object_id}"


class Preference(models.Model):
    """How often a person is e-mailed (no row: at once)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    frequency = models.CharField(max_length=12, choices=Frequency.choices, default=Frequency.IMMEDIATE)

    def __str__(self) -> str:
        return f"{self.user_id}: {self.frequency}"


class Notification(models.Model):
    """One event for one person: sent at once, or kept for the daily digest until `sent_at`."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    subject = models.CharField(max_length=60)
    object_id = models.PositiveBigIntegerField()
    title = models.CharField(max_length=300)
    path = models.CharField(max_length=500)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "sent_at"])]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.kind} {self.subject}:{self.object_id}"
