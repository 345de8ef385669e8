"""Writes for electronic supervision: the alert → task loop, and what every domain's adapter shares.

The pipeline itself (`ingest` → `evaluate` → `raise_alert`) is `monitoring.pipeline`; each domain's adapter
(`monitoring/<domain>/adapter.py`) builds on `Adapter` here: records are written in a transaction, rules read
their settings once per batch (`rule_configs`), and findings become alerts through `raise_alert`.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task as background_task

from accounts.roles import Role, has_role
from core.events import publish_event_on_commit, region_groups
from core.identifiers import is_valid_credit_code, normalise_name
from core.jurisdiction import in_jurisdiction
from core.tasks import enqueue_on_commit
from monitoring.models import (
    Alert,
    AlertEvent,
    Entity,
    RuleSetting,
    SourceSystem,
    VerificationTask,
)
from monitoring.pipeline import Configs, RuleConfig, Stored
from monitoring.pipeline import IngestError as IngestError  # the pipeline's, for the domains and commands
from monitoring.rules.base import Finding, Rule
from monitoring.states import ALERT_TRANSITIONS, ESCALATION_NOTES, AlertState, Severity, TaskState
from regions.models import Region
from workdays.deadlines import Escalation, escalation
from workdays.selectors import working_calendar

TASK_WORKING_DAYS = 10


# --- sources and entities ----------------------------------------------------------------------


def create_source(*, name: str, domain: str) -> tuple[SourceSystem, str]:
    """A new source system and its token (shown once; stored as a digest)."""
    token = secrets.token_urlsafe(32)
    source = SourceSystem.objects.create(
        name=name, domain=domain, token_digest=hashlib.sha256(token.encode()).hexdigest()
    )
    return source, token


def source_for_token(token: str) -> SourceSystem | None:
    if not token or len(token) > 200:
        return None
    return SourceSystem.objects.filter(token_digest=hashlib.sha256(token.encode()).hexdigest(), active=True).first()


def resolve_entity(name: str, credit_code: str = "", kind: str = Entity.Kind.ORGANISATION) -> Entity | None:
    """One profile per organisation: by credit code when valid, else by normalised name."""
    name = (name or "").strip()
    code = (credit_code or "").strip().upper()
    if code and not is_valid_credit_code(code):
        code = ""
    if not name and not code:
        return None
    key = normalise_name(name)
    if code:
        entity = Entity.objects.filter(credit_code=code).first()
        if entity is None:
            entity = Entity.objects.filter(name_key=key, credit_code="").first()
            if entity is not None:
                entity.credit_code = code
                entity.save(update_fields=["credit_code"])
        return entity or Entity.objects.create(kind=kind, name=name, name_key=key, credit_code=code)
    entity = Entity.objects.filter(name_key=key).order_by("pk").first()
    return entity or Entity.objects.create(kind=kind, name=name, name_key=key)


# --- rules ---------------------------------------------------------------------------------------


def rule_config(rule: Rule) -> RuleConfig:
    """One rule's settings (defaults with the administrators' overrides)."""
    return rule_configs([rule])[rule.code]


def rule_configs(rules: Iterable[Rule]) -> dict[str, RuleConfig]:
    """The settings of these rules, read in one query: the one `RuleConfig` shape every domain evaluates with."""
    rules = list(rules)
    settings = {s.code: s for s in RuleSetting.objects.filter(code__in=[rule.code for rule in rules])}
    configs = {}
    for rule in rules:
        setting = settings.get(rule.code)
        configs[rule.code] = (
            RuleConfig.of(rule, enabled=setting.enabled, severity=setting.severity, params=setting.params)
            if setting is not None
            else RuleConfig.default(rule)
        )
    return configs


def raise_alert(
    finding: Finding,
    *,
    domain: str,
    record_ref: str,
    region: Region,
    entity: Entity | None,
    subject: str,
    record: dict,
    **record_links,
) -> Alert | None:
    """Store a rule's finding as an alert, once per rule and record; announce it, and task it if red.

    Returns the new alert, or None when this rule already flagged this record (re-ingesting or
    re-evaluating never duplicates). `record_links` are the alert's foreign keys to the record, if any.
    """
    alert, created = Alert.objects.get_or_create(
        fingerprint=f"{finding.rule_code}:{domain}:{record_ref}"[:120],
        defaults={
            "rule_code": finding.rule_code,
            "domain": domain,
            "severity": finding.severity,
            "title": f"{finding.title} · {subject}"[:200],
            "region": region,
            "entity": entity,
            "record_ref": record_ref[:60],
            "evidence": {**finding.evidence, "record": record},
            **record_links,
        },
    )
    if not created:
        return None
    AlertEvent.objects.create(
        alert=alert, to_state=AlertState.NEW, note=_("Raised by rule %(code)s") % {"code": alert.rule_code}
    )
    _announce(alert)
    if alert.severity == Severity.RED:
        create_task(alert=alert, user=None)
    return alert


@dataclass(frozen=True)
class AlertTarget:
    """Whom and what an alert is about: the record's reference, region, entity, a subject line, its summary."""

    record_ref: str
    region: Region
    entity: Entity | None
    subject: str
    record: dict
    links: dict[str, Any] = field(default_factory=dict)  # the alert's foreign keys to the record, if any


