"""The plan of a clustering run on one draft's comments, as plain values: what to write is decided here,
and written by the adapter (consultations/clustering.py), which only reads rows and saves the plan.

    plan_full(rows, themes=…, campaigns=…, by_hand=…, scope=…, k=None) -> FullPlan
    plan_incremental(new, state=…, featuriser=…, index=…, reader=…, scope=…) -> IncrementalPlan

Full run: campaigns found again over every comment (a campaign keeps the key of the earlier one it
overlaps most); themes planned (`plan.plan_themes`) over the comments outside decided and hand-made
themes, warm-started from the pending themes, each new theme taking over the pending theme it shares
most comments with (so it keeps its key and position); the other pending themes removed. It also leaves
what the next runs start from: the campaign index of every comment (`campaigns.CampaignIndex`), the fitted
features (`themes.Featuriser`), each clustered theme's centroid, and the comments no theme took.

Incremental run (what an approval queues), on the comments not indexed yet. Campaigns: the new comments
are grouped among themselves and looked up in the index (`campaigns.probe`); the indexed comments it
proposes are read and checked (`campaigns.link`): a new comment joins the campaign of a copy it matches,
or makes a new campaign with the copies it matches. Themes: a new comment joins the theme of the copies
it matches; otherwise, put in the fitted space, the nearest centroid among the themes found on its article
(if its article has themes of its own) or across the draft, at a cosine of ASSIGN_FLOOR or more; otherwise
it waits. Once enough comments wait (NEW_THEME_MIN, and NEW_THEME_SHARE of the draft) they are grouped
into new themes. What it reads, computes and writes is in proportion to the new comments (and to the
waiting ones when they form themes), not to the draft.
"""

from __future__ import annotations

import hashlib
import io
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Protocol, cast

import numpy as np

from search.clustering.campaigns import (
    CampaignIndex,
    CampaignParams,
    campaign_of,
    find_campaigns,
    link,
    probe,
)
from search.clustering.pipeline import ASSIGN_FLOOR, Items, collapse, default_tokenizer, item_labels
from search.clustering.plan import ARTICLE, DRAFT, plan_themes
from search.clustering.themes import Features, Featuriser, dominant, fit_features, match_groups

NEW_THEME_MIN = 20  # waiting comments that make a run form new themes (and at least …)
NEW_THEME_SHARE = 0.1  # … this share of the draft's clustered comments)
TITLE_TERMS = 3
SIMILARITY_STEP = 0.01  # a member's stored cosine is rewritten when it moved this much

Progress = Callable[[str], None]


def _silent(message: str) -> None:
    return None


# --- what a run reads ------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class CommentRows:
    """Comments as columns, in id order: what a run reads of each."""

    ids: list[int]
    texts: list[str]
    articles: list[int | None]  # the article (provision id) commented on; None: the whole draft
    created: list[datetime]  # submission times (only compared)
    campaign: list[int | None]  # the campaign (id) it is linked to now
    additions: list[str]  # … and what it adds to that campaign's form text

    def __len__(self) -> int:
        return len(self.ids)

    @classmethod
    def from_values(cls, rows: Sequence[tuple]) -> CommentRows:
        """From (id, text, article, created, campaign, addition) tuples."""
        columns = [list(column) for column in zip(*rows, strict=True)] if rows else [[] for _ in range(6)]
        ids, texts, articles, created, campaign, additions = columns
        return cls(ids=ids, texts=texts, articles=articles, created=created, campaign=campaign, additions=additions)


@dataclass(frozen=True, kw_only=True)
class KnownTheme:
    """A clustered theme as it stands."""

    id: int
    decided: bool
    members: frozenset[int]
    title: str
    auto_title: str
    terms: list[str]
    provision: int | None = None


@dataclass(frozen=True, kw_only=True)
class KnownCampaign:
    id: int
    key: str
    form_text: str
    size: int
    first_seen: datetime
    last_seen: datetime


@dataclass(frozen=True, kw_only=True)
class KnownComment:
    """An indexed comment an incremental run reads, because a new one may copy it."""

    text: str
    created: datetime
    campaign: int | None
    theme: int | None  # the clustered theme it is in, if any


