"""Public petitions (请愿) and their e-mail-confirmed signatures."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from petitions.states import PUBLIC_STATUSES, SIGNABLE_STATUSES, PetitionStatus

__all__ = [
    "PUBLIC_STATUSES",
    "SIGNABLE_STATUSES",
    "Petition",
    "PetitionStatus",
    "RejectionReason",
    "Signature",
    "SignatureAlert",
]


class RejectionReason(models.TextChoices):
    PRIVATE_PERSON = "private_person", _("It names or could identify a private person")
    DUPLICATE = "duplicate", _("It duplicates a petition that is already open")
    NOT_PUBLIC_POWER = "out_of_scope", _("It is not about a matter of public power")
    OFFENSIVE = "offensive", _("It is offensive or defamatory")
    UNCLEAR = "unclear", _("It does not say clearly what action is asked for")
    OTHER = "other", _("Other")


class Petition(models.Model):
    title = models.CharField(_("title"), max_length=120)
    action = models.TextField(_("what the petition asks for"), max_length=800)
    background = models.TextField(_("background"), max_length=3000, blank=True)
    creator = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("creator"), on_delete=models.PROTECT, related_name="petitions"
    )
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("addressed to"),
        on_delete=models.PROTECT,
        help_text=_("The government whose staff respond."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=PetitionStatus.choices, default=PetitionStatus.COLLECTING_SPONSORS
    )
    sponsor_token = models.CharField(max_length=43, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    submitted_at = models.DateTimeField(_("sent to moderation"), null=True, blank=True)
    opened_at = models.DateTimeField(_("opened"), null=True, blank=True)
    closes_at = models.DateTimeField(_("closes"), null=True, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    rejection_reason = models.CharField(
        _("rejection reason"), max_length=16, choices=RejectionReason.choices, blank=True
    )
    rejection_details = models.TextField(_("rejection details"), blank=True)
    signature_count = models.PositiveIntegerField(_("confirmed signatures"), default=0)
    response_threshold_reached_at = models.DateTimeField(null=True, blank=True)
    debate_threshold_reached_at = models.DateTimeField(null=True, blank=True)
    government_response = models.TextField(_("government response"), blank=True)
    # The response clock (as on UK e-petitions): it starts when the response threshold is reached.
    response_due_on = models.DateField(_("response due"), null=True, blank=True)
    response_escalation = models.CharField(_("escalation"), max_length=10, default="none", db_index=True)
    response_draft = models.TextField(_("draft response"), blank=True)
    response_published_at = models.DateTimeField(_("response published"), null=True, blank=True)
    response_published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Past the debate threshold: the people's congress considers the petition.
    considered_on = models.DateField(_("considered on"), null=True, blank=True)
    consideration_summary = models.TextField(_("consideration"), blank=True)
    consideration_url = models.URLField(_("record of the consideration"), max_length=500, blank=True)
    consideration_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-signature_count", "-opened_at"]
        verbose_name = _("petition")
        verbose_name_plural = _("petitions")
        indexes = [models.Index(fields=["status", "closes_at"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status == PetitionStatus.OPEN and (self.closes_at is None or timezone.now() < self.closes_at)

    @property
    def is_public(self) -> bool:
        return self.status in PUBLIC_STATUSES

    @property
    def has_response(self) -> bool:
        return self.response_published_at is not None

    @property
    def awaits_response(self) -> bool:
        """The response threshold is reached and no response is published yet."""
        return self.response_threshold_reached_at is not None and self.response_published_at is None

    def response_overdue(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.awaits_response and self.response_due_on is not None and self.response_due_on < today


class Signature(models.Model):
    """One person's signature. It counts once its e-mail link is confirmed; one per e-mail per petition."""

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="signatures")
    name = models.CharField(_("name"), max_length=60)
    email = models.EmailField(_("e-mail"))
    email_domain = models.CharField(max_length=120, db_index=True)
    region = models.ForeignKey("regions.Region", verbose_name=_("region"), on_delete=models.PROTECT)
    sponsor = models.BooleanField(_("sponsor"), default=False)
    token_digest = models.CharField(max_length=64, unique=True)
    network_digest = models.CharField(
        max_length=64, db_index=True, help_text="Keyed daily hash of the network address, for abuse checks only."
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    notify_by_email = models.BooleanField(_("e-mail me the response"), default=False)

    class Meta:
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")
        constraints = [models.UniqueConstraint(fields=["petition", "email"], name="one_signature_per_email")]
        indexes = [
            # The signers to tell of a response, read in batches by primary key.
            models.Index(
                fields=["petition", "id"],
                condition=models.Q(notify_by_email=True, confirmed_at__isnull=False),
                name="signature_notify_batches",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} → {self.petition_id}"


class SignatureAlert(models.Model):
    """A sudden burst of signatures from one network or one e-mail domain, for moderators to look at."""

    class Source(models.TextChoices):
        NETWORK = "network", _("Network address")
        DOMAIN = "domain", _("E-mail domain")

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="alerts")
    source = models.CharField(max_length=8, choices=Source.choices)
    key = models.CharField(max_length=120)
    count = models.PositiveIntegerField()
    window_minutes = models.PositiveIntegerField()
    raised_at = models.DateTimeField(default=timezone.now)
    resolved = models.BooleanField(default=False)

    class Meta:
        ordering = ["-raised_at"]

    def __str__(self) -> str:
        return f"{self.petition_id} {self.source} {self.count}/{self.window_minutes}m"
