"""Writes for public petitions: drafting, sponsors, moderation, e-mail-confirmed signatures, thresholds,
and the answer loop (response clock, government response, the people's congress's consideration)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage, get_connection, send_mail
from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.roles import Role, has_role
from core import ratelimit
from core.digests import keyed_digest
from core.events import publish_event_on_commit, region_groups, role_group
from core.tasks import enqueue_on_commit
from petitions.models import Petition, PetitionStatus, Signature, SignatureAlert
from petitions.models.petitions import SIGNABLE_STATUSES, RejectionReason
from petitions.response_clock import is_worse, response_due, response_escalation
from petitions.states import can_move, statuses_before
from regions.models import Region
from search.indexing import record_changes
from search.similarity import text_similarity


@dataclass(frozen=True)
class PetitionSettings:
    sponsors: int
    response_threshold: int
    debate_threshold: int
    duration_days: int
    per_network_per_hour: int
    per_domain_per_hour: int
    trending_window_minutes: int
    trending_count: int
    response_months: int
    notify_batch_size: int


def petition_settings() -> PetitionSettings:
    return PetitionSettings(**{**DEFAULTS, **getattr(settings, "PETITIONS", {})})


DEFAULTS = {
    "sponsors": 5,
    "response_threshold": 10_000,
    "debate_threshold": 100_000,
    "duration_days": 180,
    "per_network_per_hour": 20,
    "per_domain_per_hour": 500,
    "trending_window_minutes": 60,
    "trending_count": 50,
    "response_months": 3,  # the government responds within this many months of the response threshold
    "notify_batch_size": 500,  # signers e-mailed per task (and per SMTP connection)
}


class SigningRefused(ValidationError):
    pass


MODERATOR_ROLES = (Role.ADMINISTRATOR, Role.LEGISLATOR)


def can_moderate(user, petition: Petition) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    return has_role(user, *MODERATOR_ROLES) and user.can_see_region(petition.region_id)


# --- drafting and moderation ---------------------------------------------------------------------


@transaction.atomic
def create_petition(*, creator, title: str, action: str, background: str, region: Region) -> Petition:
    if not getattr(creator, "is_authenticated", False):
        raise PermissionDenied(_("Sign in to start a petition."))
    errors = {}
    if len(title.strip()) < 6:
        errors["title"] = [_("Give the petition a title of at least 6 characters.")]
    if len(action.strip()) < 10:
        errors["action"] = [_("Say what action you ask for, in at least 10 characters.")]
    if errors:
        raise ValidationError(errors)
    return Petition.objects.create(
        creator=creator,
        title=title.strip(),
        action=action.strip(),
        background=background.strip(),
        region=region,
        sponsor_token=secrets.token_urlsafe(32),
    )


def similar_petitions(petition: Petition, limit: int = 5, threshold: float = 0.35) -> list[tuple[Petition, float]]:
    """Open or pending petitions that read like this one, for the moderator's duplicate check."""
    text = f"{petition.title} {petition.action}"
    candidates = Petition.objects.filter(status__in=[PetitionStatus.OPEN, PetitionStatus.PENDING]).exclude(
        pk=petition.pk
    )
    scored = [(other, text_similarity(text, f"{other.title} {other.action}")) for other in candidates[:2000]]
    return sorted([pair for pair in scored if pair[1] >= threshold], key=lambda pair: -pair[1])[:limit]


@transaction.atomic
def publish_petition(*, petition: Petition, moderator) -> Petition:
    if not can_moderate(moderator, petition):
        raise PermissionDenied
    if not can_move(petition.status, PetitionStatus.OPEN):
        raise ValidationError(_("Only a petition awaiting moderation can be published."))
    now = timezone.now()
    petition.status = PetitionStatus.OPEN
    petition.opened_at = now
    petition.closes_at = now + timedelta(days=petition_settings().duration_days)
    petition.moderated_by = moderator
    petition.save()
    return petition


@transaction.atomic
def reject_petition(*, petition: Petition, moderator, reason: str, details: str = "") -> Petition:
    if not can_moderate(moderator, petition):
        raise PermissionDenied
    if not can_move(petition.status, PetitionStatus.REJECTED):
        raise ValidationError(_("Only a petition awaiting moderation can be rejected."))
    if reason not in RejectionReason.values:
        raise ValidationError({"reason": [_("Choose a reason.")]})
    petition.status = PetitionStatus.REJECTED
    petition.rejection_reason = reason
    petition.rejection_details = details.strip()
    petition.moderated_by = moderator
    petition.save()
    return petition


