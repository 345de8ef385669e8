"""Pure arithmetic behind the legislators' review screens: campaign-aware counts, stance
splits and representatives. No ORM here; selectors feed these functions plain values. The
screens' charts and time buckets are the kernel's (`core.charts`)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

H = TypeVar("H", bound=Hashable)


def campaign_aware_count(campaigns: Iterable[int | None]) -> int:
    """How many distinct voices: a comment outside any campaign counts once, and so does a
    whole campaign however many signed it. `campaigns` holds each comment's campaign id or None."""
    singles = 0
    seen: set[int] = set()
    for campaign in campaigns:
        if campaign is None:
            singles += 1
        else:
            seen.add(campaign)
    return singles + len(seen)


def campaign_sizes(campaigns: Iterable[int | None]) -> list[tuple[int, int]]:
    """(campaign id, comments) for each campaign present, largest first."""
    counts = Counter(campaign for campaign in campaigns if campaign is not None)
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def split(values: Iterable[str], keys: Sequence[str]) -> dict[str, int]:
    """Counts of each key (every key present, zero when absent), in the order of `keys`."""
    counts = Counter(values)
    return {key: counts.get(key, 0) for key in keys}


def top(values: Iterable[H | None], n: int) -> list[tuple[H, int]]:
    """The n most frequent non-empty values with their counts; ties keep first-seen order."""
    counts = Counter(value for value in values if value is not None)
    return counts.most_common(n)


@dataclass(frozen=True)
class Candidate:
    """A comment as a representative candidate: its similarity to its theme (None when
    grouped by hand), its campaign, and when it arrived (for a stable order)."""

    pk: int
    similarity: float | None
    campaign: int | None
    order: int


def representatives(candidates: Iterable[Candidate], n: int = 3) -> list[int]:
    """The comments that best stand for a group: closest to the centre first, one per
    campaign at most (a campaign's copies say the same thing), earliest on ties."""
    ranked = sorted(
        candidates,
        key=lambda c: (c.similarity is None, -(c.similarity or 0.0), c.order),
    )
    chosen: list[int] = []
    campaigns: set[int] = set()
    for candidate in ranked:
        if candidate.campaign is not None:
            if candidate.campaign in campaigns:
                continue
            campaigns.add(candidate.campaign)
        chosen.append(candidate.pk)
        if len(chosen) == n:
            break
    return chosen


def collapse_campaigns(members: Sequence[tuple[int, int | None]]) -> list[tuple[str, int, list[int]]]:
    """Rows of a members list in which each campaign appears once.

    `members` are (comment id, campaign id or None) in display order. Returns rows
    ("comment", comment id, [comment id]) or ("campaign", campaign id, [its comment ids]),
    a campaign placed where its first member appears.
    """
    rows: list[tuple[str, int, list[int]]] = []
    by_campaign: dict[int, list[int]] = {}
    for comment, campaign in members:
        if campaign is None:
            rows.append(("comment", comment, [comment]))
        elif campaign in by_campaign:
            by_campaign[campaign].append(comment)
        else:
            by_campaign[campaign] = [comment]
            rows.append(("campaign", campaign, by_campaign[campaign]))
    return rows