class Reader(Protocol):
    """What an incremental run may read besides the new comments, each in proportion to what it asks."""

    def known(self, ids: list[int]) -> dict[int, KnownComment]: ...  # visible ones only

    def campaigns(self, ids: list[int]) -> dict[int, KnownCampaign]: ...

    def waiting(self, ids: list[int]) -> CommentRows: ...  # visible and still in no theme


# --- what the next runs start from -----------------------------------------------------------


@dataclass(kw_only=True)
class Centroid:
    """A theme's place in the fitted space: the sum of its members' vectors and their number; where it was
    found (ARTICLE: among the comments on `article`; DRAFT: across the draft)."""

    total: np.ndarray  # float64 (dims,)
    weight: float
    scope: str
    article: int | None

    def unit(self) -> np.ndarray:
        norm = float(np.linalg.norm(self.total))
        return (self.total / norm if norm > 0 else self.total).astype(np.float32)


@dataclass(kw_only=True)
class ClusterState:
    """What a run leaves for the next, besides the campaign index and the fitted features (stored apart:
    they are large, and written by full runs or appended to): each clustered theme's centroid (by theme
    id) and the comments that wait for a theme."""

    centroids: dict[int, Centroid] = field(default_factory=dict)
    waiting: list[int] = field(default_factory=list)  # comment ids: seen, in no theme

    def to_bytes(self) -> bytes:
        ids = sorted(self.centroids)
        dims = len(self.centroids[ids[0]].total) if ids else 0
        buffer = io.BytesIO()
        np.savez(
            buffer,
            ids=np.array(ids, dtype=np.int64),
            totals=np.array([self.centroids[i].total for i in ids], dtype=np.float64).reshape(len(ids), dims),
            weights=np.array([self.centroids[i].weight for i in ids], dtype=np.float64),
            scopes=np.array([self.centroids[i].scope for i in ids] or [""], dtype=str)[: len(ids)],
            articles=np.array([-1 if self.centroids[i].article is None else self.centroids[i].article for i in ids]),
            waiting=np.array(self.waiting, dtype=np.int64),
        )
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> ClusterState:
        with np.load(io.BytesIO(data), allow_pickle=False) as stored:
            rows = zip(
                stored["ids"].tolist(),
                stored["totals"],
                stored["weights"].tolist(),
                stored["scopes"].tolist(),
                stored["articles"].astype(np.int64).tolist(),
                strict=True,
            )
            centroids = {
                pk: Centroid(total=total, weight=weight, scope=scope, article=None if article < 0 else article)
                for pk, total, weight, scope, article in rows
            }
            return cls(centroids=centroids, waiting=stored["waiting"].tolist())


# --- what a run writes -----------------------------------------------------------------------


@dataclass(kw_only=True)
class CampaignChange:
    """A campaign to write: `existing` (its id; its key stays) or a new one with `key`."""

    existing: int | None
    key: str
    form_text: str
    representative: int  # comment id
    size: int
    first_seen: datetime
    last_seen: datetime


@dataclass(kw_only=True)
class ThemeChange:
    """A clustered theme to write: `existing` (its id) or a new one with `key`. `title` None keeps the title
    staff gave it. `members` (comment id → cosine to the centre): in a full plan every member after the
    run (the adapter writes the difference, `diff_members`); in an incremental plan the new theme's."""

    existing: int | None
    key: str
    title: str | None
    auto_title: str
    terms: list[str]
    representatives: list[int]
    provision: int | None
    members: dict[int, float]
    centroid: Centroid


