"""Writes of the confidential report channel: filing, the reporter's follow-up, the staff's workflow, identity access.

Every staff action checks the role, the jurisdiction and conflicts of interest on the server (`reports.selectors`).
Each filing issues a receipt (`reports.receipts`); side effects (e-mails, live pushes: `reports.notifications`)
run after commit and carry no case content.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core import ratelimit
from core.identifiers import is_valid_credit_code, is_valid_resident_id, normalise_name
from regions.models import Region
from reports import crypto, notifications
from reports.attachments import inspect_attachment
from reports.codes import code_digest, new_code, normalise_code
from reports.deadlines import Clocks, Escalation, deadline, escalation
from reports.models import CaseEvent, IdentityAccess, Report, ReportAttachment, ReportMessage, TargetSignal
from reports.receipts import issue_receipt
from reports.selectors import can_handle
from reports.states import (
    OPEN_STATES,
    REPORTER_CAN_ADD_INFORMATION,
    STAFF_ACTIONS,  # action → target state; their words are in reports.states.CASE_STEPS
    CaseState,
    can_reporter_move,
    can_staff_move,
)
from search.similarity import text_similarity
from workdays.calendar import WorkingCalendar
from workdays.selectors import working_calendar

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
MAX_ATTACHMENTS = 5
DUPLICATE_SIMILARITY = 0.85
SIGNAL_THRESHOLD = 3


class Throttled(Exception):
    """Too many wrong follow-up codes from one network address."""


# --- identity --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReporterIdentity:
    name: str
    id_number: str
    phone: str
    email: str = ""

    def validate(self) -> None:
        errors: dict[str, list[str]] = {}
        if not self.name.strip():
            errors["name"] = [_("Give your name, or report anonymously.")]
        if not is_valid_resident_id(self.id_number):
            errors["id_number"] = [_("This is not a valid resident ID number.")]
        digits = "".join(ch for ch in self.phone if ch.isdigit())
        if not (7 <= len(digits) <= 15):
            errors["phone"] = [_("Give a phone number we can reach you on.")]
        if errors:
            raise ValidationError(errors)

    def as_dict(self) -> dict[str, str]:
        return {
            "name": self.name.strip(),
            "id_number": self.id_number.strip().upper(),
            "phone": self.phone.strip(),
            "email": self.email.strip(),
        }


# --- calendar and deadlines ---------------------------------------------------------------------


def _local(moment) -> date | None:
    return timezone.localdate(moment) if moment else None


def clocks_of(report: Report) -> Clocks:
    return Clocks(
        received=timezone.localdate(report.received_at),
        accepted=_local(report.accepted_at),
        concluded=_local(report.concluded_at),
        replied=_local(report.replied_at),
        review_requested=_local(report.review_requested_at),
        re_review_requested=_local(report.re_review_requested_at),
        extension_days=report.extension_days,
    )


def refresh_deadline(report: Report, calendar: WorkingCalendar | None = None, today: date | None = None) -> bool:
    """Recompute what is due and how late it is. Returns whether the escalation level changed."""
    calendar = calendar or working_calendar()
    due = deadline(report.state, clocks_of(report), calendar)
    report.due_on = due.due if due else None
    report.due_rule = due.rule if due else ""
    level = escalation(report.due_on, today or timezone.localdate())
    changed = level != report.escalation
    report.escalation = level
    return changed


# --- filing -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FiledReport:
    report: Report
    code: str  # shown to the reporter once; never stored


def _sniff(upload: UploadedFile) -> tuple[bytes, str]:
    data = upload.read(MAX_ATTACHMENT_BYTES + 1)
    if len(data) > MAX_ATTACHMENT_BYTES:
        raise ValidationError({"attachments": [_("Each file may be at most 10 MB.")]})
    try:
        mime = inspect_attachment(upload.name or "", data)  # by content; see reports/attachments.py
    except ValidationError as error:
        raise ValidationError({"attachments": error.messages}) from None
    return data, mime


def _private_dir() -> Path:
    path = Path(settings.PRIVATE_MEDIA_ROOT) / "reports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _store_attachments(
    report: Report, uploads: list[UploadedFile], message: ReportMessage | None, written: list[Path]
) -> None:
    if len(uploads) > MAX_ATTACHMENTS:
        raise ValidationError({"attachments": [_("At most %(n)d files.") % {"n": MAX_ATTACHMENTS}]})
    checked = [(_sniff(upload), upload.name) for upload in uploads]
    for (data, mime), name in checked:
        storage_name = uuid.uuid4().hex
        path = _private_dir() / storage_name
        path.write_bytes(crypto.encrypt_bytes(data))
        written.append(path)
        ReportAttachment.objects.create(
            report=report,
            message=message,
            name_token=crypto.encrypt_text(Path(name or "file").name[:200]),
            content_type=mime,
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            storage_name=storage_name,
        )


def target_keys(subject_name: str, subject_unit: str, subject_unit_code: str) -> tuple[str, str, str]:
    """(subject key, unit key, unit name key): the normalised forms linking and conflict checks compare."""
    subject_key = normalise_name(subject_name)[:80]
    unit_name_key = normalise_name(subject_unit)[:140]
    unit_key = f"uscc:{subject_unit_code.upper()}" if subject_unit_code else f"unit:{unit_name_key}"[:140]
    return subject_key, unit_key, unit_name_key


def file_report(
    *,
    kind: str,
    subject_unit: str,
    region: Region,
    description: str,
    subject_name: str = "",
    subject_post: str = "",
    subject_unit_code: str = "",
    occurred: str = "",
    identity: ReporterIdentity | None = None,
    attachments: list[UploadedFile] | None = None,
    received_at=None,
    code: str | None = None,
) -> FiledReport:
    """File a report, real-name (with `identity`) or anonymous. Returns the follow-up code, once.

    `received_at` registers a report received earlier (a letter, a visit); `code` is for demo
    content only, where a published code lets people try the follow-up pages.
    """
    errors: dict[str, list[str]] = {}
    description = (description or "").strip()
    if len(description) < 20:
        errors["description"] = [_("Describe what happened in at least 20 characters.")]
    elif len(description) > 20000:
        errors["description"] = [_("At most 20,000 characters.")]
    if not subject_unit.strip():
        errors["subject_unit"] = [_("Name the unit concerned.")]
    subject_unit_code = (subject_unit_code or "").strip().upper()
    if subject_unit_code and not is_valid_credit_code(subject_unit_code):
        errors["subject_unit_code"] = [_("This is not a valid unified social credit code.")]
    if identity is not None:
        try:
            identity.validate()
        except ValidationError as error:
            errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    code = code or new_code()
    written: list[Path] = []
    try:
        with transaction.atomic():
            subject_key, unit_key, unit_name_key = target_keys(subject_name, subject_unit, subject_unit_code)
            report = Report(
                kind=kind,
                subject_name=subject_name.strip(),
                subject_post=subject_post.strip(),
                subject_unit=subject_unit.strip(),
                subject_unit_code=subject_unit_code,
                region=region,
                occurred=occurred.strip(),
                description=description,
                anonymous=identity is None,
                identity_token=crypto.encrypt_json(identity.as_dict()) if identity else "",
                notify_by_email=bool(identity and identity.email),
                code_digest=code_digest(code),
                received_at=received_at or timezone.now(),
                subject_key=subject_key,
                unit_key=unit_key,
                unit_name_key=unit_name_key,
            )
            refresh_deadline(report)
            report.save()
            CaseEvent.objects.create(report=report, to_state=CaseState.RECEIVED, action="filed", by_reporter=True)
            _store_attachments(report, attachments or [], None, written)
            _link(report)
            issue_receipt(report)  # last: it holds the chain head's lock until commit
            notifications.report_received(report)
    except Exception:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    return FiledReport(report=report, code=code)


# --- linking ------------------------------------------------------------------------------------


def _link(report: Report) -> None:
    """Mark near-duplicates, and raise a signal when several independent reports name one target."""
    since = report.received_at - timedelta(days=180)
    candidates = (
        Report.objects.filter(received_at__gte=since, duplicate_of__isnull=True)
        .filter(
            Q(unit_key=report.unit_key)
            | Q(region=report.region, kind=report.kind)
            | (Q(subject_key=report.subject_key) & ~Q(subject_key=""))
        )
        .exclude(pk=report.pk)
        .order_by("received_at")[:500]
    )
    for other in candidates:
        if text_similarity(other.description, report.description) >= DUPLICATE_SIMILARITY:
            report.duplicate_of = other
            report.save(update_fields=["duplicate_of"])
            return
    targets = [(report.unit_key, report.subject_unit, Q(unit_key=report.unit_key))]
    if report.subject_key:
        person = f"person:{report.subject_key}|{report.unit_key}"
        label = f"{report.subject_name}（{report.subject_unit}）"
        targets.append((person, label, Q(unit_key=report.unit_key, subject_key=report.subject_key)))
    for key, label, condition in targets:
        same_target = Report.objects.filter(condition, duplicate_of__isnull=True)
        count = same_target.count()
        if count < SIGNAL_THRESHOLD:
            continue
        signal, created = TargetSignal.objects.get_or_create(
            key=key, defaults={"label": label, "report_count": count, "region": report.region}
        )
        if not created:
            signal.report_count = count
            signal.save(update_fields=["report_count"])
        signal.reports.add(*same_target)
        notifications.signal_raised(report, signal, count)


def _require_handler(user, report: Report) -> None:
    if not can_handle(user, report):
        raise PermissionDenied(_("This case is not yours to see."))


def reveal_identity(*, report: Report, user, reason: str) -> dict[str, str]:
    """Decrypt a real-name reporter's identity for an allowed inspector, and record that it was seen."""
    _require_handler(user, report)
    if not user.has_perm("reports.view_reporter_identity"):
        raise PermissionDenied(_("Your role may not see reporters' identities."))
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("Say why you need to see the reporter's identity.")]})
    if report.anonymous:
        raise ValidationError(_("This report is anonymous: there is no identity to see."))
    IdentityAccess.objects.create(report=report, user=user, what="identity", reason=reason.strip())
    return crypto.decrypt_json(report.identity_token)


