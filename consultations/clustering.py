"""The clustering pipeline on a draft's comments: campaigns and themes written to the database.

    cluster_draft(*, draft, k=None, full=False) -> ClusterRunSummary
    schedule_clustering(*, draft)    at commit, one pending run per draft (django-tasks)

The algorithms are pure functions in `search.clustering`; this module reads the comments, calls
them and writes the result:

- Campaign rows (near-identical comments), each comment's `campaign` and `campaign_addition`.
  Campaigns are recomputed on every run; a campaign keeps its key while its members overlap.
- Theme rows with origin=cluster, a stable `cluster_key`, `title` from the top `terms`, the
  article when most members share one, and ThemeMembership rows with their similarity.
  Manual themes are never touched, and the comments in them are not clustered again (staff
  grouped them; a split moves comments into a manual theme). A theme with a decision keeps its
  members: full runs leave it alone and incremental runs may only add comments to it. A
  clustered theme staff renamed keeps its title.

Comments are clustered once visible: approved, or published under post-moderation (a legislator need not
moderate everything first). Nothing is written for a draft with fewer than MIN_COMMENTS such comments, nor once its
handling report is published (its themes are then final).

Incremental run (the default, and what arriving comments trigger): comments not yet in a
clustered theme join the nearest theme (decided or not) when close enough; the rest wait, and
become new themes once enough of them wait. Full run (`full=True`, or the first run): the
comments outside decided themes are clustered again, and each new cluster takes over the
pending theme it shares most comments with, so a theme keeps its key and position.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from functools import partial

from django.core.cache import cache
from django.db import transaction
from django_tasks import task

from consultations.models import (
    DECIDED,
    Campaign,
    Comment,
    CommentStatus,
    Decision,
    DraftPage,
    DraftStatus,
    Theme,
    ThemeMembership,
    ThemeOrigin,
)
from core.tasks import on_commit_once
from search.indexing import record_changes

logger = logging.getLogger(__name__)

CLUSTERED_STATUSES = frozenset({CommentStatus.APPROVED, CommentStatus.PUBLISHED})  # visible: approved or post-moderated
MIN_COMMENTS = 5  # fewer approved comments than this: no themes yet
SMALL_DRAFT = 50  # fewer approved comments than this: every run is a full one (search.clustering.plan.SMALL_MIN)
NEW_THEME_MIN = 20  # waiting comments that make a run form new themes (and at least …)
NEW_THEME_SHARE = 0.1  # … this share of the draft's clustered comments)
TITLE_TERMS = 3
PENDING_SECONDS = 600  # a scheduled run is pending for at most this long (then another may be queued)

Progress = Callable[[str], None]


@dataclass(frozen=True)
class ClusterRunSummary:
    draft: int
    mode: str  # "full", "incremental" or "skipped"
    comments: int  # approved comments considered
    items: int  # after campaigns are collapsed
    campaigns: int
    campaign_comments: int
    k: int  # themes found by this run's clustering (0 when none was run)
    themes_created: int
    themes_updated: int
    themes_removed: int
    themes_kept: int  # decided themes left as they were
    assigned: int  # comments added to existing themes
    waiting: int  # comments left for the next recompute
    seconds: float

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class _Comments:
    pks: list[int]
    texts: list[str]
    stances: list[str]
    provisions: list[int | None]
    created: list
    campaign: list[int | None]
    additions: list[str]


def _load(draft: DraftPage) -> _Comments:
    rows = list(
        Comment.objects.filter(draft=draft, status__in=CLUSTERED_STATUSES)
        .order_by("pk")
        .values_list("pk", "text", "stance", "provision_id", "created_at", "campaign_id", "campaign_addition")
    )
    if not rows:
        return _Comments([], [], [], [], [], [], [])
    return _Comments(*(list(column) for column in zip(*rows, strict=True)))


# --- campaigns -------------------------------------------------------------------------------


def _sync_campaigns(draft: DraftPage, comments: _Comments, result) -> tuple[int, int]:
    """Write Campaign rows and each comment's link; returns (campaigns, comments in campaigns)."""
    from search.clustering.themes import match_groups

    existing = list(Campaign.objects.filter(draft=draft))
    members_of: dict[int, set[int]] = {row.pk: set() for row in existing}
    for pk, campaign_id in zip(comments.pks, comments.campaign, strict=True):
        if campaign_id in members_of:
            members_of[campaign_id].add(pk)
    new_sets = [{comments.pks[i] for i in campaign.members} for campaign in result.campaigns]
    matched = match_groups([members_of[row.pk] for row in existing], new_sets, min_overlap=0.01)
    rows: list[Campaign] = []
    for number, campaign in enumerate(result.campaigns):
        created = [comments.created[i] for i in campaign.members]
        fields = {
            "form_text": campaign.form_text,
            "representative_id": comments.pks[campaign.form],
            "size": campaign.size,
            "first_seen": min(created),
            "last_seen": max(created),
        }
        if number in matched:
            row = existing[matched[number]]
            for name, value in fields.items():
                setattr(row, name, value)
        else:
            digest = hashlib.sha1(f"{draft.pk}:{min(new_sets[number])}".encode(), usedforsecurity=False)
            row = Campaign(draft=draft, key="c" + digest.hexdigest()[:15], **fields)
        rows.append(row)
    Campaign.objects.filter(draft=draft).exclude(pk__in=[row.pk for row in rows if row.pk]).delete()
    for row in rows:
        row.save()
    link: dict[int, tuple[int, str]] = {}
    for row, campaign in zip(rows, result.campaigns, strict=True):
        for index in campaign.members:
            link[comments.pks[index]] = (row.pk, campaign.additions.get(index, ""))
    changed = []
    for index, pk in enumerate(comments.pks):
        campaign_id, added = link.get(pk, (None, ""))
        if comments.campaign[index] != campaign_id or comments.additions[index] != added:
            changed.append(Comment(pk=pk, campaign_id=campaign_id, campaign_addition=added))
    Comment.objects.bulk_update(changed, ["campaign", "campaign_addition"], batch_size=1000)
    return len(rows), len(link)


