from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from regions.codes import NATIONAL_CODE

region_code_validator = RegexValidator(r"^\d{6}$", _("A region code is six digits (GB/T 2260)."))

__all__ = ["NATIONAL_CODE", "Region", "RegionLevel", "level_of", "region_code_validator"]


class RegionLevel(models.TextChoices):
    COUNTRY = "country", _("Country")
    PROVINCE = "province", _("Province")
    CITY = "city", _("City")
    COUNTY = "county", _("County")


def level_of(code: str) -> RegionLevel:
    if code == NATIONAL_CODE:
        return RegionLevel.COUNTRY
    if code.endswith("0000"):
        return RegionLevel.PROVINCE
    if code.endswith("00"):
        return RegionLevel.CITY
    return RegionLevel.COUNTY


class Region(models.Model):
    """An administrative division (行政区划) identified by its GB/T 2260 code.

    Codes nest by prefix: province ``44xxxx`` › city ``4403xx`` › county ``440305``; the
    whole country is ``000000`` (全国), the jurisdiction of national bodies, and contains all.
    A region contains another when the other's code starts with its prefix, so
    "everything in my jurisdiction" is a prefix match, with no tree walk.
    """

    code = models.CharField(_("code"), max_length=6, primary_key=True, validators=[region_code_validator])
    name = models.CharField(_("name"), max_length=64)
    level = models.CharField(_("level"), max_length=8, choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self) -> str:
        return f"{self.full_name} ({self.code})"

    @property
    def prefix(self) -> str:
        """The code prefix shared by this region and everything inside it."""
        if self.level == RegionLevel.COUNTRY:
            return ""
        if self.level == RegionLevel.PROVINCE:
            return self.code[:2]
        if self.level == RegionLevel.CITY:
            return self.code[:4]
        return self.code

    def contains(self, code: str) -> bool:
        return code.startswith(self.prefix)

    @property
    def full_name(self) -> str:
        names = []
        region: Region | None = self
        while region is not None:
            # 市辖区 / 县 placeholders under municipalities add nothing to a name.
            if region.level != RegionLevel.COUNTRY and region.name not in {
                "市辖区",
                "县",
                "省直辖县级行政区划",
                "自治区直辖县级行政区划",
            }:
                names.append(region.name)
            region = region.parent
        return "".join(reversed(names)) or self.name
