"""Matching articles across versions by content, and character diffs between matched articles.

Pure functions over strings: a version's articles go in as texts, pairs of indices come out.
Chinese legal text is compared on character bigrams (no segmentation needed), so a renumbered
or lightly edited article still finds its predecessor.
"""

from __future__ import annotations

import difflib
import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from search.similarity import bigram_vector

DEFAULT_THRESHOLD = 0.4


@dataclass(frozen=True)
class Match:
    old: int | None  # index into the old texts; None for an article new in this version
    new: int | None  # index into the new texts; None for an article dropped from this version
    similarity: float


def similarity_pairs(old: Sequence[str], new: Sequence[str]) -> dict[tuple[int, int], float]:
    """Cosine similarity of bigram vectors for every pair sharing at least one bigram."""
    old_vectors = [bigram_vector(text) for text in old]
    new_vectors = [bigram_vector(text) for text in new]
    old_norms = [math.sqrt(sum(v * v for v in vector.values())) for vector in old_vectors]
    new_norms = [math.sqrt(sum(v * v for v in vector.values())) for vector in new_vectors]
    postings: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for index, vector in enumerate(old_vectors):
        for gram, count in vector.items():
            postings[gram].append((index, count))
    scores: dict[tuple[int, int], float] = {}
    for new_index, vector in enumerate(new_vectors):
        dots: dict[int, int] = defaultdict(int)
        for gram, count in vector.items():
            for old_index, old_count in postings.get(gram, ()):
                dots[old_index] += count * old_count
        for old_index, dot in dots.items():
            denominator = old_norms[old_index] * new_norms[new_index]
            if denominator:
                scores[(old_index, new_index)] = dot / denominator
    return scores


def match_provisions(old: Sequence[str], new: Sequence[str], threshold: float = DEFAULT_THRESHOLD) -> list[Match]:
    """One-to-one matches, most similar first; unmatched articles on either side are listed too.

    Ties go to the pair whose relative positions are closest, so identical boilerplate
    articles pair up in order.
    """
    scores = similarity_pairs(old, new)
    span_old, span_new = max(len(old), 1), max(len(new), 1)
    ranked = sorted(
        ((score, -abs(o / span_old - n / span_new), o, n) for (o, n), score in scores.items() if score >= threshold),
        reverse=True,
    )
    used_old: set[int] = set()
    used_new: set[int] = set()
    matches: list[Match] = []
    for score, _, o, n in ranked:
        if o in used_old or n in used_new:
            continue
        used_old.add(o)
        used_new.add(n)
        matches.append(Match(old=o, new=n, similarity=round(score, 4)))
    matches += [Match(old=None, new=n, similarity=0.0) for n in range(len(new)) if n not in used_new]
    matches += [Match(old=o, new=None, similarity=0.0) for o in range(len(old)) if o not in used_old]
    return sorted(matches, key=lambda m: (m.new if m.new is not None else math.inf, m.old or 0))


Op = Literal["equal", "insert", "delete"]


def diff_segments(old_text: str, new_text: str) -> list[tuple[Op, str]]:
    """Character-level diff as a list of (operation, text) segments, in reading order."""
    matcher = difflib.SequenceMatcher(None, old_text, new_text, autojunk=False)
    segments: list[tuple[Op, str]] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            segments.append(("equal", old_text[i1:i2]))
            continue
        if tag in ("delete", "replace"):
            segments.append(("delete", old_text[i1:i2]))
        if tag in ("insert", "replace"):
            segments.append(("insert", new_text[j1:j2]))
    return segments
