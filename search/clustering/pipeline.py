"""The whole pipeline on a list of comments: campaigns, then themes of the items that remain.

    cluster_feedback(texts, stances=..., k=None) -> FeedbackClustering

A near-duplicate group (a campaign, or a comment alone) is one item, weighing its number of
comments and represented by its form text, so 10,000 copies of a letter are one heavy item in
one theme. Every comment then takes its item's theme and similarity.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from search.clustering.campaigns import CampaignParams, CampaignResult, find_campaigns
from search.clustering.themes import (
    Features,
    ThemeParams,
    Themes,
    assign,
    centroids_of,
    cluster_themes,
    featurise,
    stance_counts,
)

Tokenizer = Callable[[Sequence[str]], list[list[str]]]

# Cosine (LSA space) a new comment needs with a theme's centroid to join it between recomputes.
# On the shopping set (2,000 reviews, k = 10) 80 % of items lie at 0.20 or more from their own centroid.
ASSIGN_FLOOR = 0.2


@dataclass
class Items:
    """Comments collapsed into items: `of[i]` is comment i's item; `text_index[j]` the comment
    whose text stands for item j (the campaign's form text); `weights[j]` its number of comments."""

    of: np.ndarray
    text_index: np.ndarray
    weights: np.ndarray

    def members(self) -> list[list[int]]:
        result: list[list[int]] = [[] for _ in range(len(self.text_index))]
        for comment, item in enumerate(self.of.tolist()):
            result[item].append(comment)
        return result


@dataclass
class FeedbackClustering:
    campaigns: CampaignResult
    items: Items
    features: Features
    themes: Themes
    theme_of: np.ndarray  # per comment
    similarity: np.ndarray  # per comment: cosine of its item to its theme's centroid
    stances: list[dict[str, int]]  # per theme, comments per stance


def default_tokenizer(texts: Sequence[str]) -> list[list[str]]:
    from search.tokenize import tokens_many

    return tokens_many(texts)


def collapse(campaigns: CampaignResult) -> Items:
    """One item per near-duplicate group, in order of first appearance."""
    _groups, first, of = np.unique(campaigns.group, return_index=True, return_inverse=True)
    order = np.argsort(first, kind="stable")  # number items by first appearance
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    of = rank[of]
    text_index = first[order].copy()
    weights = np.bincount(of, minlength=len(order)).astype(np.float64)
    for campaign in campaigns.campaigns:
        text_index[of[campaign.form]] = campaign.form
    return Items(of=of.astype(np.int64), text_index=text_index.astype(np.int64), weights=weights)


def item_labels(items: Items, comment_labels: np.ndarray) -> np.ndarray:
    """Per item, the label most of its labelled comments carry (-1 when none has one); ties: the smaller."""
    result = np.full(len(items.weights), -1, dtype=np.int64)
    labelled = np.flatnonzero(comment_labels >= 0)
    if not len(labelled):
        return result
    pairs, counts = np.unique(
        np.stack([items.of[labelled], comment_labels[labelled]], axis=1), axis=0, return_counts=True
    )
    order = np.lexsort((pairs[:, 1], -counts))  # most votes first, then the smaller label
    for item, label in pairs[order][::-1]:  # the last write wins: the best pair of each item
        result[item] = label
    return result


def featurise_items(
    texts: Sequence[str], items: Items, tokenizer: Tokenizer | None, params: ThemeParams | None
) -> Features:
    tokenizer = tokenizer or default_tokenizer
    item_texts = [texts[i] for i in items.text_index]
    return featurise(tokenizer(item_texts), items.weights, params, texts=item_texts)


def cluster_feedback(
    texts: Sequence[str],
    *,
    stances: Sequence[str] | None = None,
    k: int | None = None,
    tokenizer: Tokenizer | None = None,
    campaign_params: CampaignParams | None = None,
    theme_params: ThemeParams | None = None,
    start: Sequence[int] | None = None,
) -> FeedbackClustering:
    """Campaigns and themes of `texts` (k themes, or chosen when None). `start`, per comment, is its
    earlier theme (-1 when new): the run is then warm-started from those themes (see cluster_themes)."""
    campaigns = find_campaigns(texts, campaign_params)
    items = collapse(campaigns)
    features = featurise_items(texts, items, tokenizer, theme_params)
    item_start = None if start is None else item_labels(items, np.asarray(start, dtype=np.int64))
    themes = cluster_themes(features, weights=items.weights, k=k, params=theme_params, start=item_start)
    theme_of = themes.labels[items.of]
    similarity = themes.similarity[items.of]
    stance_list = list(stances) if stances is not None else ["unstated"] * len(texts)
    return FeedbackClustering(
        campaigns=campaigns,
        items=items,
        features=features,
        themes=themes,
        theme_of=theme_of,
        similarity=similarity,
        stances=stance_counts(theme_of, stance_list, themes.k),
    )


def assign_to_existing(
    vectors: np.ndarray,
    weights: np.ndarray,
    theme_items: Sequence[Sequence[int]],
    new_items: Sequence[int],
    *,
    floor: float = ASSIGN_FLOOR,
) -> tuple[np.ndarray, np.ndarray]:
    """Incremental step: the existing themes (lists of item indices) keep their members; each
    new item joins the theme whose centroid is nearest if the cosine is at least `floor`.
    Returns, per new item, the theme index (or -1: it waits for the next recompute) and the cosine."""
    positions = np.asarray(new_items, dtype=np.int64)
    labels = np.full(len(vectors), -1, dtype=np.int64)
    for theme, members in enumerate(theme_items):
        labels[np.asarray(members, dtype=np.int64)] = theme
    known = labels >= 0
    if not known.any() or not len(positions):
        return np.full(len(positions), -1, dtype=np.int64), np.zeros(len(positions), dtype=np.float32)
    centroids = centroids_of(vectors[known], labels[known], weights[known], len(theme_items))
    return assign(vectors[positions], centroids, floor)
