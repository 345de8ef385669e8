"""Reads for procurement records: what an inspector may see, and an entity's processes."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from accounts.roles import Role, has_role
from core.jurisdiction import in_jurisdiction
from monitoring.models import Entity
from monitoring.procurement.models import Process


def processes_for(user) -> QuerySet[Process]:
    """The processes in the user's jurisdiction (the same rule as `monitoring.services.alerts_for`)."""
    if not getattr(user, "is_authenticated", False) or not (user.is_superuser or has_role(user, Role.INSPECTOR)):
        return Process.objects.none()
    return in_jurisdiction(Process.objects.select_related("region", "buyer", "procuring_entity", "source"), user)


def process_for(user, ocid: str) -> Process | None:
    return processes_for(user).filter(ocid=ocid).first()


def entity_processes(entity: Entity, processes: QuerySet[Process], limit: int = 50) -> dict[str, list[Process]]:
    """The processes where the entity is buyer (or procuring entity), bidder, or supplier."""
    return {
        "buyer": list(
            processes.filter(Q(buyer=entity) | Q(procuring_entity=entity)).order_by("-release_date", "pk")[:limit]
        ),
        "bidder": list(processes.filter(bids__tenderer=entity).distinct().order_by("-release_date", "pk")[:limit]),
        "supplier": list(processes.filter(awards__suppliers=entity).distinct().order_by("-release_date", "pk")[:limit]),
    }


def linked_ocids(evidence: dict, record_ref: str) -> list[str]:
    """The processes an alert is about: its record, and those its evidence names."""
    ocids = []
    record = evidence.get("record") or {}
    if isinstance(record, dict) and isinstance(record.get("ocid"), str):
        ocids.append(record["ocid"])
    processes = evidence.get("processes")  # a count, not a list, in Cardinal's organisation flags
    for ocid in processes if isinstance(processes, list) else []:
        if isinstance(ocid, str) and ocid not in ocids:
            ocids.append(ocid)
    return ocids