@transaction.atomic
def close_expired_petitions(now=None) -> int:
    """Close every open petition whose signing period has ended; the search index follows."""
    now = now or timezone.now()
    expired = list(
        Petition.objects.select_for_update()
        .filter(status__in=statuses_before(PetitionStatus.CLOSED), closes_at__lte=now)
        .values_list("pk", flat=True)
    )
    if not expired:
        return 0
    closed = Petition.objects.filter(pk__in=expired).update(status=PetitionStatus.CLOSED)
    # update() sends no signals: tell the search outbox which petitions changed.
    record_changes("petition", expired)
    return closed


# --- signing ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PendingSignature:
    signature: Signature
    token: str  # sent by e-mail; stored only as a digest


def _over_limit(key: str, limit: int, seconds: int = 3600) -> bool:
    return not ratelimit.hit(key, limit, seconds)


def network_digest(address: str) -> str:
    """A keyed digest of the network address that changes every day: enough to spot bursts, not to trace."""
    return keyed_digest(f"signature-network:{timezone.localdate().isoformat()}", address or "")


def sign(
    *,
    petition: Petition,
    name: str,
    email: str,
    region: Region,
    network: str,
    sponsor_token: str = "",
    notify_by_email: bool = False,
) -> PendingSignature:
    """Record a signature and mail its confirmation link. It counts once confirmed."""
    sponsor = bool(sponsor_token) and secrets.compare_digest(sponsor_token, petition.sponsor_token)
    if sponsor and petition.status != PetitionStatus.COLLECTING_SPONSORS:
        raise SigningRefused(_("This petition no longer needs sponsors."))
    if not sponsor and not petition.is_open:
        raise SigningRefused(_("This petition is not open for signatures."))
    if petition.status not in SIGNABLE_STATUSES:
        raise SigningRefused(_("This petition is not open for signatures."))
    name, email = name.strip(), email.strip().lower()
    if not name or len(name) > 60:
        raise SigningRefused({"name": [_("Give your name.")]})
    domain = email.rsplit("@", 1)[-1]
    limits = petition_settings()
    digest = network_digest(network)
    if _over_limit(f"petitions:net:{digest}", limits.per_network_per_hour) or _over_limit(
        f"petitions:domain:{domain}", limits.per_domain_per_hour
    ):
        raise SigningRefused(_("Too many signatures from your network or e-mail provider. Please try again later."))
    token = secrets.token_urlsafe(32)
    try:
        with transaction.atomic():
            signature = Signature.objects.create(
                petition=petition,
                name=name,
                email=email,
                email_domain=domain,
                region=region,
                sponsor=sponsor,
                token_digest=keyed_digest("signature-token", token),
                network_digest=digest,
                notify_by_email=notify_by_email,
            )
            _check_trending(petition, signature, limits)
            enqueue_on_commit(send_confirmation, signature.pk, token)
    except IntegrityError:
        raise SigningRefused({"email": [_("This e-mail address has already signed this petition.")]})
    return PendingSignature(signature=signature, token=token)


def _check_trending(petition: Petition, signature: Signature, limits: PetitionSettings) -> None:
    """Window → count → alert past the threshold (once per window), as e-petitions does."""
    since = timezone.now() - timedelta(minutes=limits.trending_window_minutes)
    recent = Signature.objects.filter(petition=petition, created_at__gte=since)
    for source, field, key in (
        (SignatureAlert.Source.NETWORK, "network_digest", signature.network_digest),
        (SignatureAlert.Source.DOMAIN, "email_domain", signature.email_domain),
    ):
        count = recent.filter(**{field: key}).count()
        if count < limits.trending_count:
            continue
        if SignatureAlert.objects.filter(petition=petition, source=source, key=key, raised_at__gte=since).exists():
            continue
        alert = SignatureAlert.objects.create(
            petition=petition, source=source, key=key, count=count, window_minutes=limits.trending_window_minutes
        )
        publish_event_on_commit(
            [role_group(Role.ADMINISTRATOR), *region_groups(petition.region_id)],
            "petition.trending",
            {
                "petition": petition.pk,
                "alert": alert.pk,
                "summary": f"{petition.title}: {count}/{limits.trending_window_minutes}min",
            },
        )


