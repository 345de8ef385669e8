"""Where a procurement record comes from: its buyer's region, or the international sample it belongs to.

A Chinese buyer names itself by its unified social credit code (统一社会信用代码, GB 32100): characters 3–8
are the GB/T 2260 code of the registering authority's region, so a record is filed under its buyer's region
without any other field. Records without one keep their source's default region. Records of a source flagged
`foreign_sample` (the international OCDS examples) have no Chinese region at all: the pages say so
("境外样例数据") where the region would be.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.identifiers import is_valid_credit_code
from regions.codes import NATIONAL_CODE, ancestors

FOREIGN_SAMPLE_LABEL = _("International sample data")  # zh-hans: 境外样例数据


def region_code_of_credit_code(code: str) -> str | None:
    """The region code inside a valid credit code (characters 3–8), or None."""
    code = (code or "").strip().upper()
    if not is_valid_credit_code(code):
        return None
    region = code[2:8]
    return region if region.isdigit() and region != NATIONAL_CODE else None


def buyer_region(parsed):
    """The loaded region of the release's buyer (its credit code's region, else the nearest enclosing one)."""
    from regions.models import Region

    buyer = parsed.buyer or parsed.procuring_entity
    code = region_code_of_credit_code(buyer.identifier if buyer else "")
    if code is None:
        return None
    candidates = [code, *(c for c in reversed(ancestors(code)) if c != NATIONAL_CODE)]
    found = {region.code: region for region in Region.objects.filter(code__in=candidates)}
    return next((found[c] for c in candidates if c in found), None)


def is_foreign_sample(record) -> bool:
    """Whether a process, or an alert on procurement records, comes from a source flagged `foreign_sample`."""
    from monitoring.models import Alert
    from monitoring.procurement.models import Process

    if isinstance(record, Process):
        source = record.source
        settings = getattr(source, "procurement_settings", None) if source is not None else None
        return bool(settings and settings.foreign_sample)
    if not isinstance(record, Alert) or record.domain != "procurement" or record.region_id != NATIONAL_CODE:
        return False  # a record filed under a Chinese region is not a foreign sample
    foreign = Process.objects.filter(source__procurement_settings__foreign_sample=True)
    evidence_record = record.evidence.get("record") if isinstance(record.evidence, dict) else None
    ocid = evidence_record.get("ocid") if isinstance(evidence_record, dict) else None
    if isinstance(ocid, str):
        return foreign.filter(ocid=ocid).exists()
    if record.entity_id is None:
        return False
    entity = record.entity_id
    return (
        foreign.filter(buyer_id=entity).exists()
        or foreign.filter(procuring_entity_id=entity).exists()
        or foreign.filter(bids__tenderer_id=entity).exists()
        or foreign.filter(awards__suppliers__id=entity).exists()
    )


def place(record) -> str:
    """What the pages show where a record's region goes: the region's full name, or the sample label."""
    if is_foreign_sample(record):
        return str(FOREIGN_SAMPLE_LABEL)
    region = getattr(record, "region", None)
    return region.full_name if region is not None else ""