def read_attachment(
    *, attachment: ReportAttachment, user=None, reason: str = "", reporter: bool = False
) -> tuple[str, str, bytes]:
    """(file name, content type, bytes) of an attachment, for its reporter or a recorded staff access."""
    report = attachment.report
    if not reporter:
        _require_handler(user, report)
        IdentityAccess.objects.create(
            report=report, user=user, what=f"attachment:{attachment.pk}", reason=reason.strip() or "查看附件"
        )
    data = crypto.decrypt_bytes((_private_dir() / attachment.storage_name).read_bytes())
    return crypto.decrypt_text(attachment.name_token), attachment.content_type, data


def delete_report(*, report: Report) -> None:
    """Really delete a report's personal data: attachments on disk, identity, messages. The receipt stays."""
    with transaction.atomic():
        for attachment in report.attachments.all():
            (_private_dir() / attachment.storage_name).unlink(missing_ok=True)
        report.attachments.all().delete()
        Report.objects.filter(pk=report.pk).update(identity_token="", notify_by_email=False)


# --- reporter's follow-up ------------------------------------------------------------------------


def _code_attempts() -> tuple[int, int]:
    return getattr(settings, "REPORT_CODE_ATTEMPTS", (10, 3600))


def code_attempt_window() -> int:
    """Seconds a network waits once it has used up its wrong follow-up codes."""
    return _code_attempts()[1]


