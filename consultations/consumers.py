"""Public live comment counts for a draft page: anyone who may read the page may listen, nobody may send.

The counts are computed once per change, after commit, by the task that sends them
(`publish_counts_on_commit`); listeners forward what they receive and never query.
"""

from __future__ import annotations

from types import SimpleNamespace

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.contrib.auth.models import AnonymousUser
from django_tasks import task

from consultations.models import DraftPage
from consultations.selectors import visible_count, visible_counts_by_provision
from core.events import publish_event
from core.tasks import enqueue_once_pending_on_commit, started_pending

COUNTS_CHANGED = "counts.changed"


def draft_group(draft_id: int) -> str:
    return f"draft.{draft_id}"


def draft_counts(draft_id: int) -> dict[str, int] | None:
    """Visible comments per article of the current version, and on the whole draft; None for a draft
    that is not live."""
    draft = DraftPage.objects.live().filter(pk=draft_id).first()
    if draft is None:
        return None
    version = draft.current_version
    counts = {str(pk): n for pk, n in visible_counts_by_provision(version).items()} if version else {}
    counts["whole"] = visible_count(draft, whole_draft=True)
    return counts


def _counts_run(draft_id: int) -> str:
    return f"consultations.push_counts:{draft_id}"


@task()
def push_counts(draft_id: int) -> None:
    started_pending(_counts_run(draft_id))
    counts = draft_counts(draft_id)
    if counts is not None:
        publish_event(draft_group(draft_id), COUNTS_CHANGED, {"draft": draft_id, "counts": counts})


def publish_counts_on_commit(*, draft: DraftPage) -> None:
    """Once the current transaction commits, send the draft's counts to everyone reading it: one run for a
    burst of changes (none is queued while one for this draft waits to start; that one reads the latest)."""
    enqueue_once_pending_on_commit(_counts_run(draft.pk), push_counts, draft.pk)


def counts_for_viewer(draft_id: int, scope) -> dict[str, int] | None:
    """The draft's counts, or None when it is not live or sits behind a Wagtail view restriction (sign-in,
    groups, password) that this connection's user and session do not pass: as for the page itself."""
    draft = DraftPage.objects.live().filter(pk=draft_id).first()
    if draft is None:
        return None
    viewer = SimpleNamespace(user=scope.get("user") or AnonymousUser(), session=scope.get("session") or {})
    if not all(restriction.accept_request(viewer) for restriction in draft.get_view_restrictions()):
        return None
    return draft_counts(draft_id)


class DraftCountsConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self) -> None:
        self.draft_id = int(self.scope["url_route"]["kwargs"]["draft_id"])
        counts = await database_sync_to_async(counts_for_viewer)(self.draft_id, self.scope)
        if counts is None:
            await self.close(code=4404)
            return
        self.group = draft_group(self.draft_id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        await self.send_json({"event": "counts", "counts": counts})

    async def disconnect(self, code: int) -> None:
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content, **kwargs) -> None:
        """Listeners do not send; anything received is ignored."""

    async def live_event(self, message: dict) -> None:
        counts = message["payload"].get("counts")
        if message["event"] == COUNTS_CHANGED and counts is not None:
            await self.send_json({"event": "counts", "counts": counts})
