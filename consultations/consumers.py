"""Public live comment counts for a draft page: anyone may listen, nobody may send."""

from __future__ import annotations

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from consultations.models import DraftPage
from consultations.selectors import visible_comments, visible_counts_by_provision


@database_sync_to_async
def _counts(draft_id: int) -> dict | None:
    draft = DraftPage.objects.live().filter(pk=draft_id).first()
    if draft is None:
        return None
    version = draft.current_version
    counts = {str(pk): n for pk, n in visible_counts_by_provision(version).items()} if version else {}
    counts["whole"] = visible_comments(draft).filter(provision__isnull=True).count()
    return counts


class DraftCountsConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self) -> None:
        self.draft_id = int(self.scope["url_route"]["kwargs"]["draft_id"])
        counts = await _counts(self.draft_id)
        if counts is None:
            await self.close(code=4404)
            return
        self.group = f"draft.{self.draft_id}"
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        await self.send_json({"event": "counts", "counts": counts})

    async def disconnect(self, code: int) -> None:
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content, **kwargs) -> None:
        """Listeners do not send; anything received is ignored."""

    async def live_event(self, message: dict) -> None:
        counts = await _counts(self.draft_id)
        if counts is not None:
            await self.send_json({"event": "counts", "counts": counts})
