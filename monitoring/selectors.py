from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any, TypedDict, cast

from django.db.models import Case, CharField, Count, DateField, Exists, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce, Trunc
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role, has_role
from core import charts
from core.identifiers import normalise_name
from core.jurisdiction import in_jurisdiction
from monitoring import verdicts
from monitoring.models import Alert, AlertEvent, Domain, Entity, LandTransfer, VerificationTask
from monitoring.rules import registry
from monitoring.states import OPEN_ALERT_STATES, AlertState, Severity, TaskState
from regions.models import Region

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class _Verdict(TypedDict):
    verdict: str  # verdicts.CONFIRMED or verdicts.DISMISSED


class _AlertCounts(TypedDict):
    alert_count: int
    open_alert_count: int


def rule_titles(rules: Mapping | None = None) -> dict[str, str]:
    """Each rule's title by code, in the active language: `rules` maps codes to rule objects (with a
    `title`); by default every rule of the registry."""
    return {code: str(rule.title) for code, rule in (registry.RULES if rules is None else rules).items()}


def counts(alerts: QuerySet[Alert], titles: Mapping[str, str] | None = None) -> dict[str, list[dict]]:
    """Alert counts by rule, severity, domain and month, each row with its share of the largest for the bars.

    Rules are labelled with their titles (`titles`, by default the registry's), severities, domains and
    states with their names."""

    def rows(field: str) -> list[dict]:
        data = list(alerts.values(field).annotate(n=Count("pk")).order_by("-n", field))
        top = max((row["n"] for row in data), default=0)
        by_field: dict[str, Mapping[Any, Any]] = {
            "severity": dict(Severity.choices),
            "domain": dict(Domain.choices),
            "state": dict(AlertState.choices),
            "rule_code": dict(titles if titles is not None else rule_titles()),
        }
        labels = by_field[field]
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
    """Reports naming the entity (by credit code, or by name), among `reports` (pass the viewer's:
    `core.records.visible_to(user, "reports")`)."""
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
    alerts: QuerySet[Alert],
    *,
    domain: str,
    rule: str,
    severity: str,
    state: str,
    period: str,
    today: date,
    titles: Mapping[str, str] | None = None,
) -> tuple[QuerySet[Alert], list[dict]]:
    """The filtered alerts and their counts over the period, by domain, rule, severity and unit."""
    days, step = PERIODS.get(period, PERIODS["365d"])
    since = today - timedelta(days=days - 1) if days is not None else None
    filtered = filter_alerts(alerts, domain=domain, rule=rule, severity=severity, state=state, since=since)
    if since is None:
        earliest = filtered.order_by("raised_at").values_list("raised_at", flat=True).first()
        since = timezone.localtime(earliest).date() if earliest else today
    titles = titles if titles is not None else rule_titles()
    series = [
        alert_series(filtered, dimension=dimension, first=since, last=today, step=step, titles=titles)
        for dimension in DIMENSIONS
    ]
    return filtered, series


def alert_series(
    alerts: QuerySet[Alert],
    *,
    dimension: str,
    first: date,
    last: date,
    step: str,
    top: int = 6,
    titles: Mapping[str, str] | None = None,
) -> dict:
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
    labels = _labels(dimension, keys, titles)
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
        "chart": charts.stacked_columns(periods, series, step=step, name=str(_("Alerts per period"))),
    }


def _labels(dimension: str, keys: list, titles: Mapping[str, str] | None = None) -> dict:
    if dimension == "domain":
        return {key: str(Domain(key).label) for key in keys if key in Domain.values}
    if dimension == "severity":
        return {key: str(Severity(key).label) for key in keys if key in Severity.values}
    if dimension == "unit":
        names = dict(Entity.objects.filter(pk__in=[k for k in keys if k]).values_list("pk", "name"))
        return {key: names.get(key, "—") if key else "—" for key in keys}
    if dimension == "rule":
        titles = titles if titles is not None else rule_titles()
        return {key: titles.get(key, str(key)) for key in keys}
    return {key: str(key) for key in keys}


