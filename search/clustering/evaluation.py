"""Measuring the pipeline: injected campaigns with their truth, and pair precision/recall.

inject_campaign(texts, ...) -> Injection   light edits of real texts mixed into real texts
pair_scores(truth, predicted) -> (precision, recall)
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from search.clustering.campaigns import normalise

# Short personal sentences signers add to a form letter: built from parts, so they vary.
_WHO = ["我是一名", "作为一名", "本人是", "我们是", "我是"]
_ROLE = ["退休教师", "普通市民", "外卖骑手", "大学生", "社区志愿者", "个体工商户", "律师", "家长", "护士", "快递员"]
_WISH = [
    "，希望采纳。",
    "，恳请认真考虑。",
    "，强烈支持这个意见！",
    "，请立法机关重视。",
    "，这件事关系到我们每个人。",
    "，希望早日落实。",
]


@dataclass
class Injection:
    """`texts` to cluster; `origin[i]` is the injected group of text i (-1 for background texts)."""

    texts: list[str]
    origin: np.ndarray
    bases: int
    edits: int


def personal_sentence(rng: random.Random) -> str:
    return rng.choice(_WHO) + rng.choice(_ROLE) + rng.choice(_WISH)


def light_edit(text: str, rng: random.Random, alphabet: str, append_probability: float = 0.5) -> str:
    """Insert, delete or replace one to three characters; sometimes append a personal sentence."""
    chars = list(text)
    for _ in range(rng.randint(1, 3)):
        operation = rng.choice(("insert", "delete", "replace"))
        position = rng.randrange(len(chars) + (operation == "insert")) if chars else 0
        if operation == "insert" or not chars:
            chars.insert(position, rng.choice(alphabet))
        elif operation == "delete" and len(chars) > 1:
            del chars[position]
        else:
            chars[position] = rng.choice(alphabet)
    edited = "".join(chars)
    if rng.random() < append_probability:
        edited += personal_sentence(rng)
    return edited


def inject_campaign(
    texts: Sequence[str],
    *,
    background: int = 20_000,
    bases: int = 500,
    edits: int = 2_000,
    min_chars: int = 20,
    seed: int = 0,
) -> Injection:
    """`background` real texts, among them `bases` texts of at least `min_chars` normalised
    characters that are copied `edits` times in all with light edits, shuffled together.

    Background texts identical (normalised) to a base are left out, so that the truth is exact.
    """
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not secrets
    pool = list(dict.fromkeys(t for t in texts if t and t.strip()))
    rng.shuffle(pool)
    eligible = [t for t in pool if len(normalise(t)) >= min_chars]
    if len(eligible) < bases:
        raise ValueError(f"only {len(eligible)} texts have {min_chars}+ characters; {bases} bases wanted")
    chosen = eligible[:bases]
    chosen_keys = {normalise(t) for t in chosen}
    rest = [t for t in pool if normalise(t) not in chosen_keys][: max(0, background - bases)]
    alphabet = "".join(Counter("".join(rest[:5000])).keys()) or "的"
    items: list[tuple[str, int]] = [(t, -1) for t in rest] + [(t, n) for n, t in enumerate(chosen)]
    for copy in range(edits):
        number = copy % bases
        items.append((light_edit(chosen[number], rng, alphabet), number))
    rng.shuffle(items)
    return Injection(
        texts=[t for t, _ in items], origin=np.array([o for _, o in items], dtype=np.int64), bases=bases, edits=edits
    )


def pair_scores(origin: np.ndarray, predicted: np.ndarray) -> tuple[float, float]:
    """Pair precision and recall of `predicted` groups against the injected `origin` groups.

    True pairs: two texts of the same injected group. Predicted pairs: two texts in one predicted
    group of which at least one is injected (pairs of two background texts have no truth: real
    reviews repeat each other too). Counted exactly from group sizes, without listing pairs.
    """
    origin = np.asarray(origin)
    predicted = np.asarray(predicted)
    injected = origin >= 0

    def pairs(counts: np.ndarray) -> int:
        counts = counts.astype(np.int64)
        return int((counts * (counts - 1) // 2).sum())

    true_pairs = pairs(np.bincount(origin[injected]))
    # both in the same origin and the same predicted group
    joint = Counter(zip(origin[injected].tolist(), predicted[injected].tolist(), strict=True))
    hits = pairs(np.array(list(joint.values())))
    # predicted pairs with at least one injected member = all pairs − pairs of two background texts
    _labels, all_counts = np.unique(predicted, return_counts=True)
    _labels, background_counts = np.unique(predicted[~injected], return_counts=True)
    predicted_pairs = pairs(all_counts) - pairs(background_counts)
    precision = hits / predicted_pairs if predicted_pairs else 1.0
    recall = hits / true_pairs if true_pairs else 1.0
    return precision, recall
