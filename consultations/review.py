"""Pure arithmetic behind the legislators' review screens: campaign-aware counts, stance
splits, representatives, time buckets and chart geometry. No ORM here; selectors feed
these functions plain values and the templates draw what they return."""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta


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


def top(values: Iterable[Hashable | None], n: int) -> list[tuple[Hashable, int]]:
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


def day_buckets(days: Iterable[date], *, max_buckets: int = 60) -> list[tuple[date, date, int]]:
    """Counts over time as (first day, last day, count) buckets covering every day from the
    first to the last, empty ones included, each bucket as many days as needed to keep at
    most `max_buckets` buckets (1 day, else 7, else whole multiples of 7)."""
    counts = Counter(days)
    if not counts:
        return []
    first, last = min(counts), max(counts)
    span = (last - first).days + 1
    width = 1 if span <= max_buckets else 7 * -(-span // (7 * max_buckets))
    buckets = []
    start = first
    while start <= last:
        end = min(start + timedelta(days=width - 1), last)
        total = sum(counts.get(start + timedelta(days=i), 0) for i in range((end - start).days + 1))
        buckets.append((start, end, total))
        start = end + timedelta(days=1)
    return buckets


# --- chart geometry (server-rendered SVG; the numbers are also printed as text) ----------


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    x: float
    y: float
    width: float
    height: float
    key: str = ""

    @property
    def baseline(self) -> float:
        """Where text beside the bar sits."""
        return self.y + self.height * 0.8

    @property
    def end(self) -> float:
        return self.x + self.width


def horizontal_bars(
    items: Sequence[tuple[str, int]], *, width: float = 400.0, bar_height: float = 16.0, gap: float = 6.0
) -> tuple[list[Bar], float]:
    """One bar per (label, value), widths proportional to the largest value. Returns the bars
    and the chart's height."""
    largest = max((value for _label, value in items), default=0)
    bars = []
    for index, (label, value) in enumerate(items):
        length = width * value / largest if largest else 0.0
        bars.append(Bar(label=label, value=value, x=0.0, y=index * (bar_height + gap), width=length, height=bar_height))
    height = len(items) * (bar_height + gap) - gap if items else 0.0
    return bars, max(height, 0.0)


def stacked_bar(items: Sequence[tuple[str, str, int]], *, width: float = 400.0, height: float = 16.0) -> list[Bar]:
    """Segments of one bar, (key, label, value) each, side by side in proportion to the total."""
    total = sum(value for _key, _label, value in items)
    bars = []
    x = 0.0
    for key, label, value in items:
        length = width * value / total if total else 0.0
        bars.append(Bar(label=label, value=value, x=x, y=0.0, width=length, height=height, key=key))
        x += length
    return bars


def columns(
    values: Sequence[tuple[str, int]], *, width: float = 600.0, height: float = 120.0, gap: float = 1.0
) -> list[Bar]:
    """Vertical columns across `width`, heights proportional to the largest value, for counts over time."""
    if not values:
        return []
    largest = max(value for _label, value in values) or 1
    step = width / len(values)
    bars = []
    for index, (label, value) in enumerate(values):
        column = height * value / largest
        bars.append(
            Bar(
                label=label,
                value=value,
                x=index * step,
                y=height - column,
                width=max(step - gap, 0.5),
                height=column,
            )
        )
    return bars
