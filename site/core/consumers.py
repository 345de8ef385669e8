"""The session-authenticated WebSocket endpoint that apps extend with their own events."""

from __future__ import annotations

import asyncio
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.utils import translation

from accounts.roles import roles_of
from core.events import (
    ROLE_SLUGS,
    as_message,
    bind_serving_loop,
    guard_for,
    recent_events,
    region_groups,
    role_group,
    user_group,
)

CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403


@database_sync_to_async
def _subscriptions(user) -> list[str]:
    """Groups a signed-in staff member listens to; empty for anyone else."""
    roles = roles_of(user)
    if not roles:
        return []
    groups = [role_group(role) for role in roles if role in ROLE_SLUGS]
    if user.jurisdiction_id:
        groups.append(region_groups(user.jurisdiction_id)[-1])
    groups.append(user_group(user.pk))
    return groups


def _language(scope) -> str:
    """The page's language (live.js sends ?lang=), if the site has it; the site's own otherwise."""
    asked = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("lang", [""])[0].lower()
    known = {code.lower() for code, _ in settings.LANGUAGES}
    return asked if asked in known else settings.LANGUAGE_CODE


@database_sync_to_async
def _recent(user, groups: list[str], language: str) -> list[dict]:
    with translation.override(language):
        return recent_events(user, groups)


@database_sync_to_async
def _readable(user, message: dict, language: str) -> dict | None:
    """The event as the socket sends it, or None where the event's guard does not admit this user."""
    guard = guard_for(message["event"])
    if guard is not None and not guard(user, message["event"], message["payload"]):
        return None
    with translation.override(language):
        return as_message(message["event"], message["payload"], event_id=message.get("id"), at=message.get("at"))


class LiveEventsConsumer(AsyncJsonWebsocketConsumer):
    """Staff receive live events for their roles, their jurisdiction and themselves.

    Anonymous connections are closed with 4401, signed-in users without a staff role with 4403. After the
    greeting, the latest stored events the user may see arrive in one "recent" message; then each event as it
    comes, with its sentence, link, level and time (`core.events.as_message`).
    """

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        self.groups_joined = await _subscriptions(user)
        if not self.groups_joined:
            await self.close(code=CLOSE_FORBIDDEN)
            return
        bind_serving_loop(asyncio.get_running_loop())
        self.language = _language(self.scope)
        for group in self.groups_joined:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()
        await self.send_json({"event": "hello", "payload": {"groups": self.groups_joined}})
        # Joined first, read second: an event committed in between may come twice; the page drops it by id.
        recent = await _recent(user, self.groups_joined, self.language)
        if recent:
            await self.send_json({"event": "recent", "payload": {"events": recent}})

    async def disconnect(self, code: int) -> None:
        for group in getattr(self, "groups_joined", []):
            await self.channel_layer.group_discard(group, self.channel_name)

    async def receive_json(self, content, **kwargs) -> None:
        if content.get("type") == "ping":
            await self.send_json({"event": "pong", "payload": {}})

    async def live_event(self, message: dict) -> None:
        # Groups are coarse (a region, a role): where the event's app has a guard, each recipient is checked.
        readable = await _readable(self.scope["user"], message, getattr(self, "language", settings.LANGUAGE_CODE))
        if readable is not None:
            await self.send_json(readable)