@dataclass(frozen=True, kw_only=True)
class RunSummary:
    draft: int
    mode: str  # "full", "incremental" or "skipped"
    comments: int  # visible comments the run covers
    read: int = 0  # comments whose text it read
    items: int = 0  # … once near-duplicates are one item
    campaigns: int = 0  # campaigns written (all of them in a full run; new or grown in an incremental one)
    campaign_comments: int = 0  # … their comments
    k: int = 0  # themes found by this run's grouping (0 when none was run)
    themes_created: int = 0
    themes_updated: int = 0
    themes_removed: int = 0
    themes_kept: int = 0  # decided themes left as they were
    assigned: int = 0  # comments added to existing themes
    waiting: int = 0  # comments in no theme, left for later
    seconds: float = 0.0

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(kw_only=True)
class FullPlan:
    campaigns: list[CampaignChange]
    stale_campaigns: list[int]  # campaign ids no group took over
    links: dict[int, tuple[int | None, str]]  # comment id → (index in `campaigns` or None, addition): changes only
    themes: list[ThemeChange]
    removed: list[int]  # pending theme ids no cluster took over
    kept: dict[int, Centroid]  # decided themes (left as they are) and their centroids
    waiting: list[int]
    featuriser: Featuriser
    index: CampaignIndex
    summary: RunSummary

    def state(self, theme_ids: Sequence[int | None]) -> ClusterState:
        """The state to keep, given the id each of `themes` has once written (None: not written)."""
        centroids = dict(self.kept)
        centroids.update({pk: change.centroid for pk, change in zip(theme_ids, self.themes, strict=True) if pk})
        return ClusterState(centroids=centroids, waiting=list(self.waiting))


@dataclass(kw_only=True)
class IncrementalPlan:
    campaigns: list[CampaignChange]  # new campaigns, and those that grew
    merged: dict[int, int]  # campaign id → the campaign id its comments move to (a new comment joined both)
    links: dict[int, tuple[int, str]]  # comment id → (index in `campaigns`, addition)
    additions: dict[int, dict[int, float]]  # theme id → comments (id → cosine) it gains
    themes: list[ThemeChange]  # new themes, formed by waiting comments
    segment: CampaignIndex  # the new comments, to append to the index
    summary: RunSummary
    _state: ClusterState

    def state(self, theme_ids: Sequence[int]) -> ClusterState:
        """The state to keep, given the id of each of `themes` once written."""
        centroids = dict(self._state.centroids)
        centroids.update({pk: change.centroid for pk, change in zip(theme_ids, self.themes, strict=True)})
        return ClusterState(centroids=centroids, waiting=list(self._state.waiting))


def diff_members(current: dict[int, float | None], target: dict[int, float], *, step: float = SIMILARITY_STEP):
    """What turns a theme's memberships `current` (comment id → stored cosine) into `target`: (to add, to
    remove, to update). A cosine that moved by less than `step` stays as stored: cosines move a little on
    every run, and rewriting them all would cost a write per comment."""
    add = {pk: similarity for pk, similarity in target.items() if pk not in current}
    remove = [pk for pk in current if pk not in target]
    update = {
        pk: similarity
        for pk, similarity in target.items()
        if pk in current and ((stored := current[pk]) is None or abs(stored - similarity) >= step)
    }
    return add, remove, update


def title_of(terms: Sequence[str], fallback: str) -> str:
    """The title of themes made before titles were phrases: the top terms (recognises a theme not renamed)."""
    return ("、".join(terms[:TITLE_TERMS]) or fallback.strip()[:30] or "—")[:200]


def renamed(theme: KnownTheme) -> bool:
    """Staff gave the theme its title: it is not the one clustering found."""
    if theme.auto_title:
        return theme.title != theme.auto_title
    return theme.title != title_of(theme.terms, theme.title)


def theme_key(scope: object, members: Sequence[int]) -> str:
    digest = hashlib.sha1(f"{scope}:{','.join(map(str, sorted(members)))}".encode(), usedforsecurity=False)
    return "t" + digest.hexdigest()[:15]


def campaign_key(scope: object, members: Sequence[int]) -> str:
    digest = hashlib.sha1(f"{scope}:{min(members)}".encode(), usedforsecurity=False)
    return "c" + digest.hexdigest()[:15]


SEGMENT_GROWTH = 4  # a segment of the campaign index is merged with the next when at most this many times larger


def segments_to_merge(sizes: Sequence[int]) -> int:
    """How many of the last segments (sizes, oldest first, the new one last) to merge into one, so that
    sizes fall by SEGMENT_GROWTH or more from the oldest: a handful of segments, and each comment's keys
    rewritten a few times over the draft's life (as in a log-structured merge), never all at every run."""
    merge = 1
    while merge < len(sizes) and sizes[-merge - 1] <= SEGMENT_GROWTH * sum(sizes[-merge:]):
        merge += 1
    return merge