def find_by_code(raw_code: str, *, network: str) -> Report | None:
    """The report a follow-up code opens, or None. Wrong codes from one network are throttled.

    The network address is used only as a keyed, daily-rotated digest in the cache, never stored.
    """
    limit, seconds = _code_attempts()
    bucket = f"reports:code-attempts:{crypto.keyed_digest('network:' + timezone.localdate().isoformat(), network)}"
    if ratelimit.exceeded(bucket, limit):
        raise Throttled
    code = normalise_code(raw_code)
    report = Report.objects.filter(code_digest=code_digest(code)).first() if code else None
    if report is None:
        ratelimit.hit(bucket, limit, seconds)
    return report


def add_information(*, report: Report, body: str, attachments: list[UploadedFile] | None = None) -> ReportMessage:
    if report.state not in REPORTER_CAN_ADD_INFORMATION:
        raise ValidationError(_("Information can no longer be added to this case."))
    body = (body or "").strip()
    if not body and not attachments:
        raise ValidationError({"body": [_("Write something or attach a file.")]})
    written: list[Path] = []
    try:
        with transaction.atomic():
            message = ReportMessage.objects.create(
                report=report, direction=ReportMessage.Direction.FROM_REPORTER, body=body[:20000]
            )
            _store_attachments(report, attachments or [], message, written)
            CaseEvent.objects.create(
                report=report,
                from_state=report.state,
                to_state=report.state,
                action="information_added",
                by_reporter=True,
            )
            notifications.information_added(report)
    except Exception:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    return message