# --- rule verdicts ---------------------------------------------------------------------------------


def rule_verdicts(alerts: QuerySet[Alert], *, rules: Mapping | None = None, prefix: str = "") -> verdicts.VerdictTable:
    """Each rule's confirmed and dismissed alerts among `alerts`, by domain, and by region one level below
    the jurisdiction whose code prefix is `prefix` ("" for the whole country); see `decided_alerts`.
    `rules`: by default every rule of the registry."""
    rules = registry.RULES if rules is None else rules
    rows = list(
        decided_alerts(alerts)
        .values_list("rule_code", "domain", "region_id", "verdict")
        .annotate(n=Count("pk"))
        .order_by()
    )
    group = verdicts.region_group(prefix)
    places = {group(region) for _, _, region, _, _ in rows}
    names = {
        region.code: region.full_name
        for region in Region.objects.filter(code__in=places).select_related("parent__parent__parent")
    }
    return verdicts.tally(
        rows,
        rule_titles=rule_titles(rules),
        rule_domains={code: rule.domain for code, rule in rules.items()},
        domain_labels={value: str(label) for value, label in Domain.choices},
        group=group,
        region_names=names,
    )


def decided_alerts(alerts: QuerySet[Alert]) -> QuerySet[WithAnnotations[Alert, _Verdict]]:
    """The alerts an inspector has confirmed or dismissed, each with its `verdict` (confirmed or dismissed).

    A closed alert counts with the decision taken before it was closed (its history), so closing a case does
    not take its verdict away."""
    history = AlertEvent.objects.filter(alert=OuterRef("pk"))
    closed = Q(state=AlertState.CLOSED)
    verdict = Case(
        When(state=AlertState.CONFIRMED, then=Value(verdicts.CONFIRMED)),
        When(state=AlertState.DISMISSED, then=Value(verdicts.DISMISSED)),
        When(closed & Exists(history.filter(to_state=AlertState.CONFIRMED)), then=Value(verdicts.CONFIRMED)),
        When(closed & Exists(history.filter(to_state=AlertState.DISMISSED)), then=Value(verdicts.DISMISSED)),
        default=Value(""),
        output_field=CharField(),
    )
    return (
        alerts.filter(state__in=[AlertState.CONFIRMED, AlertState.DISMISSED, AlertState.CLOSED])
        .annotate(verdict=verdict)
        .exclude(verdict="")
    )


def jurisdiction_prefix(user) -> str:
    """The code prefix of the user's jurisdiction; "" (the whole country) for a superuser without one."""
    region = getattr(user, "jurisdiction", None)
    return region.prefix if region is not None else ""


# --- one entity's timeline -------------------------------------------------------------------------

TIMELINE_PER_KIND = 200  # the latest records of each kind on the timeline; the counts are of all of them
TIMELINE_PAGE = 30


class Kind:
    ALERT = "alert"
    TASK = "task"
    PROCUREMENT = "procurement"
    LAND = "land"
    APPROVAL = "approval"
    REPORT = "report"


KIND_LABELS = {
    Kind.ALERT: _("Alerts"),
    Kind.TASK: _("Verification tasks"),
    Kind.PROCUREMENT: _("Procurement processes"),
    Kind.LAND: _("Land transfers"),
    Kind.APPROVAL: _("Approval cases"),
    Kind.REPORT: _("Reports"),
}
KIND_DOMAINS = {Kind.PROCUREMENT: Domain.PROCUREMENT, Kind.LAND: Domain.LAND, Kind.APPROVAL: Domain.APPROVAL}

