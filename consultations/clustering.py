"""The clustering of a draft's comments, written to the database: campaigns and themes.

    cluster_draft(*, draft, k=None, full=False) -> RunSummary
    schedule_clustering(*, draft)    at commit, one pending run per draft (django-tasks)

What to write is decided by the pure planner, `search.clustering.runs` (`plan_full`, `plan_incremental`;
the method is in its docstring and in docs/search.md). This module reads the rows a plan needs and
writes the plan, in one transaction that locks the draft FOR NO KEY UPDATE (see `_lock`):

- Campaign rows (near-identical comments), each comment's `campaign` and `campaign_addition`.
- Theme rows with origin=cluster, a stable `cluster_key`, a `title` drawn from their comments, their
  article, and ThemeMembership rows with their similarity, written in bulk, and only what changed; the
  comments whose themes changed are queued for re-indexing in one bulk write (`search.indexing.record_changes`).
  Manual themes are never touched, and the comments in them are not clustered again (staff grouped them;
  a split moves comments into a manual theme). A theme with a decision keeps its members: full runs leave
  it alone and incremental runs may only add comments to it. A clustered theme staff renamed keeps its title.
- What the next run starts from (`search.ClusteringState`, scope "consultations.draft:<id>"): the campaign
  index, the fitted features, the themes' centroids and the comments waiting for a theme.

Comments are clustered once visible: approved, or published under post-moderation. Nothing is written for a
draft with fewer than MIN_COMMENTS such comments, nor once its handling report is published (its themes are
then final). A run is full when asked (`full=True`), on the first run, on a draft with fewer than SMALL_DRAFT
comments (grouped again by shared words rather than joined to the nearest centroid), and when no state is
kept; otherwise it is incremental: it reads the new comments only (and the few earlier ones the campaign
index says they may copy). A full run computes outside any lock and writes under it; an incremental run is
short and runs under it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from consultations.memberships import delete_themes
from consultations.models import (
    DECIDED,
    Campaign,
    Comment,
    CommentStatus,
    DraftPage,
    DraftStatus,
    Theme,
    ThemeMembership,
    ThemeOrigin,
)
from core.bulk import analyze, insert_rows, update_rows
from core.tasks import on_commit_once
from search.indexing import record_change, record_changes

logger = logging.getLogger(__name__)

CLUSTERED_STATUSES = frozenset({CommentStatus.APPROVED, CommentStatus.PUBLISHED})  # visible: approved or post-moderated
MIN_COMMENTS = 5  # fewer approved comments than this: no themes yet
SMALL_DRAFT = 50  # fewer approved comments than this: every run is a full one (search.clustering.plan.SMALL_MIN)
PENDING_SECONDS = 600  # a scheduled run is pending for at most this long (then another may be queued)
RUN_DELAY = timedelta(seconds=30)  # a queue that can wait (the task worker's) starts a scheduled run this much later
CHUNK = 5000  # ids per IN (…) list and rows per bulk write
ANALYZE_AFTER = 10_000  # comments linked or moved by a full run past which the tables' statistics are refreshed
COLUMNS = ("pk", "text", "provision_id", "created_at", "campaign_id", "campaign_addition")

Progress = Callable[[str], None]


def cluster_draft(*, draft: DraftPage, k: int | None = None, full: bool = False, progress: Progress | None = None):
    """Group the draft's visible comments into campaigns and themes (see the module docstring)."""
    from search.clustering.runs import RunSummary

    started = time.monotonic()

    def say(message: str) -> None:  # each step with the time since the run started
        if progress is not None:
            progress(f"{message} ({time.monotonic() - started:.1f} s)")

    visible = list(_visible(draft).values_list("pk", flat=True))
    say(f"{draft.title}: {len(visible)} published comments")
    if len(visible) < MIN_COMMENTS or draft.status == DraftStatus.REPORT_PUBLISHED:
        # too few to group; or the handling report is out, and its themes are final
        return RunSummary(draft=draft.pk, mode="skipped", comments=len(visible))
    if full or len(visible) < SMALL_DRAFT or not _kept(draft):
        summary = _full_run(draft, k, say)
    else:
        summary = _incremental_run(draft, visible, say)
    summary = replace(summary, seconds=round(time.monotonic() - started, 3))
    (progress or _silent)(
        f"  {summary.mode}: {summary.themes_created} themes created, {summary.themes_updated} updated, "
        f"{summary.themes_removed} removed, {summary.themes_kept} decided kept, {summary.assigned} comments "
        f"assigned, {summary.waiting} waiting; {summary.read} comments read ({summary.seconds:.1f} s)"
    )
    return summary


