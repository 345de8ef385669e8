from __future__ import annotations

from datetime import date

from django.db.models import Count, F, QuerySet
from django.db.models.functions import TruncDate, TruncWeek
from django.utils import timezone

from core.jurisdiction import in_jurisdiction
from petitions.models import Petition, PetitionStatus, SignatureAlert
from petitions.models.petitions import PUBLIC_STATUSES
from petitions.response_clock import response_escalation
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


def public_petitions(status: str | None = None) -> QuerySet[Petition]:
    """Open and closed petitions, the most signed first, for the API."""
    statuses = [status] if status else list(PUBLIC_STATUSES)
    return (
        Petition.objects.filter(status__in=statuses)
        .select_related("region")
        .order_by("-signature_count", "-opened_at", "-pk")
    )


def response_queue(user) -> list[Petition]:
    """The petitions past the response threshold in the staff member's jurisdiction: the unanswered ones first,
    soonest due first; then the answered ones, latest first."""
    rows = in_jurisdiction(
        Petition.objects.filter(response_threshold_reached_at__isnull=False).select_related("region"), user
    )
    awaiting = rows.filter(response_published_at__isnull=True).order_by(F("response_due_on").asc(nulls_last=True))
    answered = rows.filter(response_published_at__isnull=False).order_by("-response_published_at")[:50]
    return [*awaiting, *answered]


def signatures_over_time(petition: Petition, *, max_rows: int = 26) -> list[dict]:
    """Confirmed signatures per day (per week past `max_rows` days), with the share of the busiest bucket.

    One aggregate query; days without a signature are left out."""
    confirmed = petition.signatures.filter(confirmed_at__isnull=False, sponsor=False)
    first = confirmed.order_by("confirmed_at").values_list("confirmed_at", flat=True).first()
    if first is None:
        return []
    weekly = (timezone.now() - first).days >= max_rows
    bucket = TruncWeek("confirmed_at") if weekly else TruncDate("confirmed_at")
    rows = list(confirmed.annotate(bucket=bucket).values("bucket").annotate(n=Count("pk")).order_by("bucket"))
    rows = rows[-max_rows:]
    top = max((row["n"] for row in rows), default=0)
    result = []
    for row in rows:
        day = row["bucket"].date() if hasattr(row["bucket"], "date") else row["bucket"]
        result.append({"start": day, "weekly": weekly, "count": row["n"], "percent": round(row["n"] * 100 / top)})
    return result


def response_facts(petition: Petition, today: date | None = None) -> dict:
    """The clock as people read it: due date, days left or overdue, and the escalation level as of today
    (the stored level is what staff were last told; the page never waits for the hourly job)."""
    today = today or timezone.localdate()
    due = petition.response_due_on
    return {
        "level": response_escalation(due, today, answered=petition.has_response).value,
        "due_on": due,
        "days_left": (due - today).days if due and petition.awaits_response else None,
        "overdue": petition.response_overdue(today),
        "days_overdue": (today - due).days if due and petition.response_overdue(today) else 0,
    }