def new_theme_threshold(comments: int) -> float:
    """Waiting comments that make a run group them into new themes."""
    return max(NEW_THEME_MIN, NEW_THEME_SHARE * comments)


# --- the full run ----------------------------------------------------------------------------


def plan_full(
    rows: CommentRows,
    *,
    themes: Sequence[KnownTheme],
    campaigns: Sequence[KnownCampaign],
    by_hand: set[int],
    scope: int,
    k: int | None = None,
    progress: Progress | None = None,
    processes: int = 1,
) -> FullPlan:
    """Campaigns and themes of every comment in `rows` (see the module docstring). `themes` are the draft's
    clustered themes, `by_hand` the comments in hand-made themes (never clustered), `scope` the draft's id
    (in the keys of new campaigns and themes), `processes` how many processes may group a large plan."""
    say = progress or _silent
    say(f"  {len(rows)} comments read")
    result = find_campaigns(rows.texts)
    items = collapse(result)
    say(f"  {len(result.campaigns)} campaigns; {len(items.weights)} distinct items")
    campaign_changes, stale, links = _campaign_changes(rows, result, campaigns, scope)
    assert result.keys is not None  # find_campaigns returns every text's keys
    index = CampaignIndex(ids=np.asarray(rows.ids, dtype=np.int64), keys=result.keys)
    del result  # what is kept of it is in the changes and the index
    item_texts = [rows.texts[i] for i in items.text_index]
    featuriser, features = fit_features(default_tokenizer(item_texts), items.weights, None, item_texts)
    del item_texts
    say(f"  features ready: {features.vectors.shape[1]} dimensions")
    decided = [theme for theme in themes if theme.decided]
    pending = [theme for theme in themes if not theme.decided]
    # comments in decided themes, or grouped by hand, stay where they are
    locked = set().union(by_hand, *(theme.members for theme in decided))
    free_comment = np.array([pk not in locked for pk in rows.ids], dtype=bool)
    # an item is clustered if any of its comments is free; only its free comments join the theme
    free_items = np.flatnonzero(np.bincount(items.of, weights=free_comment, minlength=len(items.weights)) > 0)
    comment_theme = np.full(len(rows), -1, dtype=np.int64)
    changes: list[ThemeChange] = []
    found_k = 0
    matched: dict[int, int] = {}
    if len(free_items) >= 2:
        start = None
        if k is None:  # warm start from the pending themes: a recompute moves few comments
            earlier = _labels(rows.ids, [theme.members for theme in pending])
            start = item_labels(items, np.where(free_comment, earlier, -1))
        changes, comment_theme, found_k = _themes_of(
            rows, items, features, free_items, free_comment, k=k, start=start, scope=scope, processes=processes
        )
        say(f"  {found_k} themes among {len(free_items)} items")
        matched = match_groups([set(theme.members) for theme in pending], [set(change.members) for change in changes])
    for number, change in enumerate(changes):
        if number in matched:
            theme = pending[matched[number]]
            change.existing, change.key = theme.id, ""
            if renamed(theme):
                change.title = None
    kept = _decided_centroids(rows, items, features, decided)
    taken = set(matched.values())
    waiting = [pk for pk, free, label in zip(rows.ids, free_comment, comment_theme, strict=True) if free and label < 0]
    summary = RunSummary(
        draft=scope,
        mode="full",
        comments=len(rows),
        read=len(rows),
        items=len(items.weights),
        campaigns=len(campaign_changes),
        campaign_comments=sum(change.size for change in campaign_changes),
        k=found_k,
        themes_created=sum(change.existing is None for change in changes),
        themes_updated=len(matched),
        themes_removed=len(pending) - len(taken),
        themes_kept=len(decided),
        waiting=len(waiting),
    )
    return FullPlan(
        campaigns=campaign_changes,
        stale_campaigns=stale,
        links=links,
        themes=changes,
        removed=[theme.id for number, theme in enumerate(pending) if number not in taken],
        kept=kept,
        waiting=waiting,
        featuriser=featuriser,
        index=index,
        summary=summary,
    )