# --- themes ----------------------------------------------------------------------------------


def _theme_key(draft: DraftPage, members: Sequence[int]) -> str:
    digest = hashlib.sha1(f"{draft.pk}:{','.join(map(str, sorted(members)))}".encode(), usedforsecurity=False)
    return "t" + digest.hexdigest()[:15]


def _title(terms: list[str], fallback: str) -> str:
    """The title of themes made before titles were phrases: the top terms (recognises a theme not renamed)."""
    return ("、".join(terms[:TITLE_TERMS]) or fallback.strip()[:30] or "—")[:200]


def _renamed(theme: Theme) -> bool:
    """Staff gave the theme its title: it is not the one clustering found."""
    if theme.auto_title:
        return theme.title != theme.auto_title
    return theme.title != _title(theme.terms, theme.title)


def _write_members(theme: Theme, similarity_of: dict[int, float], *, add_only: bool) -> tuple[int, int]:
    """Make the theme's memberships those of `similarity_of` (or only add, for decided themes).
    Returns (added, removed)."""
    existing = {m.comment_id: m for m in theme.memberships.all()}
    new = [
        ThemeMembership(theme=theme, comment_id=pk, similarity=round(float(similarity), 6))
        for pk, similarity in similarity_of.items()
        if pk not in existing
    ]
    ThemeMembership.objects.bulk_create(new, batch_size=1000, ignore_conflicts=True)
    record_changes("comment", [membership.comment_id for membership in new])  # bulk writes send no signals
    removed = 0
    if not add_only:
        stale = [pk for pk in existing if pk not in similarity_of]
        removed = ThemeMembership.objects.filter(theme=theme, comment_id__in=stale).delete()[0] if stale else 0
        updated = []
        for pk, membership in existing.items():
            if pk in similarity_of and membership.similarity != round(float(similarity_of[pk]), 6):
                membership.similarity = round(float(similarity_of[pk]), 6)
                updated.append(membership)
        ThemeMembership.objects.bulk_update(updated, ["similarity"], batch_size=1000)
    return len(new), removed


@dataclass
class _Planned:
    """A theme the plan asks for, in the adapter's terms (comment ids)."""

    members: dict[int, float]  # comment id → similarity
    terms: list[str]
    title: str
    provision: int | None
    representatives: list[int]  # comment ids


