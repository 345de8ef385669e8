"""The approval case page for inspectors. Thin: parse, call, render."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render

from accounts.roles import Role
from core.permissions import role_required
from monitoring import services
from monitoring.approvals import selectors
from monitoring.models import Domain
from workdays.selectors import working_calendar

inspector_required = role_required(Role.INSPECTOR, Role.ADMINISTRATOR, second_factor=True)


@inspector_required
def case_detail(request, case_id: int):
    case = selectors.cases_for(request.user).filter(pk=case_id).first()
    if case is None:
        raise Http404
    steps, legal, promised = selectors.timeline(case, working_calendar())
    return render(
        request,
        "approvals/case.html",
        {
            "case": case,
            "steps": steps,
            "legal": legal,
            "promised": promised,
            "corrections": case.corrections.all(),
            "alerts": services.alerts_for(request.user).filter(domain=Domain.APPROVAL, record_ref=case.ref),
        },
    )
