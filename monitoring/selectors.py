from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Count, DateField, Q, QuerySet
from django.db.models.functions import Trunc
from django.utils import timezone

from accounts.roles import Role, has_role
from core.identifiers import normalise_name
from core.jurisdiction import in_jurisdiction
from monitoring import charts
from monitoring.models import Alert, Domain, Entity, LandTransfer, VerificationTask
from monitoring.states import OPEN_ALERT_STATES, AlertState, Severity, TaskState


def counts(alerts: QuerySet[Alert]) -> dict[str, list[dict]]:
    """Alert counts by rule, severity, domain and month, each row with its share of the largest for the bars."""

    def rows(field: str) -> list[dict]:
        data = list(alerts.values(field).annotate(n=Count("pk")).order_by("-n", field))
        top = max((row["n"] for row in data), default=0)
        labels = dict(Severity.choices) if field == "severity" else {}
        return [
            {
                "key": row[field],
                "label": labels.get(row[field], row[field]),
                "n": row["n"],
                "percent": round(row["n"] * 100 / top) if top else 0,
            }
            for row in data
        ]

    return {"rule": rows("rule_code"), "severity": rows("severity"), "domain": rows("domain"), "state": rows("state")}


def open_alerts(alerts: QuerySet[Alert]) -> QuerySet[Alert]:
    return alerts.filter(state__in=OPEN_ALERT_STATES)


def entity_profile(entity: Entity, alerts: QuerySet[Alert]):
    """An entity's alerts among `alerts` (pass the viewer's: `services.alerts_for`)."""
    return alerts.filter(entity=entity).order_by("-raised_at")


def land_transfers_for(user) -> QuerySet[LandTransfer]:
    """The land transfers in the user's jurisdiction (the same rule as `monitoring.services.alerts_for`)."""
    if not getattr(user, "is_authenticated", False) or not (user.is_superuser or has_role(user, Role.INSPECTOR)):
        return LandTransfer.objects.none()
    return in_jurisdiction(LandTransfer.objects.select_related("region"), user)


def entity_transfers(entity: Entity, transfers: QuerySet[LandTransfer], limit: int = 50) -> list[LandTransfer]:
    """The land the entity got, among `transfers` (pass the viewer's: `land_transfers_for`)."""
    return list(transfers.filter(holder=entity).order_by("-signed_on", "-pk")[:limit])


def entity_reports(entity: Entity, reports: QuerySet, limit: int = 50) -> list:
    """Reports naming the entity (by credit code, or by name), among `reports` (pass `petitions.reports.cases_for`)."""
    same = Q(unit_name_key=normalise_name(entity.name)[:140])
    if entity.credit_code:
        same |= Q(unit_key=f"uscc:{entity.credit_code.upper()}")
    return list(reports.filter(same).order_by("-received_at")[:limit])


def open_tasks(user, alerts: QuerySet[Alert]) -> QuerySet[VerificationTask]:
    """The user's open verification tasks on alerts they may see (pass `services.alerts_for`)."""
    if not getattr(user, "is_authenticated", False):
        return VerificationTask.objects.none()
    return (
        VerificationTask.objects.filter(assignee=user, state=TaskState.OPEN, alert__in=alerts.values("pk"))
        .select_related("alert")
        .order_by("due_on", "pk")
    )


# --- charts over time ----------------------------------------------------------------------------

PERIODS = {"30d": (30, "day"), "90d": (90, "week"), "365d": (365, "month"), "all": (None, "month")}
DIMENSIONS = {"domain": "domain", "rule": "rule_code", "severity": "severity", "unit": "entity"}
SEVERITY_ORDER = ["red", "yellow", "blue"]


def filter_alerts(
    alerts: QuerySet[Alert],
    *,
    domain: str = "",
    rule: str = "",
    severity: str = "",
    state: str = "",
    since: date | None = None,
) -> QuerySet[Alert]:
    """The dashboard's filters; an unknown value filters nothing (the form only offers known ones)."""
    if domain in Domain.values:
        alerts = alerts.filter(domain=domain)
    if rule:
        alerts = alerts.filter(rule_code=rule)
    if severity in Severity.values:
        alerts = alerts.filter(severity=severity)
    if state == "open":
        alerts = open_alerts(alerts)
    elif state in AlertState.values:
        alerts = alerts.filter(state=state)
    if since is not None:
        alerts = alerts.filter(raised_at__date__gte=since)
    return alerts


def alerts_over_time(
    alerts: QuerySet[Alert], *, domain: str, rule: str, severity: str, state: str, period: str, today: date
) -> tuple[QuerySet[Alert], list[dict]]:
    """The filtered alerts and their counts over the period, by domain, rule, severity and unit."""
    days, step = PERIODS.get(period, PERIODS["365d"])
    since = today - timedelta(days=days - 1) if days is not None else None
    filtered = filter_alerts(alerts, domain=domain, rule=rule, severity=severity, state=state, since=since)
    if since is None:
        earliest = filtered.order_by("raised_at").values_list("raised_at", flat=True).first()
        since = timezone.localtime(earliest).date() if earliest else today
    series = [
        alert_series(filtered, dimension=dimension, first=since, last=today, step=step) for dimension in DIMENSIONS
    ]
    return filtered, series


def alert_series(alerts: QuerySet[Alert], *, dimension: str, first: date, last: date, step: str, top: int = 6) -> dict:
    """Alert counts per period and per value of a dimension (domain, rule, severity, unit), largest first.

    Values past the `top` largest are summed as one "other" series, so every alert is counted once.
    """
    field = DIMENSIONS[dimension]
    periods = charts.period_starts(first, last, step)
    index = {start: i for i, start in enumerate(periods)}
    rows = (
        alerts.annotate(bucket=Trunc("raised_at", step, output_field=DateField()))
        .values("bucket", field)
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts: dict[object, list[int]] = {}
    for row in rows:
        i = index.get(row["bucket"])
        if i is None:
            continue
        counts.setdefault(row[field], [0] * len(periods))[i] += row["n"]
    keys = sorted(counts, key=lambda k: (-sum(counts[k]), str(k)))
    if dimension == "severity":
        keys = [k for k in SEVERITY_ORDER if k in counts] + [k for k in keys if k not in SEVERITY_ORDER]
    labels = _labels(dimension, keys)
    series = [
        {
            "key": key,
            "label": labels.get(key, str(key)),
            "css": f"sev-{key}" if dimension == "severity" else f"s{n}",
            "counts": counts[key],
            "total": sum(counts[key]),
        }
        for n, key in enumerate(keys[:top])
    ]
    rest = keys[top:]
    if rest:
        other = [sum(counts[k][i] for k in rest) for i in range(len(periods))]
        series.append({"key": "", "label": "…", "css": "s-other", "counts": other, "total": sum(other)})
    return {
        "dimension": dimension,
        "periods": periods,
        "series": series,
        "total": sum(row["total"] for row in series),
        "chart": charts.stacked_bars(periods, series, step=step),
    }


def _labels(dimension: str, keys: list) -> dict:
    if dimension == "domain":
        return {key: str(Domain(key).label) for key in keys if key in Domain.values}
    if dimension == "severity":
        return {key: str(Severity(key).label) for key in keys if key in Severity.values}
    if dimension == "unit":
        names = dict(Entity.objects.filter(pk__in=[k for k in keys if k]).values_list("pk", "name"))
        return {key: names.get(key, "—") if key else "—" for key in keys}
    return {key: str(key) for key in keys}