def _plan(
    comments: _Comments, items, features, free_items, free_comment, *, k, start=None
) -> tuple[list[_Planned], int]:
    """Run the pure planner on the free items and translate its themes into comment ids. Returns the
    planned themes and the number found."""
    import numpy as np

    from search.clustering.plan import ARTICLE, plan_themes
    from search.clustering.themes import Features, dominant

    subset = Features(
        vectors=features.vectors[free_items], words=features.words[free_items], vocabulary=features.vocabulary
    )
    texts = [comments.texts[items.text_index[item]] for item in free_items]
    articles = [comments.provisions[items.text_index[item]] for item in free_items]
    plan = plan_themes(
        subset, items.weights[free_items], texts, articles, k=k, start=None if start is None else start[free_items]
    )
    members_of_item: dict[int, list[int]] = {}
    for index, item in enumerate(items.of.tolist()):
        if free_comment[index]:
            members_of_item.setdefault(item, []).append(index)
    comment_labels = np.full(len(comments.pks), -1, dtype=np.int64)
    planned = []
    for number, theme in enumerate(plan.themes):
        group: dict[int, float] = {}
        for local, similarity in zip(theme.items, theme.similarity, strict=True):
            for index in members_of_item.get(int(free_items[local]), []):
                group[comments.pks[index]] = float(similarity)
                comment_labels[index] = number
        representatives = []
        for local in theme.representatives:
            item = int(free_items[local])
            owner = int(items.text_index[item])
            index = owner if free_comment[owner] else members_of_item[item][0]
            representatives.append(comments.pks[index])
        planned.append(_Planned(group, theme.terms, theme.title, theme.article, representatives))
    provisions = dominant(comment_labels, comments.provisions, len(planned))
    for number, (theme, each) in enumerate(zip(plan.themes, planned, strict=True)):
        if theme.scope != ARTICLE:
            each.provision = provisions[number]
    return planned, plan.k


def _stable_order(draft: DraftPage) -> int:
    last = draft.themes.order_by("-position").values_list("position", flat=True).first()
    return (last or 0) + 1


def _create_theme(draft: DraftPage, planned: _Planned, position: int) -> Theme:
    title = (planned.title or _title(planned.terms, ""))[:200]
    theme = Theme.objects.create(
        draft=draft,
        title=title,
        auto_title=title,
        origin=ThemeOrigin.CLUSTER,
        cluster_key=_theme_key(draft, list(planned.members)),
        terms=planned.terms,
        representatives=planned.representatives,
        provision_id=planned.provision,
        position=position,
    )
    _write_members(theme, planned.members, add_only=False)
    return theme


def cluster_draft(
    *, draft: DraftPage, k: int | None = None, full: bool = False, progress: Progress | None = None
) -> ClusterRunSummary:
    """Group the draft's approved comments into campaigns and themes (see the module docstring)."""
    say = progress or (lambda message: None)
    started = time.monotonic()
    comments = _load(draft)
    n = len(comments.pks)
    say(f"{draft.title}: {n} published comments")
    if n < MIN_COMMENTS or draft.status == DraftStatus.REPORT_PUBLISHED:
        # too few to group; or the handling report is out, and its themes are final
        return ClusterRunSummary(draft.pk, "skipped", n, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, time.monotonic() - started)

    from search.clustering.campaigns import find_campaigns
    from search.clustering.pipeline import collapse, featurise_items

    result = find_campaigns(comments.texts)
    items = collapse(result)
    say(f"  {len(result.campaigns)} campaigns; {len(items.weights)} distinct items")
    clustered = list(draft.themes.filter(origin=ThemeOrigin.CLUSTER))
    members = _members_by_theme(clustered)
    # the first run is a full one; so is every run on a small draft, whose comments are grouped by shared
    # words (cheap), not joined to the nearest centroid: a comment that fits no theme stays unclassified
    incremental = not full and bool(clustered) and n >= SMALL_DRAFT
    in_themes = set().union(*members.values(), _grouped_by_hand(draft))
    features = None
    if not incremental or any(pk not in in_themes for pk in comments.pks):
        features = featurise_items(comments.texts, items, None, None)
        say("  features ready")
    if not incremental:
        summary = _full_run(draft, comments, result, items, features, clustered, members, k, say)
    else:
        summary = _incremental_run(draft, comments, result, items, features, clustered, members, say)
    summary = ClusterRunSummary(**{**summary.as_dict(), "seconds": round(time.monotonic() - started, 3)})
    say(
        f"  {summary.mode}: {summary.themes_created} themes created, {summary.themes_updated} updated, "
        f"{summary.themes_removed} removed, {summary.themes_kept} decided kept, {summary.assigned} comments "
        f"assigned, {summary.waiting} waiting ({summary.seconds:.1f} s)"
    )
    return summary


