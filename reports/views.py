"""The confidential report channel: the reporter's pages (no account, a follow-up code) and the inspectors' case pages.

Reporter pages are never cached, and nothing here logs or stores the visitor's address.
"""

from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import F
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.roles import Role
from core.clientip import client_address
from core.forms import errors_into_form
from core.permissions import role_required
from reports import selectors, services
from reports.case_history import case_history
from reports.codes import format_code
from reports.forms import CodeForm, EvaluationForm, InformationForm, ReportForm, RevealForm, StaffActionForm
from reports.models import CaseEvent, Report, ReportAttachment
from reports.states import (
    OPEN_STATES,
    REPORTER_CAN_ADD_INFORMATION,
    STAFF_ACTIONS,
    CaseState,
    staff_targets,
    staff_verb,
)

SESSION_KEY = "report_access"


@never_cache
def report_new(request):
    form = ReportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        identity = None
        if data["identity"] == "real_name":
            identity = services.ReporterIdentity(
                name=data["name"], id_number=data["id_number"], phone=data["phone"], email=data["email"]
            )
        try:
            filed = services.file_report(
                kind=data["kind"],
                subject_name=data["subject_name"],
                subject_post=data["subject_post"],
                subject_unit=data["subject_unit"],
                subject_unit_code=data["subject_unit_code"],
                region=data["region"],
                occurred=data["occurred"],
                description=data["description"],
                identity=identity,
                attachments=data["attachments"],
            )
        except ValidationError as error:
            errors_into_form(form, error)
        else:
            # The code is shown here once and is never stored: no redirect carries it.
            return render(request, "reports/filed.html", {"code": format_code(filed.code), "report": filed.report})
    return render(request, "reports/new.html", {"form": form}, status=400 if form.errors else 200)


@never_cache
def report_check(request):
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            report = services.find_by_code(form.cleaned_data["code"], network=client_address(request))
        except services.Throttled:
            response = render(request, "reports/check.html", {"form": form, "throttled": True}, status=429)
            response["Retry-After"] = str(services.code_attempt_window())
            return response
        if report is not None:
            request.session.cycle_key()
            request.session[SESSION_KEY] = str(report.public_id)
            request.session.set_expiry(0)  # until the browser closes
            return redirect("reports:case")
        form.add_error("code", _("No report has this code."))
    return render(request, "reports/check.html", {"form": form}, status=400 if form.errors else 200)


def _reporter_case(request) -> Report:
    public_id = request.session.get(SESSION_KEY)
    if not public_id:
        raise Http404
    return get_object_or_404(Report, public_id=public_id)


@never_cache
def report_case(request):
    try:
        report = _reporter_case(request)
    except Http404:
        return redirect("reports:check")
    return render(
        request,
        "reports/case.html",
        {
            "report": report,
            "events": report.events.exclude(action__in=CaseEvent.INTERNAL_ACTIONS),
            "messages_for_reporter": report.messages.all(),
            "info_form": InformationForm(),
            "evaluation_form": EvaluationForm(),
            "can_add": report.state in REPORTER_CAN_ADD_INFORMATION,
            "can_evaluate": report.state in (CaseState.REPLIED, CaseState.REVIEW_REPLIED, CaseState.RE_REVIEW_REPLIED),
        },
    )


