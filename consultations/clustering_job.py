"""Clustering a draft as a background job, started from the review screen.

    start_clustering(*, draft, user, k=None, full=False)   queue the run after commit; never computes
    run_state(draft_id) -> dict | None                      the last state, for a page loaded without script
    describe_progress(event_type, payload) -> Description   the sentence (live panel, review page)

The run goes through the task queue (`run_clustering_job`). Its state (queued, running with the last
step, done or failed) is kept in the cache, not in a model, and each step is pushed over the live
socket as a "clustering.progress" event to the groups of the draft's region; a guard lets through
only the people who manage the draft (registered in ConsultationsConfig.ready).
"""

from __future__ import annotations

import logging
import re
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from django_tasks import task

from consultations.clustering import MIN_COMMENTS
from consultations.models import DraftPage
from core.events import Description, publish_event, region_groups, user_group

logger = logging.getLogger(__name__)

PROGRESS = "clustering.progress"
STATE_SECONDS = 3600  # a finished run is shown this long
BUSY_SECONDS = 900  # a queued or running state not refreshed this long is forgotten (a worker that died)
QUEUED, RUNNING, DONE, SKIPPED, FAILED = "queued", "running", "done", "skipped", "failed"


def _state_key(draft_id: int) -> str:
    return f"consultations:clustering-run:{draft_id}"


def run_state(draft_id: int) -> dict[str, Any] | None:
    return cache.get(_state_key(draft_id))


def is_running(state: dict[str, Any] | None) -> bool:
    return bool(state) and state.get("state") in (QUEUED, RUNNING)


def _groups(draft: DraftPage, user_id: int | None) -> list[str]:
    groups = region_groups(draft.jurisdiction_id) if draft.jurisdiction_id else []
    if user_id is not None:
        groups.append(user_group(user_id))  # whoever started it, national staff without a region included
    return groups


def _report(draft: DraftPage, user_id: int | None, payload: dict[str, Any]) -> None:
    """Keep the state for a reload, and push it to the draft's managers now (live events are a courtesy)."""
    payload = {"draft": draft.pk, **payload}
    cache.set(_state_key(draft.pk), payload, timeout=BUSY_SECONDS if is_running(payload) else STATE_SECONDS)
    for group in _groups(draft, user_id):
        try:
            publish_event(group, PROGRESS, payload)
        except Exception:  # noqa: BLE001 - the channel layer being down must not stop the run
            logger.warning("clustering progress not delivered to %s", group, exc_info=True)
            return


# "<draft>: 381286 published comments", "  381286 comments read", "  4237 new comments; …": the run is reading
READ = re.compile(r".*(approved|published) comments|\s*\d+ comments read|\s*\d+ new comments;")


def _stage(message: str) -> str:
    """The step `cluster_draft` reports (its progress lines are for the log, in English)."""
    if READ.match(message):
        return "read"
    if "campaigns;" in message:
        return "campaigns"
    if "features ready" in message:
        return "features"
    if "themes among" in message or "new themes from" in message:
        return "grouped"
    return "writing"


@task()
def run_clustering_job(draft_id: int, user_id: int | None = None, k: int | None = None, full: bool = False) -> dict:
    from consultations.clustering import cluster_draft

    draft = DraftPage.objects.filter(pk=draft_id).first()
    if draft is None:
        return {}
    _report(draft, user_id, {"state": RUNNING, "stage": "start"})
    try:
        summary = cluster_draft(
            draft=draft,
            k=k,
            full=full,
            progress=lambda message: _report(draft, user_id, {"state": RUNNING, "stage": _stage(message)}),
        )
    except Exception:
        _report(draft, user_id, {"state": FAILED})
        raise
    facts = summary.as_dict()
    _report(draft, user_id, {"state": SKIPPED if summary.mode == "skipped" else DONE, "summary": facts})
    return facts


def start_clustering(*, draft: DraftPage, user, k: int | None = None, full: bool = False) -> bool:
    """Queue a run of `draft` once the current transaction commits. False when one is queued or running."""
    if is_running(run_state(draft.pk)):
        return False
    user_id = getattr(user, "pk", None)

    def queue() -> None:
        cache.set(_state_key(draft.pk), {"draft": draft.pk, "state": QUEUED}, timeout=BUSY_SECONDS)
        try:
            run_clustering_job.enqueue(draft.pk, user_id, k, full)
        except Exception:
            cache.delete(_state_key(draft.pk))  # not queued: the button may be pressed again
            raise

    transaction.on_commit(queue)
    return True


# --- in words ----------------------------------------------------------------------------------

STAGES = {
    "start": "Reading the comments…",
    "read": "Comments read; finding campaigns…",
    "campaigns": "Campaigns found; comparing the comments…",
    "features": "Comments compared; forming themes…",
    "grouped": "Themes formed; saving them…",
    "writing": "Saving the themes…",
}


def progress_text(payload: dict[str, Any]) -> str:
    state = payload.get("state")
    if state == QUEUED:
        return _("Clustering is queued; it starts in a moment.")
    if state == RUNNING:
        return _("Clustering…") + " " + _(STAGES.get(payload.get("stage", ""), STAGES["writing"]))
    if state == FAILED:
        return _("Clustering failed. Try again, or tell the site's administrators.")
    if state == SKIPPED:
        if (payload.get("summary") or {}).get("comments", 0) >= MIN_COMMENTS:
            return _("The handling report is published: its themes are final and are not clustered again.")
        return _("Too few published comments to cluster (at least %(n)d are needed).") % {"n": MIN_COMMENTS}
    summary = payload.get("summary") or {}
    return _(
        "Clustering done: %(comments)d comments read, %(created)d themes created, %(updated)d updated, "
        "%(removed)d removed."
    ) % {
        "comments": summary.get("comments", 0),
        "created": summary.get("themes_created", 0),
        "updated": summary.get("themes_updated", 0),
        "removed": summary.get("themes_removed", 0),
    }


def describe_progress(event_type: str, payload: dict[str, Any]) -> Description:
    url = reverse("consultations_admin:review", args=[int(payload["draft"])]) if "draft" in payload else ""
    level = "red" if payload.get("state") == FAILED else ""
    return Description(progress_text(payload), url=url, level=level)


def may_see_progress(user, event_type: str, payload: dict[str, Any]) -> bool:
    """Only those who manage the draft (its region's legislators and administrators)."""
    from consultations.services import can_manage_draft

    draft = DraftPage.objects.filter(pk=payload.get("draft")).first()
    return draft is not None and can_manage_draft(user, draft)