def _grouped_by_hand(draft: DraftPage) -> set[int]:
    """Comments staff put in a manual theme (by hand, or by splitting a clustered theme)."""
    return set(
        ThemeMembership.objects.filter(theme__draft=draft, theme__origin=ThemeOrigin.MANUAL).values_list(
            "comment_id", flat=True
        )
    )


def _members_by_theme(themes: list[Theme]) -> dict[int, set[int]]:
    result: dict[int, set[int]] = {theme.pk: set() for theme in themes}
    for theme_id, comment_id in ThemeMembership.objects.filter(theme__in=themes).values_list("theme_id", "comment_id"):
        result[theme_id].add(comment_id)
    return result


def _lock(draft: DraftPage) -> None:
    """Serialise the writes of runs on one draft (a no-op on SQLite, which locks the database).

    FOR NO KEY UPDATE, not FOR UPDATE: a comment inserted meanwhile takes a key-share lock on its draft,
    which this one lets through, so a run never holds back comment submission."""
    list(
        DraftPage.objects.select_for_update(of=("self",), no_key=True).filter(pk=draft.pk).values_list("pk", flat=True)
    )


def _full_run(draft, comments, result, items, features, clustered, members, k, say) -> ClusterRunSummary:
    import numpy as np

    from search.clustering.themes import match_groups

    decided = [theme for theme in clustered if theme.decision in DECIDED]
    pending = [theme for theme in clustered if theme.decision == Decision.PENDING]
    # comments in decided themes, or grouped by hand, stay where they are
    locked = set().union(*(members[theme.pk] for theme in decided), _grouped_by_hand(draft))
    free_comment = np.array([pk not in locked for pk in comments.pks], dtype=bool)
    # an item is clustered if any of its comments is free; only its free comments join the theme
    free_items = np.flatnonzero(np.bincount(items.of, weights=free_comment, minlength=len(items.weights)) > 0)
    found_k = 0
    plan: list[_Planned] = []
    matched: dict[int, int] = {}
    if len(free_items) >= 2:  # the heavy part, before any lock is taken
        start = None
        if k is None:  # warm start from the pending themes: a recompute moves few comments
            from search.clustering.pipeline import item_labels

            earlier = np.full(len(comments.pks), -1, dtype=np.int64)
            index_of = {pk: index for index, pk in enumerate(comments.pks)}
            for number, theme in enumerate(pending):
                for pk in members[theme.pk]:
                    if pk in index_of:
                        earlier[index_of[pk]] = number
            start = item_labels(items, np.where(free_comment, earlier, -1))
        plan, found_k = _plan(comments, items, features, free_items, free_comment, k=k, start=start)
        say(f"  {found_k} themes among {len(free_items)} items")
        matched = match_groups([members[t.pk] for t in pending], [set(p.members) for p in plan])
    created = updated = removed = 0
    with transaction.atomic():
        _lock(draft)
        campaigns, campaign_comments = _sync_campaigns(draft, comments, result)
        # a theme decided while this run was computing is left as it is
        decided_since = set(
            Theme.objects.filter(pk__in=[t.pk for t in pending])
            .exclude(decision=Decision.PENDING)
            .values_list("pk", flat=True)
        )
        position = _stable_order(draft)
        for number, planned in enumerate(plan):
            if not planned.members:
                continue
            if number in matched:
                theme = pending[matched[number]]
                if theme.pk in decided_since:
                    continue
                title = (planned.title or _title(planned.terms, theme.title))[:200]
                if not _renamed(theme):
                    theme.title = title
                theme.auto_title = title
                theme.terms = planned.terms
                theme.representatives = planned.representatives
                theme.provision_id = planned.provision
                theme.save(update_fields=["title", "auto_title", "terms", "representatives", "provision"])
                _write_members(theme, planned.members, add_only=False)
                updated += 1
            else:
                _create_theme(draft, planned, position)
                position += 1
                created += 1
        taken = set(matched.values())
        stale = [t.pk for index, t in enumerate(pending) if index not in taken and t.pk not in decided_since]
        if stale:
            removed = Theme.objects.filter(pk__in=stale).delete()[1].get("consultations.Theme", 0)
    return ClusterRunSummary(
        draft.pk,
        "full",
        len(comments.pks),
        len(items.weights),
        campaigns,
        campaign_comments,
        found_k,
        created,
        updated,
        removed,
        len(decided) + len(decided_since),
        0,
        0,
        0.0,
    )