# OCDS tender statuses (codelist tenderStatus), as the pages name them.
TENDER_STATUS = {
    "planning": _("Planning"),
    "planned": _("Planned"),
    "active": _("Open for tenders"),
    "cancelled": _("Cancelled"),
    "unsuccessful": _("Unsuccessful"),
    "complete": _("Complete"),
    "withdrawn": _("Withdrawn"),
}
ROLE_LABELS = {
    "buyer": _("buyer"),
    "bidder": _("bidder"),
    "supplier": _("supplier"),
    "department": _("approving department"),
    "applicant": _("applicant"),
    "handler": _("handling officer"),
    "holder": _("land user"),
    "subject": _("named in the alert"),
    "reported": _("unit reported"),
}


@dataclass(frozen=True)
class TimelineItem:
    """One record on an entity's timeline: what, when, the entity's part in it, and its state, in words."""

    kind: str
    at: datetime
    title: str
    url: str
    reference: str = ""  # the record's own number (case number, ocid, supervision number)
    roles: tuple[tuple[str, str], ...] = ()  # (marker, label): the entity's part, e.g. ("as-buyer", "采购人")
    state: str = ""
    severity: str = ""  # an alert's severity (css key) and its label
    severity_label: str = ""
    rule: str = ""  # an alert's rule, by title
    due_on: date | None = None
    overdue: bool = False
    escalation: str = ""

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS[self.kind])


@dataclass
class EntityTimeline:
    items: list[TimelineItem]
    counts: dict[str, int]  # records of each kind in the viewer's jurisdiction (all, not only those listed)
    truncated: dict[str, int] = field(default_factory=dict)  # kinds listed only in part: their totals
    alerts_by_domain: list[dict] = field(default_factory=list)
    alerts_by_rule: list[dict] = field(default_factory=list)
    risk: dict = field(default_factory=dict)
    limit: int = TIMELINE_PER_KIND

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def kinds(self) -> list[dict]:
        return [
            {"key": kind, "label": str(label), "n": self.counts.get(kind, 0)} for kind, label in KIND_LABELS.items()
        ]


def _moment(value: date | datetime | None, fallback: datetime) -> datetime:
    if value is None:
        return fallback
    if isinstance(value, datetime):
        return value
    return timezone.make_aware(datetime.combine(value, time.min))


def _roles(kind: str, *keys: str) -> tuple[tuple[str, str], ...]:
    """The entity's parts in a record, each with a marker for the page ("as-buyer"; "approval-as-applicant")."""
    prefix = "" if kind == Kind.PROCUREMENT else f"{kind}-"
    return tuple((f"{prefix}as-{key}", str(ROLE_LABELS[key])) for key in keys)


