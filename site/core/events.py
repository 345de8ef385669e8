"""Live events: pushed to WebSocket groups after the transaction that caused them commits.

Group names:
- ``role.<role-slug>``: everyone signed in with that role;
- ``region.<code>``: staff whose jurisdiction is that region (events are sent to
  every enclosing region, so a province inspector sees a county's events, and national
  staff, ``region.000000``, see everything);
- ``user.<id>``: one person.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django_tasks import task

from accounts.roles import Role
from core.tasks import enqueue_once_pending_on_commit, started_pending
from regions.codes import ancestors

logger = logging.getLogger(__name__)

ROLE_SLUGS = {Role.LEGISLATOR: "legislator", Role.INSPECTOR: "inspector", Role.ADMINISTRATOR: "administrator"}


def role_group(role: Role) -> str:
    return f"role.{ROLE_SLUGS[role]}"


def region_groups(code: str) -> list[str]:
    """The groups of `code` and every region enclosing it, the whole country first."""
    return [f"region.{enclosing}" for enclosing in [*ancestors(code), code]]


def user_group(user_id: int) -> str:
    return f"user.{user_id}"


# --- per-recipient guards -------------------------------------------------------------------------

Guard = Callable[[Any, str, dict[str, Any]], bool]
_guards: dict[str, Guard] = {}


def register_guard(prefix: str, guard: Guard) -> None:
    """Before forwarding an event whose type starts with `prefix`, the socket asks `guard(user, type, payload)`.

    A group reaches everyone in it; an app whose events some members must not see (a report about
    an inspector of the region) registers a guard, from its AppConfig.ready.
    """
    _guards[prefix] = guard


def guard_for(event_type: str) -> Guard | None:
    """The guard events of this type pass through, if any (it is synchronous: it may query the database)."""
    return next((guard for prefix, guard in _guards.items() if event_type.startswith(prefix)), None)


# --- what a person reads -------------------------------------------------------------------------


@dataclass(frozen=True)
class Description:
    """An event as a person reads it: a sentence in the active language, where it leads, and its level."""

    text: str
    url: str = ""
    level: str = ""  # "red", "yellow", "reminder", a severity: the panel colours the line by it


Describer = Callable[[str, dict[str, Any]], Description]
_describers: dict[str, Describer] = {}


def register_describer(prefix: str, describer: Describer) -> None:
    """Apps say in words what their events (types starting with `prefix`) mean, from AppConfig.ready."""
    _describers[prefix] = describer


def describe(event_type: str, payload: dict[str, Any]) -> Description:
    """The sentence for an event, in the active language; a plain one for types no app describes."""
    from django.utils.translation import gettext as _

    describer = next((d for prefix, d in _describers.items() if event_type.startswith(prefix)), None)
    if describer is not None:
        try:
            return describer(event_type, payload)
        except Exception:  # noqa: BLE001 - a describer's fault must not cost the viewer the event or the socket
            logger.warning("live event %s could not be described", event_type, exc_info=True)
    summary = payload.get("summary") if isinstance(payload, dict) else None
    url = payload.get("url", "") if isinstance(payload, dict) else ""
    if summary:
        return Description(_("New activity: %(summary)s") % {"summary": summary}, url=url)
    return Description(_("Something changed."), url=url)


# --- sending --------------------------------------------------------------------------------------

_serving_loop: asyncio.AbstractEventLoop | None = None


def bind_serving_loop(loop: asyncio.AbstractEventLoop | None) -> None:
    """Remember the loop that serves this process's sockets (the consumer calls this when one connects).

    Channels' in-memory layer (make run) keeps asyncio queues of that loop: a send from another thread with
    no loop of its own (the scheduler inside the development server) is handed to it, not run on a new loop.
    """
    global _serving_loop
    _serving_loop = loop


def _handed_to_serving_loop(layer, group: str, message: dict) -> bool:
    from channels.layers import InMemoryChannelLayer

    loop = _serving_loop
    if not isinstance(layer, InMemoryChannelLayer) or loop is None or loop.is_closed() or not loop.is_running():
        return False
    asyncio.run_coroutine_threadsafe(layer.group_send(group, message), loop).result(timeout=10)
    return True


def publish_event(
    group: str, event_type: str, payload: dict[str, Any], *, event_id: int | None = None, at: str | None = None
) -> None:
    """Send now. Prefer `publish_event_on_commit` inside a write.

    From synchronous code in a thread without an event loop (a view, a worker, sync_to_async) the
    send completes before this returns. Synchronous code called straight from a running loop cannot
    wait for that loop: the send is scheduled on it and runs as soon as the caller hands control back.
    `event_id` and `at` are those of the stored event (`LiveEvent`), if it was stored.
    """
    layer = get_channel_layer()
    if layer is None:
        return
    message = {"type": "live.event", "event": event_type, "payload": payload}
    if event_id is not None:
        message.update(id=event_id, at=at)
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        if not _handed_to_serving_loop(layer, group, message):
            async_to_sync(layer.group_send)(group, message)
        return
    sending = loop.create_task(layer.group_send(group, message))
    _sending.add(sending)  # the loop keeps only a weak reference to its tasks
    sending.add_done_callback(_sent)


_sending: set[asyncio.Task] = set()


def _sent(sending: asyncio.Task) -> None:
    _sending.discard(sending)
    if not sending.cancelled() and (error := sending.exception()) is not None:
        logger.error("a live event could not be sent", exc_info=error)


def publish_event_on_commit(groups: list[str], event_type: str, payload: dict[str, Any]) -> None:
    """Push an event to `groups` through the task queue once the current transaction commits.

    The event is stored, unsent, in the same transaction, so a socket that connects later is shown it
    among the latest (`recent_events`) and a rollback takes it back with the change that caused it; after
    commit `deliver_live_events` sends it with every other unsent event.
    """
    from core.models import LiveEvent

    LiveEvent.objects.create(event_type=event_type[:60], groups=f" {' '.join(groups)} ", payload=payload)
    # One delivery run sends every event stored before it starts: a burst of submissions queues a few runs.
    enqueue_once_pending_on_commit(DELIVERY_RUN, deliver_live_events)


def recent_events(user, groups: list[str], *, limit: int = 10, scan: int = 100) -> list[dict[str, Any]]:
    """The latest stored events sent to any of `groups` that `user` may see (the guards ask), newest first,
    as the socket sends them. Synchronous: call it through database_sync_to_async."""
    from django.db.models import Q

    from core.models import LiveEvent

    if not groups:
        return []
    sent_to = Q()
    for group in groups:
        sent_to |= Q(groups__contains=f" {group} ")
    found = []
    for event in LiveEvent.objects.filter(sent_to)[:scan]:
        guard = guard_for(event.event_type)
        if guard is not None and not guard(user, event.event_type, event.payload):
            continue
        found.append(as_message(event.event_type, event.payload, event_id=event.pk, at=event.at))
        if len(found) >= limit:
            break
    return found


def as_message(event_type: str, payload: dict[str, Any], *, event_id: int | None = None, at=None) -> dict[str, Any]:
    """An event as the socket sends it: the data, and what a person reads (sentence, link, level, time)."""
    from datetime import datetime

    from django.utils import formats, timezone

    if isinstance(at, str):
        at = datetime.fromisoformat(at)
    at = at or timezone.now()
    description = describe(event_type, payload)
    return {
        "event": event_type,
        "payload": payload,
        "id": event_id,
        "text": description.text,
        "url": description.url if description.url.startswith("/") else "",
        "level": description.level,
        "at": at.isoformat(),
        "time": formats.date_format(timezone.localtime(at), "m-d H:i"),
    }


def prune_live_events(keep: int = 2000, days: int = 30) -> int:
    """Drop stored events older than `days`, and all but the latest `keep`. A periodic job of the kernel."""
    from datetime import timedelta

    from django.utils import timezone

    from core.models import LiveEvent

    cutoff = timezone.now() - timedelta(days=days)
    deleted, _ = LiveEvent.objects.filter(at__lt=cutoff).delete()
    newest = list(LiveEvent.objects.values_list("pk", flat=True)[:keep])
    if len(newest) == keep:
        deleted += LiveEvent.objects.filter(pk__lt=min(newest)).delete()[0]
    return deleted


@task()
def deliver_live_event(
    groups: list[str], event_type: str, payload: dict[str, Any], event_id: int | None = None, at: str | None = None
) -> int:
    """Send one event to its groups; returns how many got it.

    Live events are a courtesy on top of what the pages show from the database: while the channel
    layer (Redis) is down they are dropped with one warning line, not retried and not a failed task
    with a traceback per event.
    """
    from redis.exceptions import RedisError

    for sent, group in enumerate(groups):
        try:
            publish_event(group, event_type, payload, event_id=event_id, at=at)
        except (OSError, TimeoutError, RedisError) as error:
            logger.warning(
                "live event %s not delivered: channel layer unavailable (%s)", event_type, type(error).__name__
            )
            return sent
    return len(groups)


DELIVERY_RUN = "core.deliver_live_events"
DELIVERY_BATCH = 500
STALE_SECONDS = 600  # an unsent event older than this is marked sent, not pushed: the panel has moved on


@task()
def deliver_live_events() -> int:
    """Send every stored event not sent yet, oldest first; returns how many were pushed.

    Events are claimed a batch at a time (`FOR UPDATE SKIP LOCKED` where the database has it), so two runs at
    once never send one event twice. As with `deliver_live_event`, an event that cannot be pushed while the
    channel layer (Redis) is down is dropped with one warning line: the pages show the database anyway.
    """
    from datetime import timedelta

    from django.db import transaction
    from django.utils import timezone
    from redis.exceptions import RedisError

    from core.models import LiveEvent

    started_pending(DELIVERY_RUN)
    pushed = 0
    layer_down = False
    stale = timezone.now() - timedelta(seconds=STALE_SECONDS)
    while True:
        with transaction.atomic():
            claimed = list(
                LiveEvent.objects.filter(sent=False)
                .order_by("pk")
                .select_for_update(skip_locked=True)
                .only("pk", "event_type", "groups", "payload", "at")[:DELIVERY_BATCH]
            )
            if not claimed:
                return pushed
            LiveEvent.objects.filter(pk__in=[event.pk for event in claimed]).update(sent=True)
        for event in claimed:
            if layer_down or event.at < stale:
                continue
            for group in event.groups.split():
                try:
                    publish_event(group, event.event_type, event.payload, event_id=event.pk, at=event.at.isoformat())
                except (OSError, TimeoutError, RedisError) as error:
                    logger.warning("live events not delivered: channel layer unavailable (%s)", type(error).__name__)
                    layer_down = True
                    break
            else:
                pushed += 1
        if len(claimed) < DELIVERY_BATCH:
            return pushed