@transaction.atomic
def _incremental_run(draft, comments, result, items, features, clustered, members, say) -> ClusterRunSummary:
    """Add-only, and cheap unless new themes form: done under the draft's lock, on the themes and
    memberships as they are once the lock is held."""
    import numpy as np

    from search.clustering.pipeline import assign_to_existing

    _lock(draft)
    clustered = list(draft.themes.filter(origin=ThemeOrigin.CLUSTER))
    members = _members_by_theme(clustered)
    campaigns, campaign_comments = _sync_campaigns(draft, comments, result)
    index_of = {pk: index for index, pk in enumerate(comments.pks)}
    theme_of_comment: dict[int, int] = {}
    for number, theme in enumerate(clustered):
        for pk in members[theme.pk]:
            theme_of_comment[pk] = number
    # each item's theme: the one most of its already-clustered comments are in
    item_theme = np.full(len(items.weights), -1, dtype=np.int64)
    votes: dict[int, Counter] = {}
    for pk, number in theme_of_comment.items():
        if pk in index_of:
            votes.setdefault(int(items.of[index_of[pk]]), Counter())[number] += 1
    for item, counter in votes.items():
        item_theme[item] = counter.most_common(1)[0][0]
    by_hand = _grouped_by_hand(draft)
    new_comments = [index for index, pk in enumerate(comments.pks) if pk not in theme_of_comment and pk not in by_hand]
    if not new_comments:
        return ClusterRunSummary(
            draft.pk, "incremental", len(comments.pks), len(items.weights), campaigns, campaign_comments,
            0, 0, 0, 0, sum(t.decision in DECIDED for t in clustered), 0, 0, 0.0,
        )  # fmt: skip
    if features is None:  # themes changed since the run started (a concurrent full run)
        from search.clustering.pipeline import featurise_items

        features = featurise_items(comments.texts, items, None, None)
    theme_items = [np.flatnonzero(item_theme == number) for number in range(len(clustered))]
    new_items = sorted({int(items.of[index]) for index in new_comments})
    labels, similarity = assign_to_existing(features.vectors, items.weights, theme_items, new_items)
    chosen = dict(zip(new_items, zip(labels.tolist(), similarity.tolist(), strict=True), strict=True))
    additions: dict[int, dict[int, float]] = {}
    waiting_items: set[int] = set()
    for index in new_comments:
        item = int(items.of[index])
        label, score = chosen[item]
        if item_theme[item] >= 0:  # its campaign is already in a theme
            label = int(item_theme[item])
        if label < 0:
            waiting_items.add(item)
            continue
        additions.setdefault(label, {})[comments.pks[index]] = score
    assigned = 0
    for number, group in additions.items():
        added, _removed = _write_members(clustered[number], group, add_only=True)
        assigned += added
    waiting = sum(1 for index in new_comments if int(items.of[index]) in waiting_items)
    created = 0
    found_k = 0
    if waiting >= max(NEW_THEME_MIN, NEW_THEME_SHARE * len(comments.pks)) and len(waiting_items) >= 2:
        subset = np.array(sorted(waiting_items))
        waiting_comment = np.zeros(len(comments.pks), dtype=bool)
        waiting_comment[new_comments] = True
        plan, found_k = _plan(comments, items, features, subset, waiting_comment, k=None)
        position = _stable_order(draft)
        for planned in plan:
            if planned.members:
                _create_theme(draft, planned, position)
                position += 1
                created += 1
        say(f"  {created} new themes from {waiting} waiting comments")
        waiting -= sum(len(planned.members) for planned in plan)  # what fits no theme stays unclassified
    return ClusterRunSummary(
        draft.pk,
        "incremental",
        len(comments.pks),
        len(items.weights),
        campaigns,
        campaign_comments,
        found_k,
        created,
        0,
        0,
        sum(t.decision in DECIDED for t in clustered),
        assigned,
        waiting,
        0.0,
    )


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

    The pending mark is set at commit, never before: a write that rolls back holds nothing back.
    """
    on_commit_once(("consultations.clustering", draft.pk), partial(_queue_run, draft.pk))


def _queue_run(draft_id: int) -> None:
    if not cache.add(_pending_key(draft_id), True, timeout=PENDING_SECONDS):
        return  # a run is pending: it reads the comments this transaction committed
    try:
        cluster_draft_task.enqueue(draft_id)
    except Exception:
        cache.delete(_pending_key(draft_id))  # not queued: the next change may try again
        raise