def _silent(message: str) -> None:
    pass


def _visible(draft: DraftPage):
    return Comment.objects.filter(draft=draft, status__in=CLUSTERED_STATUSES)


def _scope(draft: DraftPage) -> str:
    return f"consultations.draft:{draft.pk}"


def _lock(draft: DraftPage) -> None:
    """Serialise the writes of runs on one draft (a no-op on SQLite, which locks the database).

    FOR NO KEY UPDATE, not FOR UPDATE: a comment inserted meanwhile takes a key-share lock on its draft,
    which this one lets through, so a run never holds back comment submission."""
    list(
        DraftPage.objects.select_for_update(of=("self",), no_key=True).filter(pk=draft.pk).values_list("pk", flat=True)
    )


def _chunks(ids: Iterable[int], size: int = CHUNK) -> Iterator[list[int]]:
    ids = list(ids)
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


# --- reading ---------------------------------------------------------------------------------


def _rows(queryset):
    from search.clustering.runs import CommentRows

    return CommentRows.from_values(list(queryset.order_by("pk").values_list(*COLUMNS)))


def _rows_of(draft: DraftPage, ids: Iterable[int]):
    from search.clustering.runs import CommentRows

    found = [
        row for chunk in _chunks(sorted(ids)) for row in _visible(draft).filter(pk__in=chunk).values_list(*COLUMNS)
    ]
    return CommentRows.from_values(sorted(found))


def _themes(draft: DraftPage):
    from search.clustering.runs import KnownTheme

    themes = list(draft.themes.filter(origin=ThemeOrigin.CLUSTER))
    members: dict[int, set[int]] = {theme.pk: set() for theme in themes}
    for theme_id, comment_id in ThemeMembership.objects.filter(theme__in=themes).values_list("theme_id", "comment_id"):
        members[theme_id].add(comment_id)
    return [
        KnownTheme(
            id=theme.pk,
            decided=theme.decision in DECIDED,
            members=frozenset(members[theme.pk]),
            title=theme.title,
            auto_title=theme.auto_title,
            terms=list(theme.terms or []),
            provision=theme.provision_id,
        )
        for theme in themes
    ]


def _known_campaign(row: Campaign):
    from search.clustering.runs import KnownCampaign

    return KnownCampaign(
        id=row.pk,
        key=row.key,
        form_text=row.form_text,
        size=row.size,
        first_seen=row.first_seen,
        last_seen=row.last_seen,
    )


def _grouped_by_hand(draft: DraftPage, ids: Iterable[int] | None = None) -> set[int]:
    """Comments staff put in a manual theme (by hand, or by splitting a clustered theme): of `ids`, or all."""
    by_hand = ThemeMembership.objects.filter(theme__draft=draft, theme__origin=ThemeOrigin.MANUAL)
    if ids is None:
        return set(by_hand.values_list("comment_id", flat=True))
    return {
        pk for chunk in _chunks(ids) for pk in by_hand.filter(comment_id__in=chunk).values_list("comment_id", flat=True)
    }