@never_cache
@require_POST
def report_add(request):
    report = _reporter_case(request)
    form = InformationForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.add_information(
                report=report, body=form.cleaned_data["body"], attachments=form.cleaned_data["attachments"]
            )
            messages.success(request, _("Your information was added to the case."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    else:
        messages.error(request, " ".join(" ".join(e) for e in form.errors.values()))
    return redirect("reports:case")


@never_cache
@require_POST
def report_evaluate(request):
    report = _reporter_case(request)
    form = EvaluationForm(request.POST)
    if form.is_valid():
        try:
            services.evaluate(report=report, **form.cleaned_data)
            messages.success(request, _("Thank you for your evaluation."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    else:
        messages.error(request, _("Say whether you are satisfied."))
    return redirect("reports:case")


@require_POST
def report_leave(request):
    request.session.pop(SESSION_KEY, None)
    return redirect("reports:check")


# --- inspectors ---------------------------------------------------------------------------------

inspector_required = role_required(Role.INSPECTOR, Role.ADMINISTRATOR, second_factor=True)


@inspector_required
def case_list(request):
    # Open cases first; real-name reports are handled first; then by what is due soonest.
    cases = selectors.cases_for(request.user).order_by("anonymous", F("due_on").asc(nulls_last=True), "-received_at")
    state, level = request.GET.get("state", ""), request.GET.get("escalation", "")
    if state in CaseState.values:
        cases = cases.filter(state=state)
    elif state != "all":
        cases = cases.filter(state__in=OPEN_STATES)
    if level:
        cases = cases.filter(escalation=level)
    mine = request.GET.get("mine") == "1"
    if mine:
        cases = cases.filter(assigned_to=request.user)
    signals = selectors.signals_for(request.user)[:20]
    return render(
        request,
        "reports/staff/list.html",
        {
            "page": Paginator(cases, 50).get_page(request.GET.get("page")),
            "states": CaseState.choices,
            "state": state,
            "escalation": level,
            "mine": mine,
            "signals": signals,
        },
    )


def _case(request, public_id) -> Report:
    report = get_object_or_404(
        Report.objects.select_related("region", "assigned_to", "duplicate_of"), public_id=public_id
    )
    if not selectors.can_handle(request.user, report):
        raise Http404  # not "forbidden": do not even confirm that the case exists
    return report


@never_cache
@inspector_required
def case_detail(request, public_id, identity: dict | None = None, reveal_form: RevealForm | None = None):
    report = _case(request, public_id)
    return render(
        request,
        "reports/staff/detail.html",
        {
            "report": report,
            "history": case_history(report),
            "messages_for_reporter": report.messages.select_related("author"),
            "attachments": report.attachments.all(),
            "linked": selectors.linked_reports(report).filter(pk__in=selectors.cases_for(request.user).values("pk"))[
                :20
            ],
            "handlers": selectors.assignable_handlers(report),
            "action_form": StaffActionForm(),
            "reveal_form": reveal_form or RevealForm(),
            "identity": identity,
            "actions": [
                (name, staff_verb(name))
                for name, target in STAFF_ACTIONS.items()
                if target in staff_targets(report.state)
            ],
            "can_reply": report.state in (CaseState.CONCLUDED, CaseState.REVIEW, CaseState.RE_REVIEW),
            "can_extend": report.state in (CaseState.ACCEPTED, CaseState.HANDLING) and report.extension_days < 30,
        },
    )


def _run(request, public_id, step) -> HttpResponse:
    report = _case(request, public_id)
    try:
        step(report)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except PermissionDenied as error:
        messages.error(request, str(error) or _("Not allowed."))
    return redirect("reports:staff_detail", public_id)


@require_POST
@inspector_required
def case_act(request, public_id):
    def step(report):
        services.act(
            report=report,
            user=request.user,
            action=request.POST.get("action", ""),
            note=request.POST.get("note", ""),
            transferred_to=request.POST.get("transferred_to", ""),
        )
        messages.success(request, _("Recorded."))

    return _run(request, public_id, step)


@require_POST
@inspector_required
def case_extend(request, public_id):
    def step(report):
        try:
            days = int(request.POST.get("days", "0"))
        except ValueError:
            raise ValidationError(_("Give a number of days."))
        services.extend(report=report, user=request.user, days=days, reason=request.POST.get("reason", ""))
        messages.success(request, _("The handling time is extended."))

    return _run(request, public_id, step)


@require_POST
@inspector_required
def case_reply(request, public_id):
    def step(report):
        services.reply(report=report, user=request.user, body=request.POST.get("body", ""))
        messages.success(request, _("The reply is sent to the reporter."))

    return _run(request, public_id, step)


@require_POST
@inspector_required
def case_assign(request, public_id):
    from accounts.models import User

    def step(report):
        handler = User.objects.filter(pk=request.POST.get("handler") or 0).first()
        services.assign(report=report, user=request.user, handler=handler)
        messages.success(request, _("The case is assigned."))

    return _run(request, public_id, step)


@never_cache
@require_POST
@inspector_required
def case_reveal(request, public_id):
    report = _case(request, public_id)
    form = RevealForm(request.POST)
    identity = None
    if form.is_valid():
        try:
            identity = services.reveal_identity(report=report, user=request.user, reason=form.cleaned_data["reason"])
        except (ValidationError, PermissionDenied) as error:
            form.add_error(None, " ".join(getattr(error, "messages", [str(error)])))
    return case_detail(request, public_id, identity=identity, reveal_form=form)


@never_cache
@require_POST
@inspector_required
def case_attachment(request, public_id, attachment_id: int):
    report = _case(request, public_id)
    attachment = get_object_or_404(ReportAttachment, pk=attachment_id, report=report)
    name, content_type, data = services.read_attachment(
        attachment=attachment, user=request.user, reason=request.POST.get("reason", "")
    )
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    response["X-Content-Type-Options"] = "nosniff"
    return response
