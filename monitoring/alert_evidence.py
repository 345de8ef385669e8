"""What the alert page shows of an alert's evidence: the explanation, the chart, links and the people in it.

A selector (reads only): the evidence stays as stored (`Alert.evidence`); the explanation is computed here at
render time (`monitoring.explain`), in the viewer's language and within the viewer's jurisdiction.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import charts
from monitoring.approvals import selectors as approval_selectors
from monitoring.explain import explain, text
from monitoring.explain.approval import ROLES as APPROVAL_ROLES
from monitoring.explain.land import category
from monitoring.explain.procurement import role_label
from monitoring.models import Alert, Domain, Entity
from monitoring.procurement import selectors as procurement_selectors
from monitoring.rules import registry
from regions.models import Region

LAND_USER = gettext_lazy("Land user")


def evidence_context(alert: Alert, user) -> dict[str, Any]:
    evidence = alert.evidence if isinstance(alert.evidence, dict) else {}
    processes = _processes(alert, evidence, user)
    names = _namer(evidence, processes)
    explanation = explain(alert.rule_code, evidence, names)
    chart = None
    if (d := explanation.distribution) is not None:
        chart = charts.distribution_strip(
            d.value,
            d.fence,
            d.q1,
            d.q3,
            side=d.side,
            log=d.log,
            caption=d.caption,
            labels=d.labels,
            labelledby="distribution-caption",
        )
    case, case_url = _case(alert, evidence, user)
    return {
        "rule": registry.get(alert.rule_code),
        "explanation": explanation,
        "chart": chart,
        "processes": processes,
        "case": case,
        "case_url": case_url,
        "case_number": _case_number(alert, evidence) if case is None else None,
        "entities": _entities(alert, evidence, explanation.people, case),
        "land_facts": _land_facts(alert),
    }


def _processes(alert: Alert, evidence: dict, user) -> list:
    if alert.domain != Domain.PROCUREMENT:
        return []
    # The record's process, then those the evidence names. Cardinal's organisation flags (R025, R038, R048)
    # store `processes` as a count, not a list.
    record = evidence.get("record") if isinstance(evidence.get("record"), dict) else {}
    candidates = [record.get("ocid")]
    for key in ("processes", "ocids"):
        if isinstance(evidence.get(key), list):
            candidates += evidence[key]
    if isinstance(evidence.get("awards"), list):
        candidates += [a.get("ocid") for a in evidence["awards"] if isinstance(a, dict)]
    ocids: list[str] = []
    for ocid in candidates:
        if isinstance(ocid, str) and ocid and ocid not in ocids:
            ocids.append(ocid)
    found = {p.ocid: p for p in procurement_selectors.processes_for(user).filter(ocid__in=ocids)}
    return [found[ocid] for ocid in ocids if ocid in found]


def _namer(evidence: dict, processes: list):
    """OCDS organisation ids → names from the processes' parties (and the flagged organisation's record)."""
    known: dict[str, str] = {}
    for process in processes:
        for party in (process.release or {}).get("parties") or []:
            if isinstance(party, dict) and party.get("id") is not None and party.get("name"):
                known.setdefault(str(party["id"]), str(party["name"]))
    record = evidence.get("record") if isinstance(evidence.get("record"), dict) else {}
    if record.get("organisation") and record.get("name"):
        known.setdefault(str(record["organisation"]), str(record["name"]))

    def names(identifier: str) -> str:
        if identifier.startswith("region:"):
            region = Region.objects.filter(code=identifier.removeprefix("region:")).first()
            return region.name if region else _("the same province")
        return known.get(identifier, identifier)

    return names


def _case(alert: Alert, evidence: dict, user):
    if alert.domain != Domain.APPROVAL:
        return None, ""
    record = evidence.get("record") if isinstance(evidence.get("record"), dict) else {}
    case_id = record.get("case")
    if not isinstance(case_id, int):
        return None, ""
    case = (
        approval_selectors.cases_for(user)
        .select_related("applicant", "department", "matter")
        .filter(pk=case_id)
        .first()
    )
    return case, reverse("approvals:case", args=[case_id]) if case is not None else ""


def _case_number(alert: Alert, evidence: dict) -> str | None:
    record = evidence.get("record")
    if alert.domain != Domain.APPROVAL or not isinstance(record, dict):
        return None
    return record.get("id")


def _alert_entity_role(alert: Alert, evidence: dict) -> str:
    if alert.domain == Domain.LAND:
        return str(LAND_USER)
    if alert.domain == Domain.APPROVAL:
        if alert.rule_code == "A008":
            return str(APPROVAL_ROLES["reviewer"])
        if alert.rule_code == "A003" and alert.entity is not None and alert.entity.kind == Entity.Kind.PERSON:
            return str(APPROVAL_ROLES["handler"])
        return str(APPROVAL_ROLES["department"])
    organisation = evidence.get("organisation")
    if isinstance(organisation, dict) and organisation.get("role"):
        return role_label(organisation["role"])
    return role_label("supplier" if alert.rule_code == "P104" else "buyer")


def _entities(alert: Alert, evidence: dict, people: list[tuple[str, str]], case) -> list[tuple[str, Entity]]:
    """(role label, entity) for the alert's entity and the organisations and officials its evidence names."""
    listed: list[tuple[str, Entity]] = []
    seen: set[int] = set()

    def add(role: str, entity: Entity | None) -> None:
        if entity is not None and entity.pk not in seen:
            seen.add(entity.pk)
            listed.append((role, entity))

    add(_alert_entity_role(alert, evidence), alert.entity)
    if case is not None:
        add(str(APPROVAL_ROLES["applicant"]), case.applicant)
        add(str(APPROVAL_ROLES["department"]), case.department)
    wanted = [(role, name) for role, name in people if name and name != text.DASH][:20]
    if wanted and alert.domain == Domain.PROCUREMENT:
        by_name = {e.name: e for e in Entity.objects.filter(name__in=[name for _, name in wanted])}
        for role, name in wanted:
            add(role, by_name.get(name))
    return listed


def _land_facts(alert: Alert) -> list[tuple[str, str]]:
    transfer = alert.land_transfer
    if transfer is None:
        return []
    facts = [
        (_("Electronic supervision number"), transfer.record_id),
        (_("Project"), transfer.project),
        (_("Location"), transfer.location),
        (_("Use"), f"{transfer.use}（{category(transfer.use_category)}）" if transfer.use_category else transfer.use),
        (_("Supply"), transfer.supply),
        (_("Area"), _("%(n)s hectares") % {"n": text.number(transfer.area_ha, 4)}),
        (_("Price"), text.wan(transfer.price_wan) if transfer.price_wan is not None else text.DASH),
        (_("Contract signed"), text.day(transfer.signed_on)),
    ]
    if transfer.unit_price:
        facts.insert(7, (_("Unit price"), _("%(amount)s yuan/m²") % {"amount": text.number(transfer.unit_price)}))
    return [(label, value) for label, value in facts if value not in (None, "")]