class _Reader:
    """What an incremental run reads besides the new comments (search.clustering.runs.Reader)."""

    def __init__(self, draft: DraftPage):
        self.draft = draft

    def known(self, ids: list[int]) -> dict:
        from search.clustering.runs import KnownComment

        theme_of = {
            comment_id: theme_id
            for chunk in _chunks(ids)
            for comment_id, theme_id in ThemeMembership.objects.filter(
                comment_id__in=chunk, theme__draft=self.draft, theme__origin=ThemeOrigin.CLUSTER
            ).values_list("comment_id", "theme_id")
        }
        return {
            pk: KnownComment(text=text, created=created, campaign=campaign, theme=theme_of.get(pk))
            for chunk in _chunks(ids)
            for pk, text, created, campaign in _visible(self.draft)
            .filter(pk__in=chunk)
            .values_list("pk", "text", "created_at", "campaign_id")
        }

    def campaigns(self, ids: list[int]) -> dict:
        return {row.pk: _known_campaign(row) for row in Campaign.objects.filter(draft=self.draft, pk__in=ids)}

    def waiting(self, ids: list[int]):
        from search.clustering.runs import CommentRows

        rows = _rows_of(self.draft, ids)
        themed = {
            pk
            for chunk in _chunks(rows.ids)
            for pk in ThemeMembership.objects.filter(comment_id__in=chunk, theme__draft=self.draft).values_list(
                "comment_id", flat=True
            )
        }
        keep = [index for index, pk in enumerate(rows.ids) if pk not in themed]
        return CommentRows(**{name: [getattr(rows, name)[i] for i in keep] for name in COLUMN_NAMES})


COLUMN_NAMES = ("ids", "texts", "articles", "created", "campaign", "additions")


def _kept(draft: DraftPage) -> bool:
    """The draft has clustered themes and what the last run kept for the next."""
    from search.models import ClusteringState

    return (
        draft.themes.filter(origin=ThemeOrigin.CLUSTER).exists()
        and ClusteringState.objects.filter(scope=_scope(draft)).exists()
    )


def _stored(draft: DraftPage):
    """What the last run kept: (state, featuriser, campaign index, segments), or None."""
    from search.clustering.campaigns import CampaignIndex
    from search.clustering.runs import ClusterState
    from search.clustering.themes import Featuriser
    from search.models import ClusteringState

    row = ClusteringState.objects.filter(scope=_scope(draft)).first()
    if row is None:
        return None
    segments = list(row.segments.order_by("pk").values_list("pk", "comments"))
    index = CampaignIndex.joined(
        [CampaignIndex.from_bytes(bytes(data)) for data in row.segments.order_by("pk").values_list("data", flat=True)]
    )
    return ClusterState.from_bytes(bytes(row.themes)), Featuriser.from_bytes(bytes(row.features)), index, segments


# --- the full run ----------------------------------------------------------------------------


def _full_run(draft: DraftPage, k: int | None, say: Progress):
    seen = _written_at(draft)
    plan = _plan_full(draft, k, say)
    with transaction.atomic():  # the heavy part is done: only now lock, and write
        _lock(draft)
        if _written_at(draft) != seen:
            # another run wrote while this one computed: its campaigns and themes may have taken the keys this
            # plan gives new ones. Plan again from what it wrote, under the lock this time (rare: two full runs
            # at once, or an incremental one during a full one's computing)
            say("  another run wrote meanwhile: planning again")
            plan = _plan_full(draft, k, say)
        pending = [change.existing for change in plan.themes if change.existing] + plan.removed
        decided_since = set(Theme.objects.filter(pk__in=pending, decision__in=DECIDED).values_list("pk", flat=True))
        _write_campaigns(draft, plan.campaigns, plan.stale_campaigns, plan.links, full=True)
        say(f"  campaigns written: {len(plan.campaigns)}, {len(plan.links)} comments linked")
        changed = _delete_themes(draft, [pk for pk in plan.removed if pk not in decided_since])
        position, keys = _next_position(draft), _keys(draft)
        ids: list[int | None] = []
        for change in plan.themes:
            if change.existing in decided_since or not change.members:
                ids.append(None)  # decided while this run was computing: left as it is
                continue
            theme, position = _save_theme(draft, change, position, keys)
            changed |= _write_members(theme, change.members, full=True)
            ids.append(theme.pk)
        say(f"  themes written: {sum(1 for pk in ids if pk)}, {len(changed)} comments joined or left one")
        _reindex(draft, changed, plan.summary.comments)
        _save_state(draft, plan.state(ids), featuriser=plan.featuriser, index=plan.index)
        say(f"  {len(changed)} comments queued for re-indexing; state saved")
    if len(plan.links) + len(changed) >= ANALYZE_AFTER:
        # the planner's statistics of a draft just clustered at scale are of the tables before it (a theme's
        # members read through a nested loop over 381,286 rows took minutes): refreshed now, not at autovacuum's
        # next pass
        analyze(Comment, ThemeMembership, Campaign)
        say("  statistics refreshed")
    kept = plan.summary.themes_kept + len(decided_since)
    return replace(plan.summary, themes_kept=kept)