@transaction.atomic
def evaluate(*, report: Report, satisfied: bool, note: str = "", ask_for_review: bool = False) -> Report:
    """The reporter's evaluation of a reply; not satisfied may ask for review (复查) or re-review (复核)."""
    now = timezone.now()
    note = (note or "").strip()[:2000]
    state = CaseState(report.state)
    if state in (CaseState.REPLIED, CaseState.REVIEW_REPLIED, CaseState.RE_REVIEW_REPLIED):
        replied_on = timezone.localdate(report.replied_at) if report.replied_at else timezone.localdate()
        if ask_for_review and timezone.localdate() > replied_on + timedelta(days=30):
            raise ValidationError(_("A review must be asked for within 30 days of the reply."))
    if satisfied:
        target = CaseState.SATISFIED
    elif state == CaseState.REPLIED:
        target = CaseState.UNSATISFIED
    elif state == CaseState.REVIEW_REPLIED and ask_for_review:
        target = CaseState.RE_REVIEW
    else:
        target = CaseState.CLOSED
    if not can_reporter_move(state, target):
        raise ValidationError(_("This case cannot be evaluated now."))
    _move(report, target, actor=None, action="evaluated", note=note, by_reporter=True, now=now)
    report.evaluation_note = note
    if target == CaseState.RE_REVIEW:
        report.re_review_requested_at = now
    if target == CaseState.UNSATISFIED and ask_for_review:
        report.review_requested_at = now
        _move(report, CaseState.REVIEW, actor=None, action="review_requested", note="", by_reporter=True, now=now)
    if target in (CaseState.SATISFIED, CaseState.CLOSED):
        report.closed_at = now
        if target == CaseState.SATISFIED:
            _move(report, CaseState.CLOSED, actor=None, action="closed", note="", by_reporter=True, now=now)
    refresh_deadline(report)
    report.save()
    return report


# --- staff workflow ------------------------------------------------------------------------------


def _move(
    report: Report, target: CaseState, *, actor, action: str, note: str, by_reporter: bool = False, now=None
) -> None:
    CaseEvent.objects.create(
        report=report,
        from_state=report.state,
        to_state=target,
        action=action,
        actor=actor,
        by_reporter=by_reporter,
        note=note,
        at=now or timezone.now(),
    )
    report.state = target


