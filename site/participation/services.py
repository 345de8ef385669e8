"""Writes: follow, unfollow, preferences, unsubscribe, and `notify` — how domain apps say what happened.

Mails go through the task queue after commit (core.tasks.enqueue_on_commit): a failed mail never loses the
record that caused it. Those who chose a daily digest get one e-mail a day (`send_digests`, a periodic job).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from core.tasks import enqueue_on_commit
from participation import registry
from participation.models import Follow, Frequency, Kind, Notification, Preference

UNSUBSCRIBE_SALT = "participation.unsubscribe"


def frequency_of(user) -> str:
    preference = Preference.objects.filter(user=user).values_list("frequency", flat=True).first()
    return preference or Frequency.IMMEDIATE


def is_following(user, subject: str, object_id: int) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return Follow.objects.filter(user=user, subject=subject, object_id=object_id).exists()


@transaction.atomic
def follow(*, user, subject: str, object_id: int) -> Follow:
    entry = registry.subject(subject)
    if entry is None or entry.resolve(object_id) is None:
        raise ValidationError(_("There is nothing here to follow."))
    follow, _created = Follow.objects.get_or_create(user=user, subject=subject, object_id=object_id)
    return follow


@transaction.atomic
def unfollow(*, user, subject: str, object_id: int) -> int:
    deleted, _detail = Follow.objects.filter(user=user, subject=subject, object_id=object_id).delete()
    return deleted


@transaction.atomic
def set_frequency(*, user, frequency: str) -> Preference:
    if frequency not in Frequency.values:
        raise ValidationError({"frequency": [_("Choose how often to be e-mailed.")]})
    preference, _created = Preference.objects.update_or_create(user=user, defaults={"frequency": frequency})
    if frequency == Frequency.NEVER:
        Notification.objects.filter(user=user, sent_at__isnull=True).delete()
    return preference


def unsubscribe_token(user_id: int) -> str:
    return signing.dumps(user_id, salt=UNSUBSCRIBE_SALT, compress=True)


def user_for_token(token: str):
    """The person a signed unsubscribe link belongs to; None for a tampered or foreign link."""
    try:
        user_id = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    return get_user_model().objects.filter(pk=user_id).first()


@transaction.atomic
def unsubscribe(token: str):
    """Stop every participation e-mail, by the signed link in any of them. Idempotent; None for a bad link."""
    user = user_for_token(token)
    if user is not None:
        set_frequency(user=user, frequency=Frequency.NEVER)
    return user


@transaction.atomic
def notify(
    *,
    kind: str,
    subject: str,
    object_id: int,
    title: str,
    path: str,
    users: Iterable[int] = (),
    followers: bool = True,
    exclude: Iterable[int] = (),
) -> int:
    """Tell the followers of (subject, object_id) — and `users`, by id — that `kind` happened.

    Returns how many people will be told. Those who asked for no e-mail are skipped; the mails leave
    after commit, at once or in the next daily digest, each person's choice. `exclude`: ids told otherwise.
    """
    recipients = set(users)
    if followers:
        recipients.update(Follow.objects.filter(subject=subject, object_id=object_id).values_list("user_id", flat=True))
    recipients -= set(exclude)
    if not recipients:
        return 0
    silent = set(
        Preference.objects.filter(user_id__in=recipients, frequency=Frequency.NEVER).values_list("user_id", flat=True)
    )
    recipients -= silent
    created = Notification.objects.bulk_create(
        Notification(user_id=user_id, kind=kind, subject=subject, object_id=object_id, title=title[:300], path=path)
        for user_id in sorted(recipients)
    )
    ids = [notification.pk for notification in created if notification.pk is not None]
    if not ids:  # backends that return no ids from bulk_create
        ids = list(
            Notification.objects.filter(
                kind=kind, subject=subject, object_id=object_id, user_id__in=recipients, sent_at__isnull=True
            ).values_list("pk", flat=True)
        )
    enqueue_on_commit(send_immediate, ids)
    return len(recipients)


# --- mail ------------------------------------------------------------------------------------------


def _site_name() -> str:
    return getattr(settings, "WAGTAIL_SITE_NAME", "")


def _message(user, template: str, context: dict) -> EmailMessage:
    link = settings.SITE_URL + reverse("participation:unsubscribe", args=[unsubscribe_token(user.pk)])
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            **context,
            "site_name": _site_name(),
            "site_url": settings.SITE_URL,
            "mine": settings.SITE_URL + reverse("participation:mine"),
            "unsubscribe": link,
        }
        subject = render_to_string(f"participation/email/{template}_subject.txt", context).strip()
        body = render_to_string(f"participation/email/{template}.txt", context)
    return EmailMessage(
        subject=" ".join(subject.split()),
        body=body,
        to=[user.email],
        headers={"List-Unsubscribe": f"<{link}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
    )


def _items(notifications: Iterable[Notification]) -> list[dict]:
    return [
        {"kind": Kind(n.kind).label, "title": n.title, "link": settings.SITE_URL + n.path, "kind_code": n.kind}
        for n in notifications
    ]


@task()
def send_immediate(notification_ids: list[int]) -> int:
    """E-mail the people who chose "at once" their notification, one mail each; others wait for the digest."""
    pending = (
        Notification.objects.filter(pk__in=notification_ids, sent_at__isnull=True)
        .select_related("user", "user__notification_preference")
        .order_by("pk")
    )
    outgoing: list[EmailMessage] = []
    sent: list[int] = []
    for notification in pending:
        if frequency_of(notification.user) != Frequency.IMMEDIATE or not notification.user.email:
            continue
        item = _items([notification])[0]
        outgoing.append(_message(notification.user, "notification", {"item": item}))
        sent.append(notification.pk)
    if outgoing:
        with get_connection() as connection:
            connection.send_messages(outgoing)
        Notification.objects.filter(pk__in=sent).update(sent_at=timezone.now())
    return len(sent)


def send_digests() -> int:
    """The daily job: one e-mail per person who chose the digest, listing everything that waits for them."""
    waiting = (
        Notification.objects.filter(sent_at__isnull=True, user__notification_preference__frequency=Frequency.DAILY)
        .select_related("user")
        .order_by("user_id", "pk")
    )
    by_user: dict[int, list[Notification]] = {}
    for notification in waiting:
        by_user.setdefault(notification.user_id, []).append(notification)
    outgoing: list[EmailMessage] = []
    sent: list[int] = []
    for notifications in by_user.values():
        user = notifications[0].user
        if user.email:
            outgoing.append(_message(user, "digest", {"items": _items(notifications), "count": len(notifications)}))
        sent.extend(n.pk for n in notifications)
    if outgoing:
        with get_connection() as connection:
            connection.send_messages(outgoing)
    Notification.objects.filter(pk__in=sent).update(sent_at=timezone.now())
    return len(outgoing)