@transaction.atomic
def confirm_signature(token: str) -> Signature | None:
    """Confirm by the e-mailed token. Idempotent; returns None for an unknown token."""
    if not token or len(token) > 100:
        return None
    signature = (
        Signature.objects.select_for_update().filter(token_digest=keyed_digest("signature-token", token)).first()
    )
    if signature is None or signature.confirmed_at is not None:
        return signature
    signature.confirmed_at = timezone.now()
    signature.save(update_fields=["confirmed_at"])
    petition = Petition.objects.select_for_update().get(pk=signature.petition_id)
    if signature.sponsor:
        sponsors = petition.signatures.filter(sponsor=True, confirmed_at__isnull=False).count()
        if can_move(petition.status, PetitionStatus.PENDING) and sponsors >= petition_settings().sponsors:
            petition.status = PetitionStatus.PENDING
            petition.submitted_at = timezone.now()
            petition.save(update_fields=["status", "submitted_at"])
            publish_event_on_commit(
                region_groups(petition.region_id),
                "petition.pending",
                {"petition": petition.pk, "summary": petition.title},
            )
        return signature
    Petition.objects.filter(pk=petition.pk).update(signature_count=F("signature_count") + 1)
    petition.refresh_from_db()
    _check_thresholds(petition)
    return signature


def _check_thresholds(petition: Petition) -> None:
    limits = petition_settings()
    now = timezone.now()
    for field, threshold, event in (
        ("response_threshold_reached_at", limits.response_threshold, "petition.response_threshold"),
        ("debate_threshold_reached_at", limits.debate_threshold, "petition.debate_threshold"),
    ):
        if petition.signature_count >= threshold and getattr(petition, field) is None:
            changes: dict[str, object] = {field: now}
            if field == "response_threshold_reached_at":  # the response clock starts
                changes["response_due_on"] = response_due(timezone.localdate(now), limits.response_months)
            Petition.objects.filter(pk=petition.pk, **{f"{field}__isnull": True}).update(**changes)
            for name, value in changes.items():
                setattr(petition, name, value)
            publish_event_on_commit(
                region_groups(petition.region_id),
                event,
                {
                    "petition": petition.pk,
                    "count": petition.signature_count,
                    "summary": f"{petition.title}: {petition.signature_count}",
                },
            )
            enqueue_on_commit(notify_staff_of_threshold, petition.pk, threshold)


# --- the answer loop: response, consideration, the clock --------------------------------------------

RESPONSE_MIN_LENGTH = 50
RESPONSE_MAX_LENGTH = 10_000
CONSIDERATION_MIN_LENGTH = 20
CONSIDERATION_MAX_LENGTH = 5_000


class Update:
    """What signers are told about by e-mail."""

    RESPONSE = "response"
    CONSIDERATION = "consideration"


def can_respond(user, petition: Petition) -> bool:
    """Who writes the government response: the staff who moderate petitions in the petition's region."""
    return can_moderate(user, petition)


def _text_errors(field: str, text: str, low: int, high: int) -> dict[str, list[str]]:
    length = len(text.strip())
    if length < low:
        return {field: [_("Write at least %(n)d characters.") % {"n": low}]}
    if length > high:
        return {field: [_("Write at most %(n)d characters.") % {"n": high}]}
    return {}


@transaction.atomic
def save_response_draft(*, petition: Petition, user, text: str) -> Petition:
    """Keep a draft of the response; nothing is published and nobody is told."""
    if not can_respond(user, petition):
        raise PermissionDenied
    if len(text) > RESPONSE_MAX_LENGTH:
        raise ValidationError(_text_errors("text", text, 0, RESPONSE_MAX_LENGTH))
    Petition.objects.filter(pk=petition.pk).update(response_draft=text.strip())
    petition.response_draft = text.strip()
    return petition


@transaction.atomic
def publish_response(*, petition: Petition, user, text: str) -> Petition:
    """Publish the government response and tell the signers who asked to be told, after commit."""
    if not can_respond(user, petition):
        raise PermissionDenied
    petition = Petition.objects.select_for_update().get(pk=petition.pk)
    if petition.response_threshold_reached_at is None:
        raise ValidationError(_("The petition has not reached the signatures that call for a response."))
    if petition.response_published_at is not None:
        raise ValidationError(_("A response is already published."))
    errors = _text_errors("text", text, RESPONSE_MIN_LENGTH, RESPONSE_MAX_LENGTH)
    if errors:
        raise ValidationError(errors)
    petition.government_response = text.strip()
    petition.response_draft = ""
    petition.response_published_at = timezone.now()
    petition.response_published_by = user
    petition.response_escalation = "none"
    petition.save(
        update_fields=[
            "government_response",
            "response_draft",
            "response_published_at",
            "response_published_by",
            "response_escalation",
        ]
    )
    publish_event_on_commit(
        region_groups(petition.region_id),
        "petition.responded",
        {"petition": petition.pk, "summary": petition.title},
    )
    enqueue_on_commit(notify_signers, petition.pk, Update.RESPONSE)
    return petition