def _labels(ids: Sequence[int], groups: Sequence[frozenset[int]]) -> np.ndarray:
    """Per comment (in `ids` order), the number of the group holding it, or -1."""
    labels = np.full(len(ids), -1, dtype=np.int64)
    position = {pk: index for index, pk in enumerate(ids)}
    for number, members in enumerate(groups):
        for pk in members:
            if pk in position:
                labels[position[pk]] = number
    return labels


def _campaign_changes(rows: CommentRows, result, campaigns: Sequence[KnownCampaign], scope: int):
    """The campaigns to write (each keeping the key of the earlier campaign it overlaps most), the earlier
    ones to delete, and the comments whose campaign or addition changes."""
    members_of: dict[int, set[int]] = {campaign.id: set() for campaign in campaigns}
    for pk, campaign_id in zip(rows.ids, rows.campaign, strict=True):
        if campaign_id in members_of:
            members_of[campaign_id].add(pk)
    new_sets = [{rows.ids[i] for i in campaign.members} for campaign in result.campaigns]
    matched = match_groups([members_of[c.id] for c in campaigns], new_sets, min_overlap=0.01)
    changes = []
    for number, campaign in enumerate(result.campaigns):
        created = [rows.created[i] for i in campaign.members]
        earlier = campaigns[matched[number]] if number in matched else None
        changes.append(
            CampaignChange(
                existing=earlier.id if earlier else None,
                key=earlier.key if earlier else campaign_key(scope, list(new_sets[number])),
                form_text=campaign.form_text,
                representative=rows.ids[campaign.form],
                size=campaign.size,
                first_seen=min(created),
                last_seen=max(created),
            )
        )
    kept = {change.existing for change in changes}
    stale = [campaign.id for campaign in campaigns if campaign.id not in kept]
    target: dict[int, tuple[int, str]] = {}
    for number, campaign in enumerate(result.campaigns):
        for index in campaign.members:
            target[index] = (number, campaign.additions.get(index, ""))
    links: dict[int, tuple[int | None, str]] = {}
    for index, pk in enumerate(rows.ids):
        linked, added = target.get(index, (None, ""))
        if linked is None:
            changed = rows.campaign[index] is not None or rows.additions[index] != ""
        else:
            existing = changes[linked].existing
            changed = existing is None or rows.campaign[index] != existing or rows.additions[index] != added
        if changed:
            links[pk] = (linked, added)
    return changes, stale, links


def _themes_of(
    rows: CommentRows, items: Items, features: Features, free_items, free_comment, *, k, start, scope, processes=1
):
    """Themes planned over the free items, in comment ids: the changes (all new: the caller matches them to
    earlier themes), each comment's theme number (-1: none), and the number found."""
    subset = Features(
        vectors=features.vectors[free_items], words=features.words[free_items], vocabulary=features.vocabulary
    )
    texts = [rows.texts[items.text_index[item]] for item in free_items]
    articles = [rows.articles[items.text_index[item]] for item in free_items]
    plan = plan_themes(
        subset,
        items.weights[free_items],
        texts,
        articles,
        k=k,
        start=None if start is None else start[free_items],
        processes=processes,
    )
    members_of_item: dict[int, list[int]] = {}
    for index, item in enumerate(items.of.tolist()):
        if free_comment[index]:
            members_of_item.setdefault(item, []).append(index)
    comment_theme = np.full(len(rows), -1, dtype=np.int64)
    changes = []
    for number, theme in enumerate(plan.themes):
        group: dict[int, float] = {}
        for local, similarity in zip(theme.items, theme.similarity, strict=True):
            for index in members_of_item.get(int(free_items[local]), []):
                group[rows.ids[index]] = round(float(similarity), 6)
                comment_theme[index] = number
        representatives = []
        for local in theme.representatives:
            item = int(free_items[local])
            owner = int(items.text_index[item])
            representatives.append(rows.ids[owner if free_comment[owner] else members_of_item[item][0]])
        title = (theme.title or title_of(theme.terms, ""))[:200]
        # The articles planned are the rows' provision ids (the planner takes any hashable).
        article = cast("int | None", theme.article) if theme.scope == ARTICLE else None
        changes.append(
            ThemeChange(
                existing=None,
                key=theme_key(scope, list(group)),
                title=title,
                auto_title=title,
                terms=theme.terms,
                representatives=representatives,
                provision=article,
                members=group,
                centroid=Centroid(total=np.zeros(0), weight=0.0, scope=theme.scope, article=article),
            )
        )
    provisions = dominant(comment_theme, rows.articles, len(changes))
    sums, weights = _sums(comment_theme, items, features.vectors, len(changes))
    for number, change in enumerate(changes):
        if change.centroid.scope != ARTICLE:
            change.provision = provisions[number]
        change.centroid.total, change.centroid.weight = sums[number], float(weights[number])
    return changes, comment_theme, plan.k