class Adapter:
    """The ORM side every domain adapter shares (`monitoring.pipeline.DomainAdapter`).

    A record is written in one transaction (`atomic`), the rules' settings are read once per batch
    (`configs`), and a finding becomes an alert through `raise_alert` with the domain's `target`.
    """

    domain: ClassVar[str]
    evaluates_unchanged: ClassVar[bool] = True
    rules: tuple[Rule, ...] = ()

    def configs(self) -> Configs:
        return rule_configs(self.rules)

    def atomic(self) -> AbstractContextManager:
        return transaction.atomic()

    def rolled_back(self) -> None:
        """A record's transaction was rolled back: forget what was cached from it (rows that no longer exist)."""

    def target(self, stored: Stored, finding: Finding) -> AlertTarget:
        raise NotImplementedError

    def raise_alert(self, stored: Stored, finding: Finding) -> Alert | None:
        target = self.target(stored, finding)
        return raise_alert(
            finding,
            domain=self.domain,
            record_ref=target.record_ref,
            region=target.region,
            entity=target.entity,
            subject=target.subject,
            record=target.record,
            **target.links,
        )

    def finish(self, arrived: list[Stored]) -> list[Alert]:
        """What the batch needs once all its records are stored (nothing, unless the domain says so)."""
        return []


def _announce(alert: Alert) -> None:
    publish_event_on_commit(
        region_groups(alert.region_id),
        "alert.raised",
        {
            "alert": str(alert.public_id),
            "rule": alert.rule_code,
            "severity": alert.severity,
            "url": f"/monitoring/alerts/{alert.public_id}/",
            "summary": alert.title,
        },
    )


# --- who sees what -------------------------------------------------------------------------------


def alerts_for(user) -> QuerySet[Alert]:
    if not getattr(user, "is_authenticated", False) or not (user.is_superuser or has_role(user, Role.INSPECTOR)):
        return Alert.objects.none()
    return in_jurisdiction(Alert.objects.select_related("region", "entity"), user)


def _require(user, alert: Alert) -> None:
    if not alerts_for(user).filter(pk=alert.pk).exists():
        raise PermissionDenied(_("This alert is outside your jurisdiction."))


# --- the closed loop -----------------------------------------------------------------------------


@transaction.atomic
def move_alert(*, alert: Alert, user, target: str, note: str = "") -> Alert:
    _require(user, alert)
    target = AlertState(target)
    if target not in ALERT_TRANSITIONS.get(AlertState(alert.state), frozenset()):
        raise ValidationError(_("That step is not possible from “%(state)s”.") % {"state": alert.get_state_display()})
    note = (note or "").strip()
    if target == AlertState.DISMISSED and not note:
        raise ValidationError({"note": [_("Give the reason for dismissing the alert.")]})
    if target == AlertState.CONFIRMED and hasattr(alert, "task") and alert.task.state != TaskState.DONE:
        raise ValidationError(_("Record the verification result first."))
    AlertEvent.objects.create(alert=alert, from_state=alert.state, to_state=target, actor=user, note=note)
    alert.state = target
    if target == AlertState.DISMISSED:
        alert.dismissal_reason = note
    alert.save(update_fields=["state", "dismissal_reason"])
    return alert