def entity_timeline(
    entity: Entity,
    *,
    alerts: QuerySet[Alert],
    transfers: QuerySet[LandTransfer],
    processes: QuerySet,
    cases: QuerySet,
    reports: QuerySet,
    today: date,
    rules: Mapping | None = None,
    kind: str = "",
    limit: int = TIMELINE_PER_KIND,
) -> EntityTimeline:
    """Everything the viewer may see about `entity`, newest first: its alerts and their verification tasks,
    the procurement processes, land transfers and approval cases it takes part in, and the reports about it.

    Pass the viewer's records (`services.alerts_for`, `land_transfers_for`, the procurement and approval
    `processes_for` / `cases_for`, and `core.records.visible_to(user, "reports")`: the reports app's rule, which
    leaves out reports about the viewer or their unit). Reports show only that they exist, when they came and their state: never who reported
    or what they wrote. `kind` keeps one kind of record on the list; the counts and the summary are of all.
    """
    titles = rule_titles(rules)
    own_alerts = alerts.filter(entity=entity)
    own_tasks = VerificationTask.objects.filter(alert__in=own_alerts.values("pk")).select_related("alert")
    own_transfers = transfers.filter(holder=entity)
    own_processes = processes.filter(
        Q(buyer=entity) | Q(procuring_entity=entity) | Q(bids__tenderer=entity) | Q(awards__suppliers=entity)
    ).distinct()
    own_cases = cases.filter(
        Q(department=entity) | Q(applicant=entity) | Q(steps__handler=entity) | Q(steps__handler_department=entity)
    ).distinct()
    own_reports = reports.filter(_reports_about(entity))
    querysets = {
        Kind.ALERT: own_alerts,
        Kind.TASK: own_tasks,
        Kind.PROCUREMENT: own_processes,
        Kind.LAND: own_transfers,
        Kind.APPROVAL: own_cases,
        Kind.REPORT: own_reports,
    }
    counts = {key: qs.count() for key, qs in querysets.items()}
    builders = {
        Kind.ALERT: lambda: _alert_items(own_alerts, titles, limit),
        Kind.TASK: lambda: _task_items(own_tasks, today, limit),
        Kind.PROCUREMENT: lambda: _process_items(own_processes, entity, limit),
        Kind.LAND: lambda: _transfer_items(own_transfers, limit),
        Kind.APPROVAL: lambda: _case_items(own_cases, entity, limit),
        Kind.REPORT: lambda: _report_items(own_reports, limit),
    }
    items: list[TimelineItem] = []
    for key, build in builders.items():
        if kind and key != kind:
            continue
        if counts[key]:
            items.extend(build())
    items.sort(key=lambda item: item.at, reverse=True)
    truncated = {key: n for key, n in counts.items() if n > limit and (not kind or key == kind)}
    return EntityTimeline(
        items=items,
        counts=counts,
        truncated=truncated,
        alerts_by_domain=_bars(own_alerts, "domain", {value: str(label) for value, label in Domain.choices}),
        alerts_by_rule=_bars(own_alerts, "rule_code", titles),
        risk=_risk(own_alerts, own_tasks, today),
        limit=limit,
    )


def _bars(alerts: QuerySet[Alert], field_name: str, labels: Mapping[str, str]) -> list[dict]:
    data = list(alerts.values(field_name).annotate(n=Count("pk")).order_by("-n", field_name))
    top = max((row["n"] for row in data), default=0)
    return [
        {
            "key": row[field_name],
            "label": labels.get(row[field_name], row[field_name]),
            "n": row["n"],
            "percent": round(row["n"] * 100 / top) if top else 0,
        }
        for row in data
    ]


def _risk(alerts: QuerySet[Alert], tasks: QuerySet[VerificationTask], today: date) -> dict:
    """The short risk summary: open alerts by severity, decided alerts, open and overdue tasks."""
    open_by_severity = dict(open_alerts(alerts).values_list("severity").annotate(n=Count("pk")).order_by())
    decided = dict(decided_alerts(alerts).values_list("verdict").annotate(n=Count("pk")).order_by())
    open_tasks_ = tasks.filter(state=TaskState.OPEN)
    return {
        "open": sum(open_by_severity.values()),
        "open_by_severity": [
            {"key": key, "label": str(Severity(key).label), "n": open_by_severity[key]}
            for key in SEVERITY_ORDER
            if open_by_severity.get(key)
        ],
        "confirmed": decided.get(verdicts.CONFIRMED, 0),
        "dismissed": decided.get(verdicts.DISMISSED, 0),
        "open_tasks": open_tasks_.count(),
        "overdue_tasks": open_tasks_.filter(due_on__lt=today).count(),
    }


def _reports_about(entity: Entity) -> Q:
    same = Q(unit_name_key=normalise_name(entity.name)[:140])
    if entity.credit_code:
        code = entity.credit_code.upper()
        same |= Q(unit_key=f"uscc:{code}") | Q(subject_unit_code=code)
    return same


def _alert_items(alerts: QuerySet[Alert], titles: Mapping[str, str], limit: int) -> list[TimelineItem]:
    return [
        TimelineItem(
            kind=Kind.ALERT,
            at=alert.raised_at,
            title=alert.title,
            url=reverse("monitoring:alert", args=[alert.public_id]),
            roles=_roles(Kind.ALERT, "subject"),
            state=alert.get_state_display(),
            severity=alert.severity,
            severity_label=alert.get_severity_display(),
            rule=titles.get(alert.rule_code, ""),
        )
        for alert in alerts.order_by("-raised_at", "-pk")[:limit]
    ]