def _sums(labels: np.ndarray, items: Items, vectors: np.ndarray, count: int) -> tuple[np.ndarray, np.ndarray]:
    """Per label 0 … count-1: the sum of its comments' item vectors, and its number of comments."""
    inside = labels >= 0
    sums = np.zeros((count, vectors.shape[1]), dtype=np.float64)
    np.add.at(sums, labels[inside], vectors[items.of[inside]].astype(np.float64))
    return sums, np.bincount(labels[inside], minlength=count).astype(np.float64)


def _decided_centroids(rows: CommentRows, items: Items, features: Features, decided: Sequence[KnownTheme]):
    """The centroid of each decided theme, from its members' vectors. It was found on an article if all its
    members are on the article it carries."""
    labels = _labels(rows.ids, [theme.members for theme in decided])
    sums, weights = _sums(labels, items, features.vectors, len(decided))
    result = {}
    for number, theme in enumerate(decided):
        on = {rows.articles[index] for index in np.flatnonzero(labels == number).tolist()}
        on_article = theme.provision is not None and on == {theme.provision}
        result[theme.id] = Centroid(
            total=sums[number],
            weight=float(weights[number]),
            scope=ARTICLE if on_article else DRAFT,
            article=theme.provision if on_article else None,
        )
    return result


# --- the incremental run ---------------------------------------------------------------------


