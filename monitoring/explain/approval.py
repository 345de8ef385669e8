"""Administrative approval rules (A001–A008) in words."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from monitoring.explain import text
from monitoring.explain.base import Distribution, Explanation, cited, fence_method, law, method, num

ROLES = {
    "applicant": gettext_lazy("Applicant"),
    "department": gettext_lazy("Approving department"),
    "reviewer": gettext_lazy("Reviewing official"),
    "handler": gettext_lazy("Official handling the step"),
}


def _matter(evidence) -> str:
    record = evidence.get("record") or {}
    return evidence.get("matter") or (record.get("matter") if isinstance(record, dict) else "") or text.DASH


def _limit(evidence, basis) -> Explanation:
    unit = evidence.get("unit", "working")
    words = {
        "from": text.moment(evidence.get("from")),
        "to": text.moment(evidence.get("to")),
        "elapsed": text.days(evidence.get("elapsed_days"), unit),
        "limit": text.days(evidence.get("limit_days"), unit),
        "over": text.days(evidence.get("days_over"), unit),
        "matter": _matter(evidence),
    }
    if evidence.get("decided") is False:
        summary = (
            _(
                "%(matter)s: accepted on %(from)s and still undecided on %(to)s: %(elapsed)s so far, against a limit of "
                "%(limit)s, %(over)s over."
            )
            % words
        )
    else:
        summary = (
            _(
                "%(matter)s: accepted on %(from)s and decided on %(to)s: %(elapsed)s, against a limit of %(limit)s, "
                "%(over)s over."
            )
            % words
        )
    items = [
        _("Not counted: %(start)s to %(end)s (waiting for corrections, a hearing, an expert review or a test)")
        % {"start": text.moment(period[0]), "end": text.moment(period[1])}
        for period in evidence.get("excluded_periods") or []
        if isinstance(period, list | tuple) and len(period) == 2
    ]
    return Explanation(summary=summary, items=items, basis=basis)


def a001(evidence, names) -> Explanation:
    basis = [law("licensing", 42), law("licensing", 45), law("licensing", 82)]
    recorded = evidence.get("basis")
    if isinstance(recorded, str) and recorded and "行政许可法第四十二条" not in recorded:
        basis = [cited(recorded), *basis]
    return _limit(evidence, basis)


def a002(evidence, names) -> Explanation:
    explanation = _limit(evidence, [law("business_environment", 35), law("business_environment", 38)])
    explanation.summary += text.space() + _(
        "The limit is the one the government promised for the matter, shorter than the legal one."
    )
    return explanation


def a003(evidence, names) -> Explanation:
    steps = [s for s in evidence.get("steps") or [] if isinstance(s, dict)]
    items = [
        _("%(step)s, handled by %(handler)s: %(elapsed)s against a limit of %(limit)s (%(start)s to %(end)s)")
        % {
            "step": s.get("step") or text.DASH,
            "handler": s.get("handler") or text.DASH,
            "elapsed": text.days(s.get("elapsed_days"), s.get("unit", "working")),
            "limit": text.days(s.get("limit_days"), s.get("unit", "working")),
            "start": text.moment(s.get("started")),
            "end": text.moment(s.get("finished")) if s.get("finished") else _("not finished"),
        }
        for s in steps
    ]
    summary = ngettext(
        "%(n)s step of %(matter)s took longer than its own time limit; waiting for corrections is not counted.",
        "%(n)s steps of %(matter)s took longer than their own time limits; waiting for corrections is not counted.",
        len(steps),
    ) % {"n": text.number(len(steps)), "matter": _matter(evidence)}
    return Explanation(
        summary=summary,
        items=items,
        basis=[method(_("Step time limits of the local service guides")), law("licensing", 42)],
        people=[(str(ROLES["handler"]), s.get("handler")) for s in steps if s.get("handler")],
    )


def a004(evidence, names) -> Explanation:
    summary = _(
        "The applicant was asked for corrections %(times)s (flagged above %(maximum)s); everything missing must be "
        "asked for at once."
    ) % {"times": text.times(evidence.get("requests")), "maximum": text.times(evidence.get("threshold"))}
    answered = evidence.get("answered") or []
    items = []
    for i, requested in enumerate(evidence.get("requested") or []):
        reply = answered[i] if i < len(answered) else None
        items.append(
            _("Requested on %(requested)s, answered on %(answered)s")
            % {"requested": text.moment(requested), "answered": text.moment(reply)}
            if reply
            else _("Requested on %(requested)s, not answered") % {"requested": text.moment(requested)}
        )
    return Explanation(summary=summary, items=items, basis=[law("licensing", 32, 1, 4)])


def a005(evidence, names) -> Explanation:
    summary = _(
        "The application was received on %(received)s and the first correction request came on %(request)s: "
        "%(elapsed)s later, beyond the %(limit)s allowed; the application counts as accepted on the day it was "
        "received."
    ) % {
        "received": text.moment(evidence.get("received")),
        "request": text.moment(evidence.get("first_request")),
        "elapsed": text.days(evidence.get("elapsed_working_days"), "working"),
        "limit": text.days(evidence.get("limit_working_days"), "working"),
    }
    return Explanation(summary=summary, basis=[law("licensing", 32, 1, 4), law("licensing", 82)])


def a006(evidence, names) -> Explanation:
    fence = evidence.get("fence") or {}
    population = evidence.get("population") or {}
    value, q1, q3, lower = (
        num(evidence, "hours"),
        num(fence, "q1_hours"),
        num(fence, "q3_hours"),
        num(fence, "lower_hours"),
    )
    summary = _(
        "Approved in %(hours)s from acceptance to decision. The %(n)s earlier approved cases of %(matter)s took "
        "between %(q1)s and %(q3)s in their middle half; the lower limit is %(fence)s, and this case is below it."
    ) % {
        "hours": text.hours(value),
        "n": text.number(population.get("n") or fence.get("n")),
        "matter": _matter(evidence),
        "q1": text.hours(q1),
        "q3": text.hours(q3),
        "fence": text.hours(lower),
    }
    distribution = None
    if None not in (value, lower):
        distribution = Distribution(
            value=value,
            fence=lower,
            side="lower",
            q1=q1,
            q3=q3,
            log=True,
            labels={"value": text.hours(value), "fence": text.hours(lower), "q1": text.hours(q1), "q3": text.hours(q3)},
            caption=_("Office hours of this case against earlier cases of the same matter (logarithmic scale)"),
        )
    return Explanation(
        summary=summary,
        basis=[
            method(_("Statistical comparison with the same matter's cases: a rubber stamp or a backdated record")),
            law("licensing", 34),
        ],
        method=fence_method(fence.get("k", 2), "log hours"),
        distribution=distribution,
    )


def a007(evidence, names) -> Explanation:
    items = []
    for problem in evidence.get("problems") or []:
        if not isinstance(problem, dict):
            continue
        steps = [str(s) for s in problem.get("steps") or []]
        kind = problem.get("problem")
        if kind == "missing":
            items.append(_("Missing: %(steps)s") % {"steps": text.listing(steps)})
        elif kind == "order" and len(steps) == 2:
            items.append(
                _("%(first)s was recorded before %(second)s, against their usual order")
                % {"first": steps[0], "second": steps[1]}
            )
        elif kind == "overlap" and len(steps) == 2:
            items.append(
                _("%(second)s started on %(start)s, before %(first)s finished on %(end)s")
                % {
                    "first": steps[0],
                    "second": steps[1],
                    "start": text.moment(problem.get("next_started")),
                    "end": text.moment(problem.get("finished")),
                }
            )
    summary = _("The steps recorded for the case are: %(steps)s.") % {
        "steps": text.listing(evidence.get("recorded_steps") or [])
    }
    return Explanation(
        summary=summary,
        items=items,
        basis=[law("licensing", 32), law("licensing", 34), law("licensing", 37), law("licensing", 44)],
    )


def a008(evidence, names) -> Explanation:
    summary = _(
        "%(handler)s of %(department)s, who reviewed this case, also reviewed %(n)s earlier cases of this applicant "
        "or of applicants related to it (%(applicants)s applicants in all); the rule flags from %(minimum)s."
    ) % {
        "handler": evidence.get("handler") or text.DASH,
        "department": evidence.get("department") or text.DASH,
        "n": text.number(evidence.get("related_cases_n")),
        "applicants": text.number(evidence.get("applicants_n")),
        "minimum": text.number(evidence.get("threshold")),
    }
    shared = evidence.get("shared_persons") or []
    if shared:
        summary += text.space() + _("Legal representative or controlling person in common: %(persons)s.") % {
            "persons": text.listing(shared)
        }
    items = [_("Related case %(number)s") % {"number": number} for number in evidence.get("related_cases") or []]
    return Explanation(
        summary=summary,
        items=items,
        basis=[law("licensing", 48), law("civil_servants", 76)],
        people=[(str(ROLES["reviewer"]), evidence.get("handler") or "")],
    )


EXPLAINERS = {
    "A001": a001,
    "A002": a002,
    "A003": a003,
    "A004": a004,
    "A005": a005,
    "A006": a006,
    "A007": a007,
    "A008": a008,
}
