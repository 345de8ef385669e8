"""Charts drawn on the server as SVG geometry: pure functions, no ORM, no script.

The public pages' Content-Security-Policy forbids inline style, so shapes carry only geometry and a class;
their colours are in `monitoring/static/monitoring/charts.css`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    css: str
    n: int
    label: str  # the tooltip: series and period


@dataclass(frozen=True)
class Tick:
    x: float
    label: str


def period_starts(first: date, last: date, step: str) -> list[date]:
    """Every bucket start from the bucket of `first` to that of `last`: day, week (Monday) or month."""
    start, end = bucket_of(first, step), bucket_of(last, step)
    starts = []
    current = start
    while current <= end:
        starts.append(current)
        current = next_bucket(current, step)
    return starts


def bucket_of(day: date, step: str) -> date:
    if step == "day":
        return day
    if step == "week":
        return day - timedelta(days=day.weekday())
    return day.replace(day=1)


def next_bucket(start: date, step: str) -> date:
    if step == "day":
        return start + timedelta(days=1)
    if step == "week":
        return start + timedelta(days=7)
    return date(start.year + start.month // 12, start.month % 12 + 1, 1)


def period_label(start: date, step: str) -> str:
    return start.strftime("%Y-%m") if step == "month" else start.strftime("%m-%d")


def stacked_bars(
    periods: list[date],
    series: list[dict],
    *,
    step: str,
    width: float = 400,
    height: float = 140,
    max_ticks: int = 6,
) -> dict:
    """Geometry of a stacked bar chart: one column per period, one segment per series (bottom up).

    `series` rows carry `label`, `css` and `counts` (one per period). Returns the bars, the x-axis ticks,
    the largest column total (the y scale) and the chart's size.
    """
    totals = [sum(row["counts"][i] for row in series) for i in range(len(periods))]
    top = max(totals, default=0)
    slot = width / len(periods) if periods else width
    gap = min(2.0, slot * 0.15)
    bars = []
    for i, start in enumerate(periods):
        base = height
        for row in series:
            n = row["counts"][i]
            if not n:
                continue
            h = height * n / top
            base -= h
            bars.append(
                Bar(
                    x=round(i * slot + gap / 2, 2),
                    y=round(base, 2),
                    width=round(max(slot - gap, 0.5), 2),
                    height=round(h, 2),
                    css=row["css"],
                    n=n,
                    label=f"{row['label']} · {period_label(start, step)}: {n}",
                )
            )
    every = max(1, -(-len(periods) // max_ticks))
    ticks = [
        Tick(x=round(i * slot + slot / 2, 2), label=period_label(start, step))
        for i, start in enumerate(periods)
        if i % every == 0
    ]
    return {"bars": bars, "ticks": ticks, "top": top, "totals": totals, "width": width, "height": height}


def distribution_strip(
    value: float,
    fence: float,
    q1: float | None = None,
    q3: float | None = None,
    *,
    side: str = "lower",
    log: bool = False,
    width: float = 400,
    height: float = 28,
) -> dict:
    """Geometry of a one-line comparison: a value against the middle half (Q1–Q3) and the fence of its population.

    `side` is where the flagged zone lies ("lower": below the fence, "upper": above it). On a logarithmic scale
    values that are not positive are drawn at the left edge. Returns x positions in [0, width] and the label anchors.
    """
    known = [v for v in (value, fence, q1, q3) if v is not None]
    if log:
        positive = [v for v in known if v > 0]
        floor = min(positive) / 2 if positive else 1.0

        def scale(v: float) -> float:
            return math.log(max(v, floor))
    else:

        def scale(v: float) -> float:
            return v

    low, high = min(scale(v) for v in known), max(scale(v) for v in known)
    pad = (high - low) * 0.1 or 1.0
    low, high = low - pad, high + pad

    def x(v: float | None) -> float | None:
        return None if v is None else round((scale(v) - low) / (high - low) * width, 2)

    def anchor(position: float) -> str:
        return "start" if position < width * 0.2 else "end" if position > width * 0.8 else "middle"

    fence_x, value_x = x(fence), x(value)
    zone = (0.0, fence_x) if side == "lower" else (fence_x, float(width))
    return {
        "width": width,
        "height": height,
        "value_x": value_x,
        "value_anchor": anchor(value_x),
        "fence_x": fence_x,
        "fence_anchor": anchor(fence_x),
        "zone_x": zone[0],
        "zone_width": round(zone[1] - zone[0], 2),
        "box_x": x(q1) if q1 is not None and q3 is not None else None,
        "box_width": round(x(q3) - x(q1), 2) if q1 is not None and q3 is not None else None,
        "mid_y": height / 2,
    }