@transaction.atomic
def record_consideration(*, petition: Petition, user, considered_on: date, summary: str, url: str = "") -> Petition:
    """Record the people's congress's consideration of a petition past the debate threshold; signers are told."""
    if not can_respond(user, petition):
        raise PermissionDenied
    petition = Petition.objects.select_for_update().get(pk=petition.pk)
    if petition.debate_threshold_reached_at is None:
        raise ValidationError(_("The petition has not reached the signatures that call for consideration."))
    if petition.considered_on is not None:
        raise ValidationError(_("The consideration is already recorded."))
    errors = _text_errors("summary", summary, CONSIDERATION_MIN_LENGTH, CONSIDERATION_MAX_LENGTH)
    if considered_on > timezone.localdate():
        errors["considered_on"] = [_("The date cannot be in the future.")]
    elif considered_on < timezone.localdate(petition.debate_threshold_reached_at):
        errors["considered_on"] = [_("The date cannot be before the petition reached the threshold.")]
    if url and not url.startswith(("https://", "http://")):
        errors["url"] = [_("Give a web address starting with https://.")]
    if errors:
        raise ValidationError(errors)
    petition.considered_on = considered_on
    petition.consideration_summary = summary.strip()
    petition.consideration_url = url.strip()
    petition.consideration_recorded_by = user
    petition.save(
        update_fields=["considered_on", "consideration_summary", "consideration_url", "consideration_recorded_by"]
    )
    enqueue_on_commit(notify_signers, petition.pk, Update.CONSIDERATION)
    return petition


def refresh_response_escalations(today: date | None = None) -> list[Petition]:
    """Recompute how late every unanswered petition's response is; staff are told once per level it reaches.

    Idempotent (the periodic job may run late or twice): a level is announced only when it gets worse.
    """
    today = today or timezone.localdate()
    worse = []
    awaiting = Petition.objects.filter(
        response_threshold_reached_at__isnull=False, response_due_on__isnull=False
    ).select_related("region")
    for petition in awaiting.filter(response_published_at__isnull=True).iterator():
        level = response_escalation(petition.response_due_on, today, answered=False)
        if level == petition.response_escalation:
            continue
        before = petition.response_escalation
        with transaction.atomic():
            changed = Petition.objects.filter(pk=petition.pk, response_escalation=before).update(
                response_escalation=level
            )
            if not changed:  # another run got there first
                continue
            petition.response_escalation = level
            if is_worse(level, before):
                worse.append(petition)
                publish_event_on_commit(
                    region_groups(petition.region_id),
                    "petition.response_overdue" if level in ("yellow", "red") else "petition.response_due_soon",
                    {"petition": petition.pk, "escalation": level, "summary": petition.title},
                )
                enqueue_on_commit(notify_staff_of_response_due, petition.pk, level)
    return worse


def signers_to_notify(petition_id: int) -> QuerySet[Signature]:
    """Confirmed signers who asked to be told (sponsors included: they signed too)."""
    return Signature.objects.filter(petition_id=petition_id, notify_by_email=True, confirmed_at__isnull=False)


UNSUBSCRIBE_SALT = "petitions.unsubscribe"


def unsubscribe_token(signature_id: int) -> str:
    return signing.dumps(signature_id, salt=UNSUBSCRIBE_SALT, compress=True)


@transaction.atomic
def unsubscribe(token: str) -> Signature | None:
    """Stop the e-mails about one petition, by the link in any of them. Idempotent; None for a bad link."""
    try:
        signature_id = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    signature = Signature.objects.select_related("petition").filter(pk=signature_id).first()
    if signature is not None and signature.notify_by_email:
        signature.notify_by_email = False
        signature.save(update_fields=["notify_by_email"])
    return signature


# --- mail ---------------------------------------------------------------------------------------

from django_tasks import task  # noqa: E402