def _reindex(draft: DraftPage, changed: set[int], comments: int) -> None:
    """Queue the comments whose themes changed for re-indexing: one outbox row each, or, when they are most of
    the draft's `comments` (a first full run changes them all), one row for the whole draft, which the outbox
    re-indexes batch by batch (consultations.search: a "draft" change stands for its articles and comments)."""
    if comments and len(changed) > comments // 2:
        record_change("draft", draft.pk)
    else:
        record_changes("comment", changed)


def _plan_full(draft: DraftPage, k: int | None, say: Progress):
    from search.clustering.runs import plan_full

    return plan_full(
        _rows(_visible(draft)),
        themes=_themes(draft),
        campaigns=[_known_campaign(row) for row in Campaign.objects.filter(draft=draft)],
        by_hand=_grouped_by_hand(draft),
        scope=draft.pk,
        k=k,
        progress=say,
        processes=settings.CLUSTERING_PROCESSES,
    )


def _written_at(draft: DraftPage):
    """When a run last wrote this draft's clustering (None before the first): every run ends by saving its state."""
    from search.models import ClusteringState

    return ClusteringState.objects.filter(scope=_scope(draft)).values_list("updated_at", flat=True).first()


def _write_campaigns(draft: DraftPage, changes, stale: list[int], links: dict, *, full: bool) -> None:
    """Campaign rows as planned (the stale ones deleted first: a new campaign may take a deleted one's key),
    and each linked comment's campaign and addition, in bulk. An incremental run keeps the representative
    and form text of a campaign that grows."""
    Campaign.objects.filter(draft=draft, pk__in=stale).delete()
    rows = []
    for change in changes:
        row = Campaign(draft=draft, key=change.key, form_text=change.form_text, size=change.size)
        row.pk = change.existing
        row.first_seen, row.last_seen = change.first_seen, change.last_seen
        row.representative_id = change.representative or None
        rows.append(row)
    fields = (
        ["form_text", "representative", "size", "first_seen", "last_seen"]
        if full
        else ["size", "first_seen", "last_seen"]
    )
    update_rows(
        Campaign,
        fields,
        (
            (row.pk, *(getattr(row, Campaign._meta.get_field(name).attname) for name in fields))
            for row in rows
            if row.pk
        ),
    )
    created = Campaign.objects.bulk_create([row for row in rows if not row.pk], batch_size=CHUNK)
    if created and created[0].pk is None:  # backends that return no ids from bulk_create
        by_key = dict(Campaign.objects.filter(draft=draft).values_list("key", "pk"))
        for row in created:
            row.pk = by_key[row.key]
    update_rows(
        Comment,
        ["campaign", "campaign_addition"],
        ((pk, rows[number].pk if number is not None else None, added) for pk, (number, added) in links.items()),
    )


def _delete_themes(draft: DraftPage, ids: list[int]) -> set[int]:
    """Delete clustered themes no cluster took over; returns their comments (to re-index)."""
    if not ids:
        return set()
    return delete_themes(Theme.objects.filter(draft=draft, pk__in=ids, origin=ThemeOrigin.CLUSTER))


