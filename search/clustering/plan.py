"""Article-aware themes for one draft, planned as plain values (the adapter only loads and saves).

    plan_themes(features, weights, texts, articles, k=None, start=None) -> ThemePlan

A comment on an article is first of all about that article, so:

- each article with at least ARTICLE_MIN comments gets themes of its own, found among its comments
  (k chosen for it);
- the other comments (on the whole draft, or on articles with few comments) are grouped across the
  draft, with `k` when given;
- a set under SMALL_MIN comments is never forced into k themes: its comments are grouped by
  near-identity (campaigns) and shared distinctive words (`labels.small_groups`), and a comment that
  fits no group stays unclassified (label -1, 未归类).

Each planned theme carries its distinctive words (against every other theme of the draft), a title
drawn from its own comments (`labels.key_phrase`), representatives chosen for coverage, and each
member's cosine to its centre. `start` (each item's earlier theme, -1 if none) warm-starts the
groupings that are clustered, so a recompute moves few comments (not used when `k` is given: a new k
asks for new themes).
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import numpy as np

from search.clustering.labels import key_phrase, small_groups
from search.clustering.themes import (
    Features,
    ThemeParams,
    centroids_of,
    cluster_themes,
    distinctive_terms,
    representatives_of,
)

ARTICLE_MIN = 50  # comments on one article that make it a grouping of its own
SMALL_MIN = 50  # under this many comments, group by near-identity and shared words, not k-means
TOP_TERMS = 8
TITLE_SOURCES = 40  # members read for a title (representatives first)
# An article's own grouping chooses k on a smaller sample and keeps fewer restarts: a national draft has a
# hundred such articles (at 3,700 comments an article, 3.7 s of computing each becomes 0.8 s, the same k).
ARTICLE_K_SAMPLE = 1500
ARTICLE_RESTARTS = 3

ARTICLE = "article"
DRAFT = "draft"


@dataclass
class PlannedTheme:
    items: list[int]  # item indices
    similarity: list[float]  # per item, cosine to the theme's centre
    scope: str  # ARTICLE: found among one article's comments; DRAFT: across the draft
    article: Hashable | None  # the article of an ARTICLE theme
    terms: list[str]
    title: str
    representatives: list[int]  # item indices, chosen for coverage


@dataclass
class ThemePlan:
    themes: list[PlannedTheme]
    labels: np.ndarray  # per item: index in `themes`, or -1 (未归类)
    k: int  # themes found

    @property
    def unclassified(self) -> np.ndarray:
        return np.flatnonzero(self.labels < 0)


def scopes(
    articles: Sequence[Hashable | None], weights: np.ndarray, article_min: int = ARTICLE_MIN
) -> list[tuple[str, Hashable | None, np.ndarray]]:
    """The groupings of items: (ARTICLE, article, items) for each article with at least `article_min`
    comments, in order of first appearance, then (DRAFT, None, the other items)."""
    totals: dict[Hashable, float] = {}
    for article, weight in zip(articles, np.asarray(weights).tolist(), strict=True):
        if article is not None:
            totals[article] = totals.get(article, 0.0) + weight
    own = {article for article, total in totals.items() if total >= article_min}
    positions: dict[Hashable, list[int]] = {}
    for position, article in enumerate(articles):
        if article in own:
            positions.setdefault(article, []).append(position)
    result = []
    taken = np.zeros(len(articles), dtype=bool)
    for article, members in positions.items():  # in order of first appearance
        items = np.asarray(members, dtype=np.int64)
        taken[items] = True
        result.append((ARTICLE, article, items))
    rest = np.flatnonzero(~taken)
    if len(rest):
        result.append((DRAFT, None, rest))
    return result


def _article_params(params: ThemeParams) -> ThemeParams:
    from dataclasses import replace

    return replace(
        params,
        k_sample=min(params.k_sample, ARTICLE_K_SAMPLE),
        restarts=min(params.restarts, ARTICLE_RESTARTS),
    )


def _subset(features: Features, items: np.ndarray) -> Features:
    return Features(vectors=features.vectors[items], words=features.words[items], vocabulary=features.vocabulary)


def group_items(
    features: Features,
    weights: np.ndarray,
    items: np.ndarray,
    *,
    k: int | None,
    params: ThemeParams,
    start: np.ndarray | None = None,
    small_min: int = SMALL_MIN,
) -> np.ndarray:
    """Labels (0 … k-1, or -1) of `items`: clustered when they weigh `small_min` comments or more, else
    small groups."""
    weights = np.asarray(weights, dtype=np.float64)
    if weights[items].sum() < small_min or len(items) < 3:
        return small_groups(features.words[items], weights[items])
    warm = None
    if k is None and start is not None and (start[items] >= 0).any():
        warm = start[items]
    themes = cluster_themes(_subset(features, items), weights=weights[items], k=k, params=params, start=warm)
    return themes.labels.astype(np.int64)


# Items a plan must group before its groupings are spread over processes: below it, starting them costs more
# than it saves (each process imports numpy and scikit-learn, about a second).
PARALLEL_MIN = 20_000


def _group_subset(features: Features, weights: np.ndarray, k, params: ThemeParams, start, small_min: int):
    """group_items on a subset handed over whole (what a worker process receives)."""
    return group_items(features, weights, np.arange(len(weights)), k=k, params=params, start=start, small_min=small_min)


def _grouped(calls: list[tuple], processes: int) -> list[np.ndarray]:
    """The labels of each grouping, computed here or, for a large plan, by `processes` worker processes.

    The groupings are independent and each is seeded, so the labels are the same either way. Workers are
    started by a fork server (a clean process, not a fork of this one, which may hold threads and locks) and
    receive only their grouping's rows; the largest are handed out first.
    """
    if processes <= 1 or len(calls) < 2 or sum(len(call[1]) for call in calls) < PARALLEL_MIN:
        return [_group_subset(*call) for call in calls]
    import logging
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    order = sorted(range(len(calls)), key=lambda n: -len(calls[n][1]))
    try:
        with ProcessPoolExecutor(
            max_workers=min(processes, len(calls)), mp_context=multiprocessing.get_context("forkserver")
        ) as pool:
            futures = {n: pool.submit(_group_subset, *calls[n]) for n in order}
            return [futures[n].result() for n in range(len(calls))]
    except (BrokenProcessPool, OSError) as error:  # a worker killed (out of memory), or none could start
        logging.getLogger(__name__).warning("Grouping in one process: the worker processes failed (%s).", error)
        return [_group_subset(*call) for call in calls]


def plan_themes(
    features: Features,
    weights: np.ndarray,
    texts: Sequence[str],
    articles: Sequence[Hashable | None],
    *,
    k: int | None = None,
    params: ThemeParams | None = None,
    start: np.ndarray | None = None,
    article_min: int = ARTICLE_MIN,
    small_min: int = SMALL_MIN,
    processes: int = 1,
) -> ThemePlan:
    """Themes of the items (texts, weights, the article each is on) — see the module docstring. With
    `processes` > 1 and at least PARALLEL_MIN items, the groupings are computed by that many processes."""
    params = params or ThemeParams()
    weights = np.asarray(weights, dtype=np.float64)
    n = len(weights)
    labels = np.full(n, -1, dtype=np.int64)
    kinds: list[tuple[str, Hashable | None]] = []
    groupings = scopes(articles, weights, article_min)
    calls = [
        (_subset(features, items), weights[items], k if scope == DRAFT else None)
        + (params if scope == DRAFT else _article_params(params), None if start is None else start[items], small_min)
        for scope, _article, items in groupings
    ]
    for (scope, article, items), found in zip(groupings, _grouped(calls, processes), strict=True):
        inside = found >= 0
        labels[items[inside]] = found[inside] + len(kinds)
        kinds.extend((scope, article) for _ in range(int(found.max()) + 1 if inside.any() else 0))
    count = len(kinds)
    if count == 0:
        return ThemePlan(themes=[], labels=labels, k=0)
    grouped = np.flatnonzero(labels >= 0)
    terms = distinctive_terms(
        features.words[grouped], features.vocabulary, labels[grouped], weights[grouped], TOP_TERMS
    )
    terms += [[] for _ in range(count - len(terms))]
    centroids = centroids_of(features.vectors[grouped], labels[grouped], weights[grouped], count)
    chosen, similarity = representatives_of(
        features.vectors[grouped], labels[grouped], centroids, params.representatives, weights[grouped]
    )
    planned = []
    for number, (scope, article) in enumerate(kinds):
        members = grouped[labels[grouped] == number]
        representatives = [int(grouped[i]) for i in chosen[number]]
        by_closeness = members[np.argsort(-similarity[labels[grouped] == number], kind="stable")]
        sources = representatives + [int(i) for i in by_closeness if int(i) not in representatives]
        planned.append(
            PlannedTheme(
                items=members.tolist(),
                similarity=similarity[labels[grouped] == number].astype(float).tolist(),
                scope=scope,
                article=article,
                terms=terms[number],
                title=key_phrase([texts[i] for i in sources[:TITLE_SOURCES]], terms[number]),
                representatives=representatives,
            )
        )
    return ThemePlan(themes=planned, labels=labels, k=count)