def choose_assignee(region: Region):
    """The inspector with the most specific jurisdiction over the region, and the fewest open tasks."""
    from accounts.models import User

    inspectors = (
        User.objects.filter(groups__name=Role.INSPECTOR.value, is_active=True, jurisdiction__isnull=False)
        .select_related("jurisdiction")
        .annotate(open_tasks=Count("verification_tasks", filter=Q(verification_tasks__state=TaskState.OPEN)))
    )
    candidates = [
        (user, jurisdiction)
        for user in inspectors
        if (jurisdiction := user.jurisdiction) is not None and jurisdiction.contains(region.code)
    ]
    if not candidates:
        return None
    return min(candidates, key=lambda pair: (-len(pair[1].prefix), pair[0].open_tasks, pair[0].pk))[0]


@transaction.atomic
def create_task(*, alert: Alert, user, assignee=None, due_days: int = TASK_WORKING_DAYS) -> VerificationTask:
    """A verification task for the alert, assigned by jurisdiction, due in working days."""
    if user is not None:
        _require(user, alert)
    if hasattr(alert, "task"):
        raise ValidationError(_("This alert already has a verification task."))
    if assignee is not None and not alerts_for(assignee).filter(pk=alert.pk).exists():
        raise ValidationError({"assignee": [_("The assignee must work in the alert's jurisdiction.")]})
    assignee = assignee or choose_assignee(alert.region)
    task = VerificationTask.objects.create(
        alert=alert,
        assignee=assignee,
        created_by=user,
        due_on=working_calendar().add_working_days(timezone.localdate(), due_days),
    )
    if alert.state in (AlertState.NEW, AlertState.ACKNOWLEDGED):
        AlertEvent.objects.create(
            alert=alert,
            from_state=alert.state,
            to_state=AlertState.VERIFYING,
            actor=user,
            note=_("Verification task created"),
        )
        alert.state = AlertState.VERIFYING
        alert.save(update_fields=["state"])
    if assignee is not None:
        publish_event_on_commit(
            [f"user.{assignee.pk}"], "task.assigned", {"alert": str(alert.public_id), "summary": alert.title}
        )
    return task


def _private_dir() -> Path:
    path = Path(settings.PRIVATE_MEDIA_ROOT) / "tasks"
    path.mkdir(parents=True, exist_ok=True)
    return path


@transaction.atomic
def record_result(*, task: VerificationTask, user, result: str, upload: UploadedFile | None = None) -> VerificationTask:
    _require(user, task.alert)
    if task.state == TaskState.DONE:
        raise ValidationError(_("The result is already recorded."))
    if not (result or "").strip():
        raise ValidationError({"result": [_("Write what the verification found.")]})
    if upload is not None:
        if (upload.size or 0) > 10 * 1024 * 1024:
            raise ValidationError({"file": [_("Each file may be at most 10 MB.")]})
        name = uuid.uuid4().hex
        (_private_dir() / name).write_bytes(upload.read())
        task.result_file, task.result_file_name = name, Path(upload.name or "file").name[:200]
    task.result = result.strip()
    task.state = TaskState.DONE
    task.completed_at = timezone.now()
    task.save()
    AlertEvent.objects.create(
        alert=task.alert,
        from_state=task.alert.state,
        to_state=task.alert.state,
        actor=user,
        note=_("Verification result recorded"),
    )
    return task


ESCALATION_ORDER = (Escalation.NONE, Escalation.REMINDER, Escalation.YELLOW, Escalation.RED)


def refresh_task_escalations(today=None) -> int:
    """Recompute each open task's escalation; the first time a task reaches a level, tell its assignee and the
    jurisdiction's lead (mail and live event). Idempotent: a level is announced once, however often this runs.

    Returns how many tasks changed level. A periodic job (`monitoring.task_escalations`, monitoring/apps.py).
    """
    today = today or timezone.localdate()
    changed = 0
    for task_id in VerificationTask.objects.filter(state=TaskState.OPEN).values_list("pk", flat=True):
        with transaction.atomic():
            task = (
                VerificationTask.objects.select_for_update(of=("self",))
                .select_related("alert", "assignee")
                .filter(pk=task_id, state=TaskState.OPEN)
                .first()
            )
            if task is None:
                continue
            level = escalation(task.due_on, today)
            fields = []
            if level != task.escalation:
                task.escalation = level
                fields.append("escalation")
                changed += 1
            if ESCALATION_ORDER.index(level) > ESCALATION_ORDER.index(Escalation(task.escalation_notified or "none")):
                _announce_escalation(task, level, today)
                task.escalation_notified = level
                fields.append("escalation_notified")
            if fields:
                task.save(update_fields=fields)
    return changed


