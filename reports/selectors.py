"""Reads of the report channel: who may see which case (jurisdiction, conflicts of interest), linked reports,
target signals, and who may handle a case.

Every list, count, profile, signal and live event about reports is built on `cases_for`, so a report about an
inspector or their unit never reaches them.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from accounts.roles import Role, has_role
from core.identifiers import normalise_name
from core.jurisdiction import in_jurisdiction
from reports.models import Report, TargetSignal


def linked_reports(report: Report) -> QuerySet[Report]:
    """Other reports naming the same person, or the same unit."""
    same = Q(unit_key=report.unit_key)
    if report.subject_key:
        same |= Q(subject_key=report.subject_key)
    return Report.objects.filter(same).exclude(pk=report.pk)


# --- who may see what ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ConflictKeys:
    """Who a user is, in the normalised forms reports are keyed by (see `reports.services.target_keys`)."""

    names: frozenset[str]  # compared with Report.subject_key
    credit_code: str  # with Report.subject_unit_code, and the unit key "uscc:<code>"
    unit_name: str  # with Report.unit_name_key, and the unit key "unit:<name>"

    @classmethod
    def of(cls, user) -> ConflictKeys:
        spellings = [
            user.display_name,
            user.get_full_name(),
            f"{user.last_name}{user.first_name}",  # 张 + 某: a Chinese name, family name first
            f"{user.first_name}{user.last_name}",
        ]
        return cls(
            names=frozenset(key for key in (normalise_name(n or "")[:80] for n in spellings) if key),
            credit_code=(user.organisation_code or "").strip().upper(),
            unit_name=normalise_name(user.organisation or "")[:140],
        )


def conflicts(user) -> Q | None:
    """Reports naming the user or the user's unit, as a query condition (None: the user names nobody).

    The one rule of conflicts of interest: `cases_for` excludes it (and so every list, count, profile,
    signal and live event built on it), `is_conflicted` applies it to one report.
    """
    keys = ConflictKeys.of(user)
    condition = Q(subject_key__in=keys.names) if keys.names else None
    if keys.credit_code:
        by_code = Q(subject_unit_code=keys.credit_code) | Q(unit_key=f"uscc:{keys.credit_code}")
        condition = by_code if condition is None else condition | by_code
    if keys.unit_name:
        by_name = Q(unit_name_key=keys.unit_name) | Q(unit_key=f"unit:{keys.unit_name}"[:140])
        condition = by_name if condition is None else condition | by_name
    return condition


def is_conflicted(user, report: Report) -> bool:
    """The user is the person reported, or works for the unit reported: `conflicts` for one report."""
    keys = ConflictKeys.of(user)
    by_name = bool(report.subject_key) and report.subject_key in keys.names
    by_code = bool(keys.credit_code) and (
        report.subject_unit_code == keys.credit_code or report.unit_key == f"uscc:{keys.credit_code}"
    )
    by_unit = bool(keys.unit_name) and (
        report.unit_name_key == keys.unit_name or report.unit_key == f"unit:{keys.unit_name}"[:140]
    )
    return by_name or by_code or by_unit


def cases_for(user) -> QuerySet[Report]:
    """Reports an inspector may see: in their jurisdiction, and not about themselves or their unit."""
    if not getattr(user, "is_authenticated", False) or not (user.is_superuser or has_role(user, Role.INSPECTOR)):
        return Report.objects.none()
    reports = in_jurisdiction(Report.objects.select_related("region", "assigned_to"), user)
    condition = conflicts(user)
    return reports if condition is None else reports.exclude(condition)


def signals_for(user) -> QuerySet[TargetSignal]:
    """Target signals an inspector may see: about cases they see, and none about themselves or their unit."""
    signals = TargetSignal.objects.filter(reports__in=cases_for(user).values("pk"))
    condition = conflicts(user)
    if condition is not None:
        signals = signals.exclude(reports__in=Report.objects.filter(condition).values("pk"))
    return signals.distinct()


def may_receive_event(user, event_type: str, payload: dict) -> bool:
    """Whether a live `report.*` event may reach this user: only about a case or signal they may see.

    Region groups reach every staff member of the region (legislators too, and inspectors named in the
    report), so the socket asks this for each recipient before forwarding (`core.events.register_guard`).
    """
    if "report" in payload:
        try:
            public_id = uuid.UUID(str(payload["report"]))
        except ValueError:
            return False
        return cases_for(user).filter(public_id=public_id).exists()
    if "signal" in payload:
        return signals_for(user).filter(pk=payload["signal"]).exists()
    return False


def can_handle(user, report: Report) -> bool:
    return cases_for(user).filter(pk=report.pk).exists() and not is_conflicted(user, report)


def assignable_handlers(report: Report):
    from accounts.models import User

    candidates = User.objects.filter(
        Q(groups__name=Role.INSPECTOR.value) | Q(is_superuser=True), is_active=True
    ).distinct()
    return [user for user in candidates if can_handle(user, report)]
