from __future__ import annotations

from django.db.models import Count, QuerySet

from petitions.models import Petition, PetitionStatus, SignatureAlert
from petitions.services import can_moderate
from regions.codes import province_of


def open_petitions() -> QuerySet[Petition]:
    return (
        Petition.objects.filter(status=PetitionStatus.OPEN)
        .select_related("region")
        .order_by("-signature_count", "-opened_at")
    )


def closed_petitions() -> QuerySet[Petition]:
    return Petition.objects.filter(status=PetitionStatus.CLOSED).select_related("region").order_by("-closes_at")


def signatures_by_region(petition: Petition) -> list[dict]:
    """Confirmed signatures by province, largest first, with the share for the chart."""
    rows = (
        petition.signatures.filter(confirmed_at__isnull=False, sponsor=False)
        .values("region__code", "region__name")
        .annotate(n=Count("pk"))
        .order_by("-n")
    )
    by_province: dict[str, dict] = {}
    from regions.models import Region

    provinces = {r.code: r.name for r in Region.objects.filter(level="province")}
    for row in rows:
        code = province_of(row["region__code"])
        entry = by_province.setdefault(code, {"code": code, "name": provinces.get(code, code), "count": 0})
        entry["count"] += row["n"]
    result = sorted(by_province.values(), key=lambda e: -e["count"])
    top = max((e["count"] for e in result), default=0)
    for entry in result:
        entry["percent"] = round(entry["count"] * 100 / top) if top else 0
    return result


def open_alerts(user) -> list[SignatureAlert]:
    return [
        a
        for a in SignatureAlert.objects.filter(resolved=False).select_related("petition")[:200]
        if can_moderate(user, a.petition)
    ]