@task()
def send_confirmation(signature_id: int, token: str) -> bool:
    signature = Signature.objects.select_related("petition").filter(pk=signature_id).first()
    if signature is None:
        return False
    link = settings.SITE_URL + reverse("petitions:confirm", args=[token])
    send_mail(
        subject=f"[阳光] 请确认您对“{signature.petition.title}”的签名",
        message=f"{signature.name}，您好：\n\n请打开以下链接确认签名，确认后签名才会计入：\n{link}\n\n如果不是您本人操作，请忽略本邮件。\n\n阳光平台",
        from_email=None,
        recipient_list=[signature.email],
    )
    return True


@task()
def notify_staff_of_threshold(petition_id: int, threshold: int) -> int:
    petition = Petition.objects.get(pk=petition_id)
    staff = _staff_emails(petition)
    if staff:
        send_mail(
            subject=f"[阳光] 请愿“{petition.title}”签名已达 {threshold}",
            message=f"请愿“{petition.title}”已获得 {petition.signature_count} 个确认签名，达到 {threshold} 的门槛，请按规定作出回应。"
            + (f"回应期限：{petition.response_due_on:%Y-%m-%d}。" if petition.response_due_on else "")
            + f"\n\n撰写并发布回应：{settings.SITE_URL}{reverse('petitions:respond', args=[petition.pk])}",
            from_email=None,
            recipient_list=staff,
        )
    return len(staff)


def _staff_emails(petition: Petition) -> list[str]:
    from accounts.models import User

    return [
        user.email
        for user in User.objects.filter(groups__name__in=[role.value for role in MODERATOR_ROLES], is_active=True)
        .select_related("jurisdiction")
        .distinct()
        if user.can_see_region(petition.region_id)
    ]


def _site_name() -> str:
    return getattr(settings, "WAGTAIL_SITE_NAME", "")


@task()
def notify_staff_of_response_due(petition_id: int, level: str) -> int:
    """Tell the staff of the petition's region that its response is due soon or overdue (once per level)."""
    petition = Petition.objects.select_related("region").filter(pk=petition_id).first()
    if petition is None or petition.response_published_at is not None:
        return 0
    staff = _staff_emails(petition)
    if not staff:
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "petition": petition,
            "level": level,
            "site_name": _site_name(),
            "link": settings.SITE_URL + reverse("petitions:respond", args=[petition.pk]),
        }
        subject = render_to_string("petitions/email/response_due_subject.txt", context).strip()
        body = render_to_string("petitions/email/response_due.txt", context)
    send_mail(subject=subject, message=body, from_email=None, recipient_list=staff)
    return len(staff)


@task()
def notify_signers(petition_id: int, update: str) -> int:
    """Split the signers to tell into batches, one task each: a petition may have 100,000 of them."""
    size = petition_settings().notify_batch_size
    ids = list(signers_to_notify(petition_id).order_by("pk").values_list("pk", flat=True))
    batches = [ids[start : start + size] for start in range(0, len(ids), size)]
    for batch in batches:
        send_update_batch.enqueue(petition_id, update, batch[0], batch[-1])
    return len(batches)


_NAME_SLOT, _LINK_SLOT = "\x00name\x00", "\x00unsubscribe\x00"  # no form lets a NUL into a name


@task()
def send_update_batch(petition_id: int, update: str, first_id: int, last_id: int) -> int:
    """E-mail one batch of signers about a response or a consideration, over one connection.

    The mail is rendered once per batch; each signer gets their name and their own link to stop these
    e-mails (also as a List-Unsubscribe header)."""
    petition = Petition.objects.select_related("region").filter(pk=petition_id).first()
    if petition is None:
        return 0
    signers = signers_to_notify(petition_id).filter(pk__gte=first_id, pk__lte=last_id).order_by("pk")
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "petition": petition,
            "update": update,
            "site_name": _site_name(),
            "page": settings.SITE_URL + reverse("petitions:detail", args=[petition.pk]),
            "name": _NAME_SLOT,
            "unsubscribe": _LINK_SLOT,
        }
        subject = render_to_string("petitions/email/update_subject.txt", context).strip()
        body = render_to_string("petitions/email/update.txt", context)
    outgoing = []
    for signature_id, name, email in signers.values_list("pk", "name", "email"):
        link = settings.SITE_URL + reverse("petitions:unsubscribe", args=[unsubscribe_token(signature_id)])
        personal = body.replace(_NAME_SLOT, name).replace(_LINK_SLOT, link)
        outgoing.append(
            EmailMessage(subject=subject, body=personal, to=[email], headers={"List-Unsubscribe": f"<{link}>"})
        )
    with get_connection() as connection:
        return connection.send_messages(outgoing) or 0