def _task_items(tasks: QuerySet[VerificationTask], today: date, limit: int) -> list[TimelineItem]:
    return [
        TimelineItem(
            kind=Kind.TASK,
            at=task.completed_at or task.created_at,
            title=task.alert.title,
            url=reverse("monitoring:alert", args=[task.alert.public_id]),
            state=task.get_state_display(),
            due_on=task.due_on,
            overdue=task.state == TaskState.OPEN and task.due_on < today,
            escalation=task.escalation if task.state == TaskState.OPEN else "",
        )
        for task in tasks.order_by("-created_at", "-pk")[:limit]
    ]


def _process_items(processes: QuerySet, entity: Entity, limit: int) -> list[TimelineItem]:
    listed = list(
        processes.annotate(at=Coalesce("release_date", "tender_start", "ingested_at")).order_by("-at", "-pk")[:limit]
    )
    ids = [p.pk for p in listed]
    bidder = set(processes.model.objects.filter(pk__in=ids, bids__tenderer=entity).values_list("pk", flat=True))
    supplier = set(processes.model.objects.filter(pk__in=ids, awards__suppliers=entity).values_list("pk", flat=True))
    items = []
    for process in listed:
        roles = []
        if entity.pk in (process.buyer_id, process.procuring_entity_id):
            roles.append("buyer")
        if process.pk in bidder:
            roles.append("bidder")
        if process.pk in supplier:
            roles.append("supplier")
        items.append(
            TimelineItem(
                kind=Kind.PROCUREMENT,
                at=process.at,
                title=process.title or process.ocid,
                url=reverse("monitoring:process", args=[process.ocid]),
                reference=process.ocid,
                roles=_roles(Kind.PROCUREMENT, *roles),
                state=str(TENDER_STATUS.get(process.status, "")),
            )
        )
    return items


def _transfer_items(transfers: QuerySet[LandTransfer], limit: int) -> list[TimelineItem]:
    return [
        TimelineItem(
            kind=Kind.LAND,
            at=_moment(transfer.signed_on, transfer.ingested_at),
            title=transfer.project,
            url="",
            reference=transfer.record_id,
            roles=_roles(Kind.LAND, "holder"),
            state=" · ".join(part for part in (transfer.supply, transfer.use) if part),
        )
        for transfer in transfers.order_by(Coalesce("signed_on", "ingested_at__date").desc(), "-pk")[:limit]
    ]


def _case_items(cases: QuerySet, entity: Entity, limit: int) -> list[TimelineItem]:
    listed = list(cases.order_by("-received_at", "-pk")[:limit])
    ids = [c.pk for c in listed]
    handled = set(
        cases.model.objects.filter(pk__in=ids)
        .filter(Q(steps__handler=entity) | Q(steps__handler_department=entity))
        .values_list("pk", flat=True)
    )
    items = []
    for case in listed:
        roles = [
            role
            for role, present in (
                ("department", case.department_id == entity.pk),
                ("applicant", case.applicant_id == entity.pk),
                ("handler", case.pk in handled),
            )
            if present
        ]
        items.append(
            TimelineItem(
                kind=Kind.APPROVAL,
                at=case.received_at,
                title=case.matter.name,
                url=reverse("approvals:case", args=[case.pk]),
                reference=case.case_number,
                roles=_roles(Kind.APPROVAL, *roles),
                state=case.get_outcome_display(),
            )
        )
    return items


