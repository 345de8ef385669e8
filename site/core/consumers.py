"""The session-authenticated WebSocket endpoint that apps extend with their own events."""

from __future__ import annotations

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from accounts.roles import roles_of
from core.events import ROLE_SLUGS, guard_for, region_groups, role_group, user_group

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


class LiveEventsConsumer(AsyncJsonWebsocketConsumer):
    """Staff receive live events for their roles, their jurisdiction and themselves.

    Anonymous connections are closed with 4401, signed-in users without a staff role with 4403.
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
        for group in self.groups_joined:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()
        await self.send_json({"event": "hello", "payload": {"groups": self.groups_joined}})

    async def disconnect(self, code: int) -> None:
        for group in getattr(self, "groups_joined", []):
            await self.channel_layer.group_discard(group, self.channel_name)

    async def receive_json(self, content, **kwargs) -> None:
        if content.get("type") == "ping":
            await self.send_json({"event": "pong", "payload": {}})

    async def live_event(self, message: dict) -> None:
        # Groups are coarse (a region, a role): where the event's app has a guard, each recipient is checked.
        guard = guard_for(message["event"])
        if guard is not None and not await database_sync_to_async(guard)(
            self.scope["user"], message["event"], message["payload"]
        ):
            return
        await self.send_json({"event": message["event"], "payload": message["payload"]})
