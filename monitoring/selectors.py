from __future__ import annotations

from django.db.models import Count, QuerySet

from monitoring.models import Alert, Entity
from monitoring.states import OPEN_ALERT_STATES


def counts(alerts: QuerySet[Alert]) -> dict[str, list[dict]]:
    """Alert counts by rule, severity, domain and month, each row with its share of the largest for the bars."""

    def rows(field: str) -> list[dict]:
        data = list(alerts.values(field).annotate(n=Count("pk")).order_by("-n", field))
        top = max((row["n"] for row in data), default=0)
        return [
            {"key": row[field], "n": row["n"], "percent": round(row["n"] * 100 / top) if top else 0} for row in data
        ]

    return {"rule": rows("rule_code"), "severity": rows("severity"), "domain": rows("domain"), "state": rows("state")}


def open_alerts(alerts: QuerySet[Alert]) -> QuerySet[Alert]:
    return alerts.filter(state__in=OPEN_ALERT_STATES)


def entity_profile(entity: Entity, alerts: QuerySet[Alert]):
    """An entity's alerts in the viewer's jurisdiction, and reports naming it (for inspectors who may see them)."""
    return alerts.filter(entity=entity).order_by("-raised_at")