def plan_incremental(
    new: CommentRows,
    *,
    state: ClusterState,
    featuriser: Featuriser,
    index: CampaignIndex,
    themes: set[int],
    placed: set[int],
    reader: Reader,
    scope: int,
    progress: Progress | None = None,
) -> IncrementalPlan:
    """Campaigns and themes for the `new` comments (not indexed yet), from what earlier runs left: `state`,
    `featuriser`, `index`. `themes` are the draft's clustered themes now (ids), `placed` the new comments
    already in a theme (they keep it), `reader` reads what else the run needs (see the module docstring)."""
    say = progress or _silent
    params = CampaignParams()
    found = probe(index, new.texts, params)
    known = reader.known(found.candidates)
    known_ids = sorted(known)
    group = link(index, found, new.texts, {pk: known[pk].text for pk in known_ids}, params)
    say(f"  {len(new)} new comments; {len(known_ids)} earlier ones read to check for copies")
    linked_campaigns = {pk for pk in new.campaign if pk is not None} | {
        linked for pk in known_ids if (linked := known[pk].campaign) is not None
    }
    campaigns = reader.campaigns(sorted(linked_campaigns))
    texts = list(new.texts) + [known[pk].text for pk in known_ids]
    ids = list(new.ids) + known_ids
    created = list(new.created) + [known[pk].created for pk in known_ids]
    current = list(new.campaign) + [known[pk].campaign for pk in known_ids]
    members_of: dict[int, list[int]] = {}
    for position, label in enumerate(group.tolist()):
        members_of.setdefault(label, []).append(position)
    changes: list[CampaignChange] = []
    merged: dict[int, int] = {}
    links: dict[int, tuple[int, str]] = {}
    item_of_new: list[int] = [0] * len(new)  # each new comment's item (its group)
    item_text: list[str] = []
    item_theme: list[int | None] = []
    for members in members_of.values():
        fresh = [position for position in members if position < len(new)]
        if not fresh:
            continue
        for position in fresh:
            item_of_new[position] = len(item_text)
        earlier = [pk for pk in {current[position] for position in members} if pk in campaigns]
        text = texts[fresh[0]]
        if earlier:  # joins the largest campaign it copies; the others merge into it
            target = max(earlier, key=lambda pk: (campaigns[pk].size, -pk))
            merged.update({pk: target for pk in earlier if pk != target})
            change = _grown(campaigns[target], [campaigns[pk] for pk in earlier if pk != target])
            joining = [position for position in members if current[position] not in earlier]
            for position in joining:
                change.size += 1
                change.first_seen = min(change.first_seen, created[position])
                change.last_seen = max(change.last_seen, created[position])
                links[ids[position]] = (len(changes), _addition(change.form_text, texts[position], params))
            changes.append(change)
            text = change.form_text
        elif len(members) >= params.min_size:  # a new campaign: the new comment and the copies it matches
            campaign = campaign_of(texts, sorted(members), params)
            for position in members:
                links[ids[position]] = (len(changes), campaign.additions.get(position, ""))
            changes.append(
                CampaignChange(
                    existing=None,
                    key=campaign_key(scope, [ids[position] for position in members]),
                    form_text=campaign.form_text,
                    representative=ids[campaign.form],
                    size=len(members),
                    first_seen=min(created[position] for position in members),
                    last_seen=max(created[position] for position in members),
                )
            )
            text = campaign.form_text
        votes = Counter(known[ids[position]].theme for position in members if position >= len(new))
        votes.pop(None, None)
        votes = Counter({theme: count for theme, count in votes.items() if theme in themes})
        item_text.append(text)
        item_theme.append(votes.most_common(1)[0][0] if votes else None)
    additions, waiting_new, centroids = _assign(
        new, item_of_new, item_text, item_theme, state, featuriser, placed, themes
    )
    waiting = [pk for pk in state.waiting if pk not in placed] + waiting_new
    total = len(index) + len(new)
    new_themes: list[ThemeChange] = []
    found_k = 0
    if len(waiting) >= new_theme_threshold(total) and len(waiting) >= 2:
        rows = reader.waiting(waiting)
        new_themes, grouped, found_k = plan_waiting(rows, featuriser=featuriser, scope=scope)
        still = set(rows.ids) - grouped  # visible, in no theme, and not grouped now
        waiting = [pk for pk in waiting if pk in still]
        say(f"  {len(new_themes)} new themes from {len(rows)} waiting comments")
    summary = RunSummary(
        draft=scope,
        mode="incremental",
        comments=total,
        read=len(new) + len(known_ids),
        items=len(item_text),
        campaigns=len(changes),
        campaign_comments=len(links),
        k=found_k,
        themes_created=len(new_themes),
        assigned=sum(len(group) for group in additions.values()),
        waiting=len(waiting),
    )
    return IncrementalPlan(
        campaigns=changes,
        merged=merged,
        links=links,
        additions=additions,
        themes=new_themes,
        segment=CampaignIndex(ids=np.asarray(new.ids, dtype=np.int64), keys=found.keys),
        summary=summary,
        _state=ClusterState(centroids=centroids, waiting=waiting),
    )


def _grown(campaign: KnownCampaign, absorbed: Sequence[KnownCampaign]) -> CampaignChange:
    """The change to an existing campaign that gains comments (and the campaigns merged into it)."""
    return CampaignChange(
        existing=campaign.id,
        key=campaign.key,
        form_text=campaign.form_text,
        representative=0,  # kept
        size=campaign.size + sum(other.size for other in absorbed),
        first_seen=min([campaign.first_seen, *(other.first_seen for other in absorbed)]),
        last_seen=max([campaign.last_seen, *(other.last_seen for other in absorbed)]),
    )


def _addition(form_text: str, text: str, params: CampaignParams) -> str:
    from search.clustering.campaigns import addition

    return addition(form_text, text, params.min_added)


