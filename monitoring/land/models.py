"""The land domain's record: a 供地结果 (land-supply result), stored in the monitoring app (label `monitoring`)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class LandTransfer(models.Model):
    """A 供地结果 record: who got which land, how, for what use and at what price."""

    record_id = models.CharField(_("electronic supervision number"), max_length=40, unique=True)
    source = models.ForeignKey("monitoring.SourceSystem", null=True, blank=True, on_delete=models.SET_NULL)
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT)
    district = models.CharField(max_length=60, blank=True)
    project = models.CharField(_("project"), max_length=200)
    location = models.CharField(max_length=300, blank=True)
    area_ha = models.DecimalField(_("area (ha)"), max_digits=14, decimal_places=6, null=True)
    land_source = models.CharField(max_length=60, blank=True)
    use = models.CharField(_("use"), max_length=60)
    use_category = models.CharField(max_length=12, blank=True)
    supply = models.CharField(_("supply method"), max_length=20)
    term_years = models.PositiveSmallIntegerField(null=True)
    industry = models.CharField(max_length=60, blank=True)
    grade = models.CharField(max_length=20, blank=True)
    price_wan = models.DecimalField(_("price (10,000 yuan)"), max_digits=16, decimal_places=4, null=True)
    unit_price = models.FloatField(_("yuan per m²"), null=True)
    holder = models.ForeignKey(
        "monitoring.Entity",
        verbose_name=_("land user"),
        null=True,
        on_delete=models.PROTECT,
        related_name="land_transfers",
    )
    approved_by = models.CharField(max_length=200, blank=True)
    signed_on = models.DateField(_("contract signed"), null=True)
    commencement_planned = models.DateField(null=True)
    commencement_actual = models.DateField(null=True)
    completion_planned = models.DateField(null=True)
    instalments = models.JSONField(default=list)
    raw = models.JSONField()
    ingested_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        app_label = "monitoring"
        verbose_name = _("land transfer")
        verbose_name_plural = _("land transfers")
        indexes = [models.Index(fields=["use_category", "supply"])]

    def __str__(self) -> str:
        return f"{self.record_id} {self.project}"
