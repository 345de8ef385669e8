"""Writes for the confidential report channel: filing, the case workflow, identity access, receipts.

Every staff action checks the role, the jurisdiction and conflicts of interest on the server.
Side effects (e-mails, live pushes) run after commit and carry no case content.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import Role, has_role
from core import ratelimit
from core.events import publish_event_on_commit, region_groups
from core.identifiers import is_valid_credit_code, is_valid_resident_id, normalise_name
from core.jurisdiction import in_jurisdiction
from core.tasks import enqueue_on_commit
from petitions import crypto
from petitions.attachments import inspect_attachment
from petitions.codes import code_digest, new_code, normalise_code
from petitions.deadlines import Clocks, Escalation, deadline, escalation
from petitions.models import (
    CaseEvent,
    IdentityAccess,
    Receipt,
    ReceiptChainHead,
    Report,
    ReportAttachment,
    ReportMessage,
    TargetSignal,
)
from petitions.states import (
    OPEN_STATES,
    REPORTER_CAN_ADD_INFORMATION,
    STAFF_ACTIONS,  # action → target state; their words are in petitions.states.CASE_STEPS
    CaseState,
    can_reporter_move,
    can_staff_move,
)
from regions.models import Region
from search.similarity import text_similarity
from workdays.calendar import WorkingCalendar
from workdays.selectors import working_calendar

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
MAX_ATTACHMENTS = 5
DUPLICATE_SIMILARITY = 0.85
SIGNAL_THRESHOLD = 3
GENESIS = "0" * 64


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
        received=_local(report.received_at),
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
        mime = inspect_attachment(upload.name or "", data)  # by content; see petitions/attachments.py
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


def _keys(subject_name: str, subject_unit: str, subject_unit_code: str) -> tuple[str, str, str]:
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
            subject_key, unit_key, unit_name_key = _keys(subject_name, subject_unit, subject_unit_code)
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
            _issue_receipt(report)  # last: it holds the chain head's lock until commit
            publish_event_on_commit(
                region_groups(report.region_id),
                "report.received",
                {
                    "report": str(report.public_id),
                    "kind": report.kind,
                    "summary": f"{report.get_kind_display()} · {report.region.full_name}",
                },
            )
            if report.notify_by_email:
                enqueue_on_commit(notify_reporter, report.pk)
    except Exception:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    return FiledReport(report=report, code=code)


# --- receipts -----------------------------------------------------------------------------------


def content_digest(report: Report) -> str:
    """Digest of what was filed: the fields that must never change after filing."""
    content = {
        "id": str(report.public_id),
        "kind": report.kind,
        "subject": [report.subject_name, report.subject_post, report.subject_unit, report.subject_unit_code],
        "region": report.region_id,
        "occurred": report.occurred,
        "description": report.description,
        "anonymous": report.anonymous,
        "received_at": report.received_at.isoformat(),
    }
    return hashlib.sha256(json.dumps(content, ensure_ascii=False, sort_keys=True).encode("utf-8")).hexdigest()


def chain_hash(previous_hash: str, sequence: int, filed_at, digest: str) -> str:
    return hashlib.sha256(f"{previous_hash}|{sequence}|{filed_at.isoformat()}|{digest}".encode()).hexdigest()


def _locked_chain_head() -> ReceiptChainHead:
    """The chain head, locked until the current transaction ends: one filer at a time gets past here.

    Locking the one head row serialises issuers on PostgreSQL under READ COMMITTED, where locking the
    last receipt did not (a receipt inserted meanwhile is not the row a waiting filer had locked). The
    row is made on first use (after a test-database flush, say), starting from the last receipt.
    """
    head = ReceiptChainHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        last = Receipt.objects.order_by("-sequence").first()
        ReceiptChainHead.objects.bulk_create(
            [ReceiptChainHead(pk=1, sequence=last.sequence if last else 0, hash=last.hash if last else GENESIS)],
            ignore_conflicts=True,
        )
        head = ReceiptChainHead.objects.select_for_update().get(pk=1)
    return head


def _issue_receipt(report: Report) -> Receipt:
    """Chain a receipt to the head. Call it last in the filing transaction: the head stays locked until commit."""
    head = _locked_chain_head()
    sequence = head.sequence + 1
    digest = content_digest(report)
    receipt = Receipt.objects.create(
        report=report,
        sequence=sequence,
        filed_at=report.received_at,
        content_digest=digest,
        previous_hash=head.hash,
        hash=chain_hash(head.hash, sequence, report.received_at, digest),
    )
    ReceiptChainHead.objects.filter(pk=head.pk).update(sequence=sequence, hash=receipt.hash)
    return receipt


@dataclass(frozen=True)
class ChainCheck:
    checked: int
    broken: Receipt | None
    problem: str

    @property
    def ok(self) -> bool:
        return self.broken is None


def verify_receipts() -> ChainCheck:
    previous = GENESIS
    checked = 0
    for receipt in Receipt.objects.select_related("report").order_by("sequence").iterator(chunk_size=1000):
        checked += 1
        if receipt.sequence != checked:
            return ChainCheck(
                checked, receipt, f"sequence {receipt.sequence} where {checked} was expected (a receipt is missing)"
            )
        if receipt.previous_hash != previous:
            return ChainCheck(checked, receipt, "does not chain to the previous receipt")
        if content_digest(receipt.report) != receipt.content_digest:
            return ChainCheck(checked, receipt, "the report's filed content was changed")
        if (
            chain_hash(receipt.previous_hash, receipt.sequence, receipt.filed_at, receipt.content_digest)
            != receipt.hash
        ):
            return ChainCheck(checked, receipt, "its hash does not match its fields")
        previous = receipt.hash
    return ChainCheck(checked, None, "")


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
        publish_event_on_commit(
            region_groups(report.region_id),
            "report.signal",
            {"signal": signal.pk, "count": count, "summary": _("Several reports name one target")},
        )


def linked_reports(report: Report) -> QuerySet[Report]:
    """Other reports naming the same person, or the same unit."""
    same = Q(unit_key=report.unit_key)
    if report.subject_key:
        same |= Q(subject_key=report.subject_key)
    return Report.objects.filter(same).exclude(pk=report.pk)


# --- who may see what ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ConflictKeys:
    """Who a user is, in the normalised forms reports are keyed by (see `_keys`)."""

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


def _require_handler(user, report: Report) -> None:
    if not can_handle(user, report):
        raise PermissionDenied(_("This case is not yours to see."))


def reveal_identity(*, report: Report, user, reason: str) -> dict[str, str]:
    """Decrypt a real-name reporter's identity for an allowed inspector, and record that it was seen."""
    _require_handler(user, report)
    if not user.has_perm("petitions.view_reporter_identity"):
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
            publish_event_on_commit(
                region_groups(report.region_id),
                "report.updated",
                {"report": str(report.public_id), "summary": _("The reporter added information")},
            )
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