def _next_position(draft: DraftPage) -> int:
    last = draft.themes.order_by("-position").values_list("position", flat=True).first()
    return (last or 0) + 1


def _keys(draft: DraftPage) -> set[str]:
    return set(draft.themes.exclude(cluster_key="").values_list("cluster_key", flat=True))


def _save_theme(draft: DraftPage, change, position: int, keys: set[str]) -> tuple[Theme, int]:
    """Update a theme, or create it with a key no theme of the draft has: a key is a digest of the
    members a theme was found with, and a theme that grew and then split may leave a group with the
    members another theme was found with."""
    fields = {
        "auto_title": change.auto_title,
        "terms": change.terms,
        "representatives": change.representatives,
        "provision_id": change.provision,
    }
    if change.title is not None:
        fields["title"] = change.title
    if change.existing:
        Theme.objects.filter(pk=change.existing).update(**fields)
        return Theme(pk=change.existing, draft=draft), position
    key, again = change.key, 0
    while key in keys:
        again += 1
        key = f"{change.key[:13]}{again:02d}"
    keys.add(key)
    theme = Theme.objects.create(draft=draft, origin=ThemeOrigin.CLUSTER, cluster_key=key, position=position, **fields)
    return theme, position + 1


def _write_members(theme: Theme, target: dict[int, float], *, full: bool) -> set[int]:
    """Make the theme's memberships `target` (full) or add those of `target`, in bulk; returns the comments
    that joined or left it."""
    from search.clustering.runs import diff_members

    current = dict(ThemeMembership.objects.filter(theme=theme).values_list("comment_id", "similarity")) if full else {}
    add, remove, update = diff_members(current, target) if full else (target, [], {})
    insert_rows(
        ThemeMembership,
        ["theme", "comment", "similarity"],
        ((theme.pk, pk, similarity) for pk, similarity in add.items()),
        ignore_conflicts=True,
    )
    for chunk in _chunks(remove):
        ThemeMembership.objects.filter(theme=theme, comment_id__in=chunk).delete()
    if update:
        ids = dict(
            ThemeMembership.objects.filter(theme=theme, comment_id__in=list(update)).values_list("comment_id", "pk")
        )
        update_rows(ThemeMembership, ["similarity"], ((ids[pk], update[pk]) for pk in ids))
    return set(add) | set(remove)


def _save_state(draft: DraftPage, state, *, featuriser=None, index=None, segment=None, segments=()) -> None:
    """Keep what the next run starts from: a full run replaces everything; an incremental run rewrites the
    themes' centroids and appends its segment to the index (merging the last ones when they grow)."""
    from search.clustering.campaigns import CampaignIndex
    from search.clustering.runs import segments_to_merge
    from search.models import CampaignIndexSegment, ClusteringState

    if featuriser is not None:
        row, _created = ClusteringState.objects.update_or_create(
            scope=_scope(draft),
            defaults={"features": featuriser.to_bytes(), "themes": state.to_bytes(), "full_run_at": timezone.now()},
        )
        row.segments.all().delete()
        CampaignIndexSegment.objects.create(state=row, comments=len(index), data=index.to_bytes())
        return
    row = ClusteringState.objects.get(scope=_scope(draft))
    row.themes = state.to_bytes()
    row.save(update_fields=["themes", "updated_at"])
    sizes = [comments for _pk, comments in segments] + [len(segment)]
    merge = segments_to_merge(sizes)
    if merge > 1:  # the last segments and the new one become one
        tail = [pk for pk, _comments in segments[len(segments) - merge + 1 :]]
        parts = [
            CampaignIndex.from_bytes(bytes(data))
            for data in CampaignIndexSegment.objects.filter(pk__in=tail).order_by("pk").values_list("data", flat=True)
        ]
        segment = CampaignIndex.joined([*parts, segment])
        CampaignIndexSegment.objects.filter(pk__in=tail).delete()
    CampaignIndexSegment.objects.create(state=row, comments=len(segment), data=segment.to_bytes())