def _assign(new: CommentRows, item_of_new, item_text, item_theme, state: ClusterState, featuriser, placed, themes):
    """Each new comment not placed yet: into its copies' theme, else the nearest eligible centroid at
    ASSIGN_FLOOR or more, else waiting. Returns the additions (theme id → comment id → cosine), the new
    comments left waiting and the centroids with the additions counted in."""
    centroids = {pk: _copy(centroid) for pk, centroid in state.centroids.items() if pk in themes}
    if not item_text:
        return {}, [], centroids
    vectors = featuriser.transform(default_tokenizer(item_text), item_text).vectors
    own = {centroid.article for centroid in centroids.values() if centroid.scope == ARTICLE}
    eligible: dict[object, tuple[list[int], np.ndarray]] = {}

    def candidates(article: int | None) -> tuple[list[int], np.ndarray]:
        key = article if article in own else DRAFT
        if key not in eligible:
            if article in own:
                chosen = [pk for pk, c in centroids.items() if c.scope == ARTICLE and c.article == article]
            else:
                chosen = [pk for pk, c in centroids.items() if c.scope == DRAFT]
            units = np.array([centroids[pk].unit() for pk in chosen], dtype=np.float32)
            eligible[key] = (chosen, units.reshape(len(chosen), vectors.shape[1]))
        return eligible[key]

    additions: dict[int, dict[int, float]] = {}
    waiting: list[int] = []
    decided_item: dict[int, tuple[int | None, float]] = {}
    for position, pk in enumerate(new.ids):
        if pk in placed:
            continue
        item = item_of_new[position]
        if item not in decided_item:
            vector = vectors[item]
            theme = item_theme[item]
            if theme is not None and theme in centroids:
                decided_item[item] = (theme, float(vector @ centroids[theme].unit()))
            elif theme is not None:
                decided_item[item] = (theme, 0.0)
            else:
                chosen, units = candidates(new.articles[position])
                similarity = units @ vector if len(chosen) else np.empty(0)
                best = int(np.argmax(similarity)) if len(chosen) else -1
                if best >= 0 and similarity[best] >= ASSIGN_FLOOR:
                    decided_item[item] = (chosen[best], float(similarity[best]))
                else:
                    decided_item[item] = (None, 0.0)
        theme, similarity = decided_item[item]
        if theme is None:
            waiting.append(pk)
            continue
        additions.setdefault(theme, {})[pk] = round(similarity, 6)
        if theme in centroids:
            centroids[theme].total = centroids[theme].total + vectors[item].astype(np.float64)
            centroids[theme].weight += 1
    return additions, waiting, centroids


def _copy(centroid: Centroid) -> Centroid:
    return Centroid(
        total=np.array(centroid.total, dtype=np.float64),
        weight=centroid.weight,
        scope=centroid.scope,
        article=centroid.article,
    )


def plan_waiting(rows: CommentRows, *, featuriser: Featuriser, scope: int) -> tuple[list[ThemeChange], set[int], int]:
    """New themes among the waiting comments `rows`, in the fitted space (the comments of one campaign are
    one item): the changes, the comments they hold and the number found."""
    key_of = [
        ("c", campaign) if campaign is not None else ("t", pk)
        for pk, campaign in zip(rows.ids, rows.campaign, strict=True)
    ]
    number: dict[tuple, int] = {}
    of = np.array([number.setdefault(key, len(number)) for key in key_of], dtype=np.int64)
    first = np.full(len(number), -1, dtype=np.int64)
    for index in range(len(of) - 1, -1, -1):
        first[of[index]] = index
    items = Items(of=of, text_index=first, weights=np.bincount(of, minlength=len(number)).astype(np.float64))
    item_texts = [rows.texts[i] for i in first]
    features = featuriser.transform(default_tokenizer(item_texts), item_texts)
    everyone = np.ones(len(rows), dtype=bool)
    changes, comment_theme, found_k = _themes_of(
        rows, items, features, np.arange(len(first)), everyone, k=None, start=None, scope=scope
    )
    grouped = {pk for pk, label in zip(rows.ids, comment_theme.tolist(), strict=True) if label >= 0}
    return [change for change in changes if change.members], grouped, found_k