def staff_targets(state: str) -> frozenset[CaseState]:
    from petitions.states import STAFF_TRANSITIONS

    return STAFF_TRANSITIONS.get(CaseState(state), frozenset())


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
    _after_change(report)
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
    _after_change(report)
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
    _after_change(report)
    return message


def assignable_handlers(report: Report):
    from accounts.models import User

    candidates = User.objects.filter(
        Q(groups__name=Role.INSPECTOR.value) | Q(is_superuser=True), is_active=True
    ).distinct()
    return [user for user in candidates if can_handle(user, report)]


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
    publish_event_on_commit(
        [f"user.{handler.pk}"],
        "report.assigned",
        {"report": str(report.public_id), "summary": _("A case was assigned to you")},
    )
    return report


def _after_change(report: Report) -> None:
    publish_event_on_commit(
        region_groups(report.region_id),
        "report.changed",
        {
            "report": str(report.public_id),
            "state": report.state,
            "summary": _("Case %(reference)s: %(state)s")
            % {"reference": report.reference, "state": report.get_state_display()},
        },
    )
    if report.notify_by_email:
        enqueue_on_commit(notify_reporter, report.pk)


def _escalation_summary(report: Report) -> str:
    if report.escalation == Escalation.RED:
        return _("Case %(reference)s is long overdue (red)") % {"reference": report.reference}
    if report.escalation == Escalation.YELLOW:
        return _("Case %(reference)s is overdue (yellow)") % {"reference": report.reference}
    return _("Case %(reference)s is due soon") % {"reference": report.reference}


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
                publish_event_on_commit(
                    region_groups(report.region_id),
                    "report.overdue" if report.escalation in (Escalation.YELLOW, Escalation.RED) else "report.due_soon",
                    {
                        "report": str(report.public_id),
                        "escalation": report.escalation,
                        "reference": report.reference,
                        "summary": _escalation_summary(report),
                    },
                )
    return changed


# --- notifications -------------------------------------------------------------------------------

from django_tasks import task  # noqa: E402


@task()
def notify_reporter(report_id: int) -> bool:
    """Tell a real-name reporter that their case moved, without any case content."""
    from django.core.mail import send_mail

    report = Report.objects.filter(pk=report_id).first()
    if report is None or not report.notify_by_email or not report.identity_token:
        return False
    email = crypto.decrypt_json(report.identity_token).get("email")
    if not email:
        return False
    IdentityAccess.objects.create(report=report, user=None, what="email", reason="系统通知：案件状态变化")
    send_mail(
        subject="[阳光] 您的举报有新进展",
        message=(
            "您好：\n\n您提交的举报有新的办理进展。为保护您的信息，本邮件不包含案件内容。\n"
            f"请凭查询码登录查看：{settings.SITE_URL}/reports/check/\n\n阳光平台"
        ),
        from_email=None,
        recipient_list=[email],
    )
    return True
