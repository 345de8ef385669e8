"""The inspectors' dashboard, alert pages and entity profiles. Thin: parse, call, render."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.roles import Role
from core import records
from core.permissions import role_required
from monitoring import selectors, services
from monitoring.alert_evidence import evidence_context
from monitoring.approvals import selectors as approval_selectors
from monitoring.models import Alert, Domain, Entity
from monitoring.procurement import selectors as procurement_selectors
from monitoring.rules.registry import RULES
from monitoring.states import ALERT_TRANSITIONS, AlertState, Severity

inspector_required = role_required(Role.INSPECTOR, Role.ADMINISTRATOR, second_factor=True)


@inspector_required
def dashboard(request):
    alerts = services.alerts_for(request.user)
    domain, rule, severity, state, period = (
        request.GET.get("domain", ""),
        request.GET.get("rule", ""),
        request.GET.get("severity", ""),
        request.GET.get("state", "open"),
        request.GET.get("period", "365d"),
    )
    period = period if period in selectors.PERIODS else "365d"
    filtered, series = selectors.alerts_over_time(
        alerts, domain=domain, rule=rule, severity=severity, state=state, period=period, today=timezone.localdate()
    )
    tasks = selectors.open_tasks(request.user, alerts)
    return render(
        request,
        "monitoring/dashboard.html",
        {
            "jurisdiction": request.user.jurisdiction,
            "counts": selectors.counts(alerts),
            "alerts": Paginator(filtered.order_by("-raised_at"), 50).get_page(request.GET.get("page")),
            "rules": RULES,
            "filters": {"domain": domain, "rule": rule, "severity": severity, "state": state, "period": period},
            "severities": Severity.choices,
            "states": AlertState.choices,
            "domains": Domain.choices,
            "periods": selectors.PERIODS,
            "series": series,
            "tasks": tasks,
            "verdicts": selectors.rule_verdicts(alerts, prefix=selectors.jurisdiction_prefix(request.user)),
        },
    )


def _alert(request, public_id) -> Alert:
    alert = get_object_or_404(Alert.objects.select_related("region", "entity", "land_transfer"), public_id=public_id)
    if not services.alerts_for(request.user).filter(pk=alert.pk).exists():
        raise PermissionDenied
    return alert


@inspector_required
def alert_detail(request, public_id):
    alert = _alert(request, public_id)
    return render(
        request,
        "monitoring/alert.html",
        {
            "alert": alert,
            **evidence_context(alert, request.user),
            "events": alert.events.select_related("actor"),
            "task": getattr(alert, "task", None),
            "targets": [
                (state, AlertState(state).label) for state in ALERT_TRANSITIONS.get(AlertState(alert.state), ())
            ],
        },
    )


@require_POST
@inspector_required
def alert_move(request, public_id):
    alert = _alert(request, public_id)
    try:
        services.move_alert(
            alert=alert, user=request.user, target=request.POST.get("target", ""), note=request.POST.get("note", "")
        )
        messages.success(request, _("Recorded."))
    except (ValidationError, ValueError) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    return redirect("monitoring:alert", public_id)


@require_POST
@inspector_required
def task_create(request, public_id):
    alert = _alert(request, public_id)
    try:
        services.create_task(alert=alert, user=request.user)
        messages.success(request, _("A verification task was created."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("monitoring:alert", public_id)


@require_POST
@inspector_required
def task_result(request, public_id):
    alert = _alert(request, public_id)
    try:
        services.record_result(
            task=alert.task, user=request.user, result=request.POST.get("result", ""), upload=request.FILES.get("file")
        )
        messages.success(request, _("The verification result is recorded."))
    except (ValidationError, Alert.task.RelatedObjectDoesNotExist) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    return redirect("monitoring:alert", public_id)


def _viewers_records(user) -> dict:
    """Every kind of record the viewer may see: their jurisdiction, and (reports) not about them or their unit."""
    return {
        "alerts": services.alerts_for(user),
        "transfers": selectors.land_transfers_for(user),
        "processes": procurement_selectors.processes_for(user),
        "cases": approval_selectors.cases_for(user),
        "reports": records.visible_to(user, "reports"),  # registered by the reports app
    }


@inspector_required
def entity_detail(request, entity_id: int):
    entity = get_object_or_404(Entity, pk=entity_id)
    kind = request.GET.get("kind", "")
    kind = kind if kind in selectors.KIND_LABELS else ""
    timeline = selectors.entity_timeline(
        entity, **_viewers_records(request.user), today=timezone.localdate(), kind=kind
    )
    # An official or unit with nothing in the viewer's jurisdiction is not theirs to profile at all.
    if not timeline.total:
        raise Http404
    return render(
        request,
        "monitoring/entity.html",
        {
            "entity": entity,
            "timeline": timeline,
            "kind": kind,
            "page": Paginator(timeline.items, selectors.TIMELINE_PAGE).get_page(request.GET.get("page")),
        },
    )


@inspector_required
def entity_search(request):
    query = request.GET.get("q", "").strip()[:100]
    records = _viewers_records(request.user)
    page = Paginator(
        selectors.search_entities(query, selectors.entities_in_scope(**records), records["alerts"]), 30
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "monitoring/entities.html",
        {
            "query": query,
            "page": page,
            "found": selectors.with_alert_counts(list(page), records["alerts"]),
            "most_alerted": []
            if query
            else selectors.with_alert_counts(selectors.most_alerted(records["alerts"]), records["alerts"]),
        },
    )


@inspector_required
def process_detail(request, ocid: str):
    process = procurement_selectors.process_for(request.user, ocid)
    if process is None:
        raise Http404
    return render(
        request,
        "monitoring/process.html",
        {
            "process": process,
            "bids": process.bids.select_related("tenderer"),
            "awards": process.awards.prefetch_related("suppliers"),
            "contracts": process.contracts.select_related("award").prefetch_related("amendments"),
            "problems": process.problems.all(),
            "alerts": services.alerts_for(request.user).filter(domain=Domain.PROCUREMENT, record_ref=process.ocid[:60]),
        },
    )
