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
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django_tasks import task

from accounts.roles import Role
from core.tasks import enqueue_on_commit
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


def publish_event(group: str, event_type: str, payload: dict[str, Any]) -> None:
    """Send now. Prefer `publish_event_on_commit` inside a write.

    From synchronous code in a thread without an event loop (a view, a worker, sync_to_async) the
    send completes before this returns. Synchronous code called straight from a running loop cannot
    wait for that loop: the send is scheduled on it and runs as soon as the caller hands control back.
    """
    layer = get_channel_layer()
    if layer is None:
        return
    message = {"type": "live.event", "event": event_type, "payload": payload}
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
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
    """Push an event to `groups` through the task queue once the current transaction commits."""
    enqueue_on_commit(deliver_live_event, groups, event_type, payload)


@task()
def deliver_live_event(groups: list[str], event_type: str, payload: dict[str, Any]) -> int:
    """Send one event to its groups; returns how many got it.

    Live events are a courtesy on top of what the pages show from the database: while the channel
    layer (Redis) is down they are dropped with one warning line, not retried and not a failed task
    with a traceback per event.
    """
    from redis.exceptions import RedisError

    for sent, group in enumerate(groups):
        try:
            publish_event(group, event_type, payload)
        except (OSError, TimeoutError, RedisError) as error:
            logger.warning(
                "live event %s not delivered: channel layer unavailable (%s)", event_type, type(error).__name__
            )
            return sent
    return len(groups)