@transaction.atomic
def act(*, report: Report, user, action: str, note: str = "", transferred_to: str = "") -> Report:
    """Take a staff step in the workflow. Every step is recorded with its actor, time and note."""
    _require_handler(user, report)
    report = Report.objects.select_for_update().get(pk=report.pk)
    target = STAFF_ACTIONS.get(action)
    if target is None or not can_staff_move(report.state, target):
        raise ValidationError(_("That step is not possible from “%(state)s”.") % {"state": report.get_state_display()})
    note = (note or "").strip()
    if action in ("not_accept", "conclude") and not note:
        raise ValidationError({"note": [_("Record the reason or the result.")]})
    if action == "transfer":
        if not transferred_to.strip():
            raise ValidationError({"transferred_to": [_("Name the body the report goes to.")]})
        report.transferred_to = transferred_to.strip()[:120]
    if action == "close" and report.state == CaseState.REPLIED:
        replied_on = timezone.localdate(report.replied_at)
        if timezone.localdate() <= replied_on + timedelta(days=30):
            raise ValidationError(_("The reporter has 30 days from the reply to evaluate it or ask for review."))
    now = timezone.now()
    _move(report, target, actor=user, action=action, note=note, now=now)
    if target == CaseState.ACCEPTED:
        report.accepted_at = now
    elif target == CaseState.CONCLUDED:
        report.concluded_at = now
    elif target in (CaseState.CLOSED, CaseState.NOT_ACCEPTED, CaseState.TRANSFERRED):
        report.closed_at = now
    refresh_deadline(report)
    report.save()
    notifications.case_changed(report)
    return report


@transaction.atomic
def extend(*, report: Report, user, days: int, reason: str) -> Report:
    """Extend the handling time by at most 30 days in all, with the reason recorded (and told to the reporter)."""
    _require_handler(user, report)
    if report.state not in (CaseState.ACCEPTED, CaseState.HANDLING):
        raise ValidationError(_("Only a case under handling can be extended."))
    if days < 1 or report.extension_days + days > 30:
        raise ValidationError({"days": [_("The handling time can be extended by at most 30 days in all.")]})
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("Record the reason for the extension.")]})
    report.extension_days += days
    report.extension_reason = "\n".join(filter(None, [report.extension_reason, reason.strip()]))
    CaseEvent.objects.create(
        report=report,
        from_state=report.state,
        to_state=report.state,
        action="extended",
        actor=user,
        note=f"+{days}: {reason.strip()}",
    )
    refresh_deadline(report)
    report.save()
    notifications.case_changed(report)
    return report


@transaction.atomic
def reply(*, report: Report, user, body: str) -> ReportMessage:
    """Send the reporter the result (or the review's answer)."""
    _require_handler(user, report)
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": [_("Write the reply.")]})
    targets = {
        CaseState.CONCLUDED: CaseState.REPLIED,
        CaseState.REVIEW: CaseState.REVIEW_REPLIED,
        CaseState.RE_REVIEW: CaseState.RE_REVIEW_REPLIED,
    }
    target = targets.get(CaseState(report.state))
    if target is None:
        raise ValidationError(_("A reply is sent once the case is concluded or a review is answered."))
    message = ReportMessage.objects.create(
        report=report, direction=ReportMessage.Direction.TO_REPORTER, body=body, author=user
    )
    now = timezone.now()
    _move(report, target, actor=user, action="replied", note="", now=now)
    report.replied_at = now
    refresh_deadline(report)
    report.save()
    notifications.case_changed(report)
    return message


@transaction.atomic
def assign(*, report: Report, user, handler) -> Report:
    _require_handler(user, report)
    if handler is None or not can_handle(handler, report):
        raise ValidationError(
            {"handler": [_("This person cannot handle the case: outside its jurisdiction, or named in it.")]}
        )
    report.assigned_to = handler
    report.save(update_fields=["assigned_to"])
    CaseEvent.objects.create(
        report=report, from_state=report.state, to_state=report.state, action="assigned", actor=user, note=str(handler)
    )
    notifications.case_assigned(report, handler)
    return report


def refresh_escalations(today: date | None = None) -> list[Report]:
    """Recompute every open case's deadline and escalation; push the ones that got worse."""
    calendar = working_calendar()
    changed = []
    for report in Report.objects.filter(state__in=OPEN_STATES).select_related("region"):
        before = report.escalation
        if refresh_deadline(report, calendar, today):
            report.save(update_fields=["due_on", "due_rule", "escalation"])
            order = [Escalation.NONE, Escalation.REMINDER, Escalation.YELLOW, Escalation.RED]
            if order.index(Escalation(report.escalation)) > order.index(Escalation(before)):
                changed.append(report)
                notifications.case_escalated(report)
    return changed