# --- the incremental run ---------------------------------------------------------------------


def _incremental_run(draft: DraftPage, visible: list[int], say: Progress):
    import numpy as np

    from search.clustering.runs import RunSummary, plan_incremental

    with transaction.atomic():
        _lock(draft)  # first: what the last run kept is read as no other run will change it
        stored = _stored(draft)
        if stored is None:  # removed meanwhile
            return _full_run(draft, None, say)
        state, featuriser, index, segments = stored
        new_ids = np.setdiff1d(np.asarray(visible, dtype=np.int64), index.ids, assume_unique=True).tolist()
        if not new_ids:
            return RunSummary(draft=draft.pk, mode="incremental", comments=len(visible), waiting=len(state.waiting))
        themes = set(draft.themes.filter(origin=ThemeOrigin.CLUSTER).values_list("pk", flat=True))
        placed = {
            pk
            for chunk in _chunks(new_ids)
            for pk in ThemeMembership.objects.filter(theme__draft=draft, comment_id__in=chunk).values_list(
                "comment_id", flat=True
            )
        }
        plan = plan_incremental(
            _rows_of(draft, new_ids),
            state=state,
            featuriser=featuriser,
            index=index,
            themes=themes,
            placed=placed,
            reader=_Reader(draft),
            scope=draft.pk,
            progress=say,
        )
        for source, target in plan.merged.items():  # a new comment joined two campaigns: one takes the other's
            Comment.objects.filter(draft=draft, campaign_id=source).update(campaign_id=target)
            Campaign.objects.filter(draft=draft, pk=source).delete()
        _write_campaigns(draft, plan.campaigns, [], plan.links, full=False)
        changed: set[int] = set()
        for theme_id, members in plan.additions.items():
            changed |= _write_members(Theme(pk=theme_id, draft=draft), members, full=False)
        position, keys = _next_position(draft), _keys(draft)
        ids = []
        for change in plan.themes:
            theme, position = _save_theme(draft, change, position, keys)
            changed |= _write_members(theme, change.members, full=False)
            ids.append(theme.pk)
        record_changes("comment", changed)
        _save_state(draft, plan.state(ids), segment=plan.segment, segments=segments)
    kept = Theme.objects.filter(draft=draft, origin=ThemeOrigin.CLUSTER, decision__in=DECIDED).count()
    return replace(plan.summary, comments=len(visible), themes_kept=kept)


# --- after commit ----------------------------------------------------------------------------


def _pending_key(draft_id: int) -> str:
    return f"consultations:clustering-pending:{draft_id}"


@task()
def cluster_draft_task(draft_id: int) -> dict:
    """Run an incremental clustering of one draft (queued by `schedule_clustering`)."""
    cache.delete(_pending_key(draft_id))
    draft = DraftPage.objects.filter(pk=draft_id).first()
    if draft is None:
        return {}
    return cluster_draft(draft=draft).as_dict()


def schedule_clustering(*, draft: DraftPage) -> None:
    """Once the current transaction commits, queue an incremental run unless one is pending for this
    draft (debounce: comments approved in a burst make one run).

    The pending mark is set at commit, never before: a write that rolls back holds nothing back. On a
    queue that can wait (the task worker's) the run starts `RUN_DELAY` later, so that a stream of
    submissions makes one run every half minute or so, not one after another; the immediate backend
    (the demo, the tests) runs it at once.
    """
    on_commit_once(("consultations.clustering", draft.pk), partial(_queue_run, draft.pk))


def _queue_run(draft_id: int) -> None:
    if not cache.add(_pending_key(draft_id), True, timeout=PENDING_SECONDS):
        return  # a run is pending: it reads the comments this transaction committed
    try:
        queued = cluster_draft_task
        if queued.get_backend().supports_defer:
            queued = queued.using(run_after=timezone.now() + RUN_DELAY)
        queued.enqueue(draft_id)
    except Exception:
        cache.delete(_pending_key(draft_id))  # not queued: the next change may try again
        raise
