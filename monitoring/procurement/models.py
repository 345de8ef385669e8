"""Procurement records (OCDS): one process per `ocid`, with its bids, awards, contracts and amendments.

The compiled release is kept as received after the source's `prepare` settings (codelist maps, defaults)
are applied; the columns are what the rules, the dashboard and the entity profiles query.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from monitoring.models import Entity, SourceSystem
from regions.models import NATIONAL_CODE


class SourceSettings(models.Model):
    """How a source system's releases are read: Cardinal's INI settings (prepare + indicators) and a default region."""

    source = models.OneToOneField(SourceSystem, on_delete=models.CASCADE, related_name="procurement_settings")
    prepare_ini = models.TextField(
        _("prepare settings"),
        blank=True,
        help_text=_("Cardinal's settings file (INI): [defaults], [codelists.*], [exclusions], indicator sections."),
    )
    default_region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, default=NATIONAL_CODE, related_name="+"
    )
    foreign_sample = models.BooleanField(
        _("international sample data"),
        default=False,
        help_text=_("Records from outside China kept as examples: shown as such instead of a region."),
    )

    class Meta:
        verbose_name = _("procurement source settings")
        verbose_name_plural = _("procurement source settings")

    def __str__(self) -> str:
        return f"{self.source} ({self.default_region_id})"


class Process(models.Model):
    """A contracting process, identified by its OCDS `ocid`."""

    ocid = models.CharField("ocid", max_length=200, unique=True)
    source = models.ForeignKey(SourceSystem, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("title"), max_length=500, blank=True)
    buyer = models.ForeignKey(
        Entity, null=True, blank=True, on_delete=models.PROTECT, related_name="procurements_bought"
    )
    procuring_entity = models.ForeignKey(
        Entity, null=True, blank=True, on_delete=models.PROTECT, related_name="procurements_procured"
    )
    procurement_method = models.CharField(_("procurement method"), max_length=60, blank=True)
    procurement_method_details = models.CharField(max_length=200, blank=True)
    main_category = models.CharField(_("main category"), max_length=20, blank=True)
    status = models.CharField(_("status"), max_length=60, blank=True)
    tender_start = models.DateTimeField(null=True, blank=True)
    tender_end = models.DateTimeField(null=True, blank=True)
    tender_value = models.DecimalField(max_digits=20, decimal_places=2, null=True, blank=True)
    tender_currency = models.CharField(max_length=3, blank=True)
    number_of_tenderers = models.PositiveIntegerField(null=True, blank=True)
    release_date = models.DateTimeField(null=True, blank=True)
    release = models.JSONField(help_text="The compiled release after prepare.")
    content_hash = models.CharField(
        max_length=64, help_text="Of the release as received: re-sending it changes nothing."
    )
    ingested_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    # The source population's version at which this process last changed (`PopulationState.version`): a
    # process's running Cardinal population catches up by reading only the processes changed since.
    population_version = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("procurement process")
        verbose_name_plural = _("procurement processes")
        indexes = [
            models.Index(fields=["source", "buyer"]),
            models.Index(fields=["source", "population_version"], name="process_population_version"),
        ]

    def __str__(self) -> str:
        return f"{self.ocid} {self.title}"[:200]


class Bid(models.Model):
    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="bids")
    bid_id = models.CharField(max_length=200, blank=True)
    tenderer = models.ForeignKey(Entity, null=True, blank=True, on_delete=models.PROTECT, related_name="bids")
    amount = models.DecimalField(max_digits=20, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True)
    date = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.process.ocid} bid {self.bid_id}"


class Award(models.Model):
    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="awards")
    award_id = models.CharField(max_length=200, blank=True)
    suppliers = models.ManyToManyField(Entity, related_name="awards_won", blank=True)
    amount = models.DecimalField(max_digits=20, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True)
    date = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=40, blank=True)
    classification = models.CharField(
        max_length=60, blank=True, help_text="The first item's classification id (of the award, else of the tender)."
    )
    lot_ids = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.process.ocid} award {self.award_id}"


class Contract(models.Model):
    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="contracts")
    contract_id = models.CharField(max_length=200, blank=True)
    award = models.ForeignKey(Award, null=True, blank=True, on_delete=models.SET_NULL, related_name="contracts")
    amount = models.DecimalField(max_digits=20, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True)
    date_signed = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.process.ocid} contract {self.contract_id}"


class Amendment(models.Model):
    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="amendments")
    amendment_id = models.CharField(max_length=200, blank=True)
    date = models.DateTimeField(null=True, blank=True)
    rationale = models.TextField(blank=True)

    class Meta:
        ordering = ["date", "pk"]

    def __str__(self) -> str:
        return f"{self.contract} amendment {self.amendment_id}"


class DataProblem(models.Model):
    """What could not be read in a record: the field, why, and the value (the data-quality report)."""

    process = models.ForeignKey(Process, null=True, blank=True, on_delete=models.CASCADE, related_name="problems")
    source = models.ForeignKey(SourceSystem, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    ocid = models.CharField(max_length=200, blank=True, db_index=True)
    field = models.CharField(max_length=200)
    message = models.CharField(max_length=300)
    value = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["ocid", "field", "pk"]
        verbose_name = _("data problem")
        verbose_name_plural = _("data problems")

    def __str__(self) -> str:
        return f"{self.ocid} {self.field}: {self.message}"


class PopulationState(models.Model):
    """The version of a source's population of processes, for the running Cardinal populations kept in memory.

    Every stored change of a process bumps `version` (and draws a new `token`) in the change's transaction, under
    this row's lock; a process's copy of the population is current when it holds the same version and token,
    catches up from the processes changed since its version, and is rebuilt when `epoch` differs (the row was
    made anew, or a process left the source). `key` is `source:<id>`, or `none` for records without a source.
    """

    key = models.CharField(max_length=40, unique=True)
    epoch = models.UUIDField()
    version = models.BigIntegerField(default=0)
    token = models.UUIDField()

    class Meta:
        verbose_name = _("procurement population state")
        verbose_name_plural = _("procurement population states")

    def __str__(self) -> str:
        return f"{self.key} v{self.version}"