def _report_items(reports: QuerySet, limit: int) -> list[TimelineItem]:
    # Existence, date and state only: the reporter and what they wrote stay on the case page, behind its checks.
    return [
        TimelineItem(
            kind=Kind.REPORT,
            at=report.received_at,
            title=str(_("Report received")),
            url=reverse("reports:staff_detail", args=[report.public_id]),
            reference=report.reference,
            roles=_roles(Kind.REPORT, "reported"),
            state=report.get_state_display(),
        )
        for report in reports.select_related(None)
        .order_by("-received_at", "-pk")
        .only("pk", "public_id", "received_at", "state")[:limit]
    ]


# --- finding an entity -----------------------------------------------------------------------------


def entities_in_scope(
    *,
    alerts: QuerySet[Alert],
    transfers: QuerySet[LandTransfer],
    processes: QuerySet,
    cases: QuerySet,
    reports: QuerySet,
) -> QuerySet[Entity]:
    """The entities with at least one record among the viewer's: the ones whose page they may open."""
    reported = reports.order_by()
    in_scope = (
        Q(pk__in=alerts.order_by().values("entity"))
        | Q(pk__in=transfers.order_by().values("holder"))
        | Q(pk__in=processes.order_by().values("buyer"))
        | Q(pk__in=processes.order_by().values("procuring_entity"))
        | Q(pk__in=processes.order_by().values("bids__tenderer"))
        | Q(pk__in=processes.order_by().values("awards__suppliers"))
        | Q(pk__in=cases.order_by().values("department"))
        | Q(pk__in=cases.order_by().values("applicant"))
        | Q(pk__in=cases.order_by().values("steps__handler"))
        | Q(pk__in=cases.order_by().values("steps__handler_department"))
        | Q(name_key__in=reported.values("unit_name_key"))
        | Q(credit_code__in=reported.exclude(subject_unit_code="").values("subject_unit_code"))
    )
    return Entity.objects.filter(in_scope)


def search_entities(query: str, scope: QuerySet[Entity], alerts: QuerySet[Alert] | None = None) -> QuerySet[Entity]:
    """Entities among `scope` whose name contains the query, or whose credit code starts with it; those with
    the most of `alerts` (the viewer's) first, then by name."""
    query = (query or "").strip()[:100]
    if not query:
        return scope.none()
    match = Q(name__icontains=query) | Q(credit_code__startswith=query.upper())
    key = normalise_name(query)
    if key:
        match |= Q(name_key__contains=key)
    found = scope.filter(match)
    if alerts is None:
        return found.order_by("name", "pk")
    named = alerts.filter(entity=OuterRef("pk")).order_by().values("entity").annotate(n=Count("pk")).values("n")
    return found.annotate(n_alerts=Coalesce(Subquery(named), 0)).order_by("-n_alerts", "name", "pk")


def with_alert_counts(entities: list[Entity], alerts: QuerySet[Alert]) -> list[Entity]:
    """The entities, each with `open_alert_count` and `alert_count`: how many of the viewer's alerts name it."""
    ids = [entity.pk for entity in entities]
    mine = alerts.filter(entity__in=ids).order_by()
    total = dict(mine.values_list("entity").annotate(n=Count("pk")))
    still_open = dict(open_alerts(mine).values_list("entity").annotate(n=Count("pk")))
    for entity in cast("list[WithAnnotations[Entity, _AlertCounts]]", entities):
        entity.alert_count = total.get(entity.pk, 0)
        entity.open_alert_count = still_open.get(entity.pk, 0)
    return entities


def most_alerted(alerts: QuerySet[Alert], limit: int = 20) -> list[Entity]:
    """The entities with the most open alerts among the viewer's, most first."""
    rows = list(open_alerts(alerts).exclude(entity=None).order_by().values_list("entity").annotate(n=Count("pk")))
    rows.sort(key=lambda row: (-row[1], row[0]))
    found = Entity.objects.in_bulk([entity_id for entity_id, _ in rows[:limit]])
    return [found[entity_id] for entity_id, _ in rows[:limit] if entity_id in found]