def _announce_escalation(task: VerificationTask, level: Escalation, today) -> None:
    """After commit: a mail to the assignee and the nearest lead(s), and a live event to them and the region."""
    from accounts.leads import leads_for

    alert = task.alert
    # In the alert's history, in the site's language (the scheduler runs jobs in it).
    AlertEvent.objects.create(
        alert=alert, from_state=alert.state, to_state=alert.state, actor=None, note=_(ESCALATION_NOTES[str(level)])
    )
    recipients = {user.pk: user for user in leads_for(alert.region_id, Role.INSPECTOR)}
    if task.assignee is not None and task.assignee.is_active:
        recipients[task.assignee.pk] = task.assignee
    groups = [*region_groups(alert.region_id), *(f"user.{pk}" for pk in sorted(recipients))]
    publish_event_on_commit(
        groups,
        "task.escalated",
        {
            "alert": str(alert.public_id),
            "task": task.pk,
            "escalation": str(level),
            "due_on": task.due_on.isoformat(),
            "overdue_days": max((today - task.due_on).days, 0),
            "url": f"/monitoring/alerts/{alert.public_id}/",
            "summary": alert.title,
        },
    )
    if recipients:
        enqueue_on_commit(send_escalation_notice, task.pk, str(level), sorted(recipients), today.isoformat())


@background_task()
def send_escalation_notice(task_id: int, level: str, user_ids: list[int], today: str) -> int:
    """Mail each recipient that a verification task reached `level`, in the site's language. Returns mails sent."""
    from datetime import date

    from django.contrib.auth import get_user_model
    from django.core.mail import send_mail
    from django.utils import formats, translation

    task = VerificationTask.objects.select_related("alert", "alert__region", "assignee").filter(pk=task_id).first()
    if task is None:
        return 0
    alert = task.alert
    overdue = (date.fromisoformat(today) - task.due_on).days
    site = settings.WAGTAIL_SITE_NAME
    sent = 0
    with translation.override(settings.LANGUAGE_CODE):
        due = formats.date_format(task.due_on, "DATE_FORMAT")
        facts = {"title": alert.title, "due": due, "days": overdue, "region": alert.region.full_name}
        subject, situation = {
            Escalation.REMINDER: (
                _("Verification task due soon: %(title)s"),
                _("The verification task for the alert “%(title)s” (%(region)s) is due on %(due)s."),
            ),
            Escalation.YELLOW: (
                _("Verification task overdue: %(title)s"),
                _(
                    "The verification task for the alert “%(title)s” (%(region)s) was due on %(due)s "
                    "and is %(days)s days overdue."
                ),
            ),
            Escalation.RED: (
                _("Verification task seriously overdue: %(title)s"),
                _(
                    "The verification task for the alert “%(title)s” (%(region)s) was due on %(due)s and is "
                    "%(days)s days overdue: it is escalated to red."
                ),
            ),
        }[Escalation(level)]
        for user in get_user_model().objects.filter(pk__in=user_ids, is_active=True).select_related("jurisdiction"):
            if user.pk == task.assignee_id:
                why = _("The task is assigned to you: record what the verification found on the alert's page.")
            elif task.assignee is not None:
                why = _("You receive this as lead of %(jurisdiction)s; the task is assigned to %(assignee)s.") % {
                    "jurisdiction": user.jurisdiction.full_name if user.jurisdiction else "",
                    "assignee": task.assignee,
                }
            else:
                why = _("You receive this as lead of %(jurisdiction)s; nobody is assigned to the task yet.") % {
                    "jurisdiction": user.jurisdiction.full_name if user.jurisdiction else ""
                }
            body = "\n\n".join(
                [
                    _("Hello %(name)s,") % {"name": user},
                    situation % facts,
                    why,
                    _("Open the alert: %(url)s") % {"url": f"{settings.SITE_URL}/monitoring/alerts/{alert.public_id}/"},
                    site,
                ]
            )
            send_mail(f"[{site}] {subject % facts}", body, None, [user.email])
            sent += 1
    return sent
