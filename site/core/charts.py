"""Charts drawn on the server as SVG: the one chart module every app uses. Pure: no ORM, no request, no script.

Each builder returns a `Chart`: the SVG markup (safe to print in a template as `{{ chart }}`), a text alternative
(the same numbers in words, for a caption, a table or a screen reader) and the geometry it drew (for tests).
Shapes carry geometry and a class only: the site's Content-Security-Policy forbids inline style, so their colours
are in the apps' stylesheets (`consultations/review.css`, `monitoring/charts.css`, `monitoring/evidence.css`).

- `horizontal_bars`: one labelled bar per item, lengths in proportion (theme sizes, comments per article);
- `stacked_bar`: one bar split in proportion (a stance split);
- `columns`: a time series, one column per period (comments over time);
- `stacked_columns`: a time series by series, stacked (alerts by domain, rule, severity or unit);
- `distribution_strip`: one value against the middle half (Q1–Q3, the box) and the fence of its population.

The periods of a time series: `period_starts` (calendar days, weeks or months) and `day_buckets` (days, widened to
whole weeks over long windows).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Mark:
    """One drawn rectangle: where it is, the value it stands for, and what it is (`label`; its tooltip says both)."""

    x: float
    y: float
    width: float
    height: float
    value: int
    label: str
    key: str = ""
    css: str = ""

    @property
    def baseline(self) -> float:
        """Where text beside the mark sits."""
        return self.y + self.height * 0.8

    @property
    def end(self) -> float:
        return self.x + self.width


@dataclass(frozen=True)
class Tick:
    """A label on the horizontal axis, centred on its period."""

    x: float
    label: str


@dataclass(frozen=True)
class Chart:
    """A drawn chart: `svg` to print, `text` (its text alternative) and what it drew."""

    svg: SafeString
    text: str
    width: float
    height: float
    marks: tuple[Mark, ...] = ()
    ticks: tuple[Tick, ...] = ()
    top: int = 0  # the largest value or column total: the scale
    totals: tuple[int, ...] = ()  # stacked columns: each column's total
    geometry: Mapping[str, float | str | None] = field(default_factory=dict)  # named positions (a strip)

    def __html__(self) -> SafeString:
        return self.svg

    def __str__(self) -> str:
        return self.svg


# --- formatting ----------------------------------------------------------------------------------


def _n(value: float) -> str:
    """A coordinate: at most two decimals, no trailing zeros ("12", "12.5", "0.33")."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _attrs(**attributes: object) -> str:
    """SVG attributes in the given order; `css` is written `class`, `aria_label` `aria-label` and so on; None
    values are left out; numbers are formatted as coordinates, text escaped."""
    parts = []
    for name, value in attributes.items():
        if value is None or value == "":
            continue
        name = "class" if name == "css" else name.replace("_", "-")
        shown = _n(value) if isinstance(value, float | int) and not isinstance(value, bool) else escape(value)
        parts.append(f'{name}="{shown}"')
    return " ".join(parts)


def _svg(
    body: Iterable[str],
    *,
    css: str,
    width: float,
    height: float,
    view: tuple[float, ...],
    name: str,
    labelledby: str,
    sized: bool,
) -> SafeString:
    """The <svg> element around `body`: its accessible name is `name` (aria-label) or the element `labelledby`."""
    size = {"width": width, "height": height} if sized else {}
    opening = _attrs(
        css=css,
        **size,
        viewBox=" ".join(_n(v) for v in view),
        role="img",
        aria_labelledby=labelledby or None,
        aria_label=None if labelledby else (name or None),
    )
    return mark_safe(f"<svg {opening}>" + "".join(body) + "</svg>")  # noqa: S308 - every value is escaped above


def _title(label: str, value: int) -> str:
    return f"<title>{escape(label)}: {value}</title>"


def listing(rows: Iterable[tuple[str, int]]) -> str:
    """A text alternative of labelled values, in the active language: "甲：10；乙：5"."""
    separator = _("; ")
    return separator.join(_("%(label)s: %(value)s") % {"label": label, "value": value} for label, value in rows)


# --- bars ----------------------------------------------------------------------------------------


def horizontal_bars(
    items: Sequence[tuple[str, int]],
    *,
    width: float = 360.0,
    bar_height: float = 16.0,
    gap: float = 6.0,
    label_width: float = 160.0,
    label_chars: int = 12,
    css: str = "chart hbars",
    labelledby: str = "",
    name: str = "",
) -> Chart:
    """One bar per (label, value), lengths in proportion to the largest value (`width` for the largest).

    Each label is printed left of its bar (shortened to `label_chars`, whole in the tooltip), each value right of it.
    """
    largest = max((value for _label, value in items), default=0)
    marks = tuple(
        Mark(
            x=0.0,
            y=index * (bar_height + gap),
            width=width * value / largest if largest else 0.0,
            height=bar_height,
            value=value,
            label=str(label),
        )
        for index, (label, value) in enumerate(items)
    )
    height = max(len(items) * (bar_height + gap) - gap, 0.0) if items else 0.0
    total_width = label_width + width + 40
    body = []
    for mark in marks:
        short = Truncator(mark.label).chars(label_chars)
        body.append(
            f'<text class="label" {_attrs(x=label_width - 10, y=mark.baseline)} text-anchor="end">{escape(short)}</text>'
            f'<g transform="translate({_n(label_width)} 0)">'
            f"<rect {_attrs(x=mark.x, y=mark.y, width=mark.width, height=mark.height)}>"
            f"{_title(mark.label, mark.value)}</rect>"
            f'<text class="value" {_attrs(x=mark.end + 4, y=mark.baseline)}>{mark.value}</text></g>'
        )
    svg = _svg(
        body,
        css=css,
        width=total_width,
        height=round(height),
        view=(0, 0, total_width, round(height)),
        name=name,
        labelledby=labelledby,
        sized=True,
    )
    return Chart(
        svg=svg,
        text=listing((m.label, m.value) for m in marks),
        width=total_width,
        height=height,
        marks=marks,
        top=largest,
    )


def stacked_bar(
    items: Sequence[tuple[str, str, int]],
    *,
    width: float = 240.0,
    height: float = 16.0,
    css: str = "chart",
    css_prefix: str = "",
    name: str = "",
    labelledby: str = "",
) -> Chart:
    """One bar split into segments, (key, label, value) each, side by side in proportion to the total.

    A segment's class is `css_prefix` + its key (the stylesheet gives each key its colour); empty ones are not drawn.
    """
    total = sum(value for _key, _label, value in items)
    marks = []
    x = 0.0
    for key, label, value in items:
        length = width * value / total if total else 0.0
        marks.append(
            Mark(x=x, y=0.0, width=length, height=height, value=value, label=str(label), key=key, css=css_prefix + key)
        )
        x += length
    body = [
        f"<rect {_attrs(css=m.css, x=m.x, y=m.y, width=m.width, height=m.height)}>{_title(m.label, m.value)}</rect>"
        for m in marks
        if m.value
    ]
    svg = _svg(
        body,
        css=css,
        width=width,
        height=height,
        view=(0, 0, width, height),
        name=name,
        labelledby=labelledby,
        sized=True,
    )
    return Chart(
        svg=svg,
        text=listing((m.label, m.value) for m in marks),
        width=width,
        height=height,
        marks=tuple(marks),
        top=total,
    )


# --- time series ---------------------------------------------------------------------------------


def columns(
    items: Sequence[tuple[str, int]],
    *,
    width: float = 600.0,
    height: float = 120.0,
    gap: float = 1.0,
    start: str = "",
    end: str = "",
    css: str = "chart timeline",
    labelledby: str = "",
    name: str = "",
) -> Chart:
    """Vertical columns across `width`, one per (period, count), heights in proportion to the largest.

    The largest count is printed above the columns; `start` and `end` (the first and last period) under them.
    """
    largest = max((value for _label, value in items), default=0)
    step = width / len(items) if items else width
    marks = tuple(
        Mark(
            x=index * step,
            y=height - height * value / (largest or 1),
            width=max(step - gap, 0.5),
            height=height * value / (largest or 1),
            value=value,
            label=str(label),
        )
        for index, (label, value) in enumerate(items)
    )
    top_margin, bottom_margin = 16.0, 20.0
    full = height + top_margin + bottom_margin
    bars = "".join(
        f"<rect {_attrs(x=m.x, y=m.y, width=m.width, height=m.height)}>{_title(m.label, m.value)}</rect>" for m in marks
    )
    body = [
        f'<g transform="translate(0 {_n(top_margin)})">{bars}</g>',
        f'<text class="axis" {_attrs(x=0, y=full - 4)}>{escape(start)}</text>',
        f'<text class="axis" {_attrs(x=width, y=full - 4)} text-anchor="end">{escape(end)}</text>',
        f'<text class="axis" {_attrs(x=4, y=top_margin - 4)}>{largest}</text>',
    ]
    svg = _svg(
        body, css=css, width=width, height=full, view=(0, 0, width, full), name=name, labelledby=labelledby, sized=True
    )
    return Chart(
        svg=svg, text=listing((m.label, m.value) for m in marks), width=width, height=height, marks=marks, top=largest
    )


def stacked_columns(
    periods: Sequence[date],
    series: Sequence[Mapping],
    *,
    step: str,
    width: float = 400.0,
    height: float = 140.0,
    max_ticks: int = 6,
    css: str = "chart-svg",
    name: str = "",
    labelledby: str = "",
) -> Chart:
    """Counts over time by series: one column per period, one segment per series (bottom up), an axis and at most
    `max_ticks` period labels under it, the largest column total above.

    `series` rows carry `label`, `css` (the segment's class) and `counts` (one per period); `step` is the periods'
    length ("day", "week" or "month", see `period_starts`).
    """
    totals = tuple(sum(row["counts"][i] for row in series) for i in range(len(periods)))
    top = max(totals, default=0)
    slot = width / len(periods) if periods else width
    gap = min(2.0, slot * 0.15)
    marks = []
    for i, start in enumerate(periods):
        base = height
        for row in series:
            n = row["counts"][i]
            if not n:
                continue
            h = height * n / top
            base -= h
            marks.append(
                Mark(
                    x=round(i * slot + gap / 2, 2),
                    y=round(base, 2),
                    width=round(max(slot - gap, 0.5), 2),
                    height=round(h, 2),
                    value=n,
                    label=f"{row['label']} · {period_label(start, step)}",
                    css=row["css"],
                )
            )
    every = max(1, -(-len(periods) // max_ticks))
    ticks = tuple(
        Tick(x=round(i * slot + slot / 2, 2), label=period_label(start, step))
        for i, start in enumerate(periods)
        if i % every == 0
    )
    body = [
        f"<text {_attrs(x=0, y=-4)}>{top}</text>",
        f'<line class="axis" {_attrs(x1=0, y1=height, x2=width, y2=height)}></line>',
        *(
            f'<rect {_attrs(css=m.css, x=m.x, y=m.y, width=m.width, height=m.height)} data-n="{m.value}">'
            f"{_title(m.label, m.value)}</rect>"
            for m in marks
        ),
        *(f'<text class="tick" {_attrs(x=t.x, y=height + 14)}>{escape(t.label)}</text>' for t in ticks),
    ]
    svg = _svg(
        body,
        css=css,
        width=width,
        height=height,
        view=(-4, -16, width + 8, height + 34),
        name=name,
        labelledby=labelledby,
        sized=False,
    )
    text = listing((period_label(start, step), total) for start, total in zip(periods, totals, strict=True))
    return Chart(
        svg=svg, text=text, width=width, height=height, marks=tuple(marks), ticks=ticks, top=top, totals=totals
    )


def period_starts(first: date, last: date, step: str) -> list[date]:
    """Every period's first day from the period of `first` to that of `last`: "day", "week" (from Monday) or
    "month"."""
    start, end = bucket_of(first, step), bucket_of(last, step)
    starts = []
    current = start
    while current <= end:
        starts.append(current)
        current = next_bucket(current, step)
    return starts


def bucket_of(day: date, step: str) -> date:
    """The first day of the period `day` falls in."""
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


def day_buckets(days: Iterable[date], *, max_buckets: int = 60) -> list[tuple[date, date, int]]:
    """Counts over time as (first day, last day, count) buckets covering every day from the first to the last,
    empty ones included, each bucket as many days as needed to keep at most `max_buckets` buckets (1 day, else 7,
    else whole multiples of 7)."""
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


def span_label(first: date, last: date) -> str:
    """A bucket as dates: "2024-01-01", or "2024-01-01 – 2024-01-07" when it spans several days."""
    return f"{first:%Y-%m-%d}" if first == last else f"{first:%Y-%m-%d} – {last:%Y-%m-%d}"


# --- distribution --------------------------------------------------------------------------------


def distribution_strip(
    value: float,
    fence: float,
    q1: float | None = None,
    q3: float | None = None,
    *,
    side: str = "lower",
    log: bool = False,
    caption: str = "",
    labels: Mapping[str, str] | None = None,
    width: float = 400.0,
    height: float = 28.0,
    css: str = "distribution-svg",
    labelledby: str = "",
) -> Chart:
    """A one-line comparison: a value (a dot) against the middle half of its population (Q1–Q3, the box) and the
    fence (a dashed line), with the flagged zone shaded.

    `side` is where the flagged zone lies ("lower": below the fence, "upper": above it). On a logarithmic scale
    values that are not positive are drawn at the left edge. `labels` holds the value, fence, q1 and q3 as they are
    written (with their units); `caption` says what is compared. The geometry holds the x positions in [0, width].
    """
    labels = labels or {}
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

    def x(v: float) -> float:
        return round((scale(v) - low) / (high - low) * width, 2)

    def anchor(position: float) -> str:
        return "start" if position < width * 0.2 else "end" if position > width * 0.8 else "middle"

    fence_x, value_x = x(fence), x(value)
    zone = (0.0, fence_x) if side == "lower" else (fence_x, float(width))
    box = (x(q1), round(x(q3) - x(q1), 2)) if q1 is not None and q3 is not None else (None, None)
    mid = height / 2
    geometry = {
        "value_x": value_x,
        "value_anchor": anchor(value_x),
        "fence_x": fence_x,
        "fence_anchor": anchor(fence_x),
        "zone_x": zone[0],
        "zone_width": round(zone[1] - zone[0], 2),
        "box_x": box[0],
        "box_width": box[1],
        "mid_y": mid,
        "width": width,
    }
    body = [
        f"<title>{escape(caption)}</title>" if caption else "",
        f"<rect {_attrs(css='zone', x=zone[0], y=0, width=geometry['zone_width'], height=height)}></rect>",
        f"<line {_attrs(css='axis', x1=0, y1=mid, x2=width, y2=mid)}></line>",
        (
            f"<rect {_attrs(css='iqr', x=box[0], y=6, width=box[1], height=height - 12)}></rect>"
            if box[0] is not None
            else ""
        ),
        f"<line {_attrs(css='fence', x1=fence_x, y1=-4, x2=fence_x, y2=height + 4)}></line>",
        f"<text {_attrs(css='fence-label', x=fence_x, y=-10, text_anchor=anchor(fence_x))}>"
        f"{escape(_('limit'))} {escape(labels.get('fence', ''))}</text>",
        f"<circle {_attrs(css='value', cx=value_x, cy=mid, r=6)}></circle>",
        f"<text {_attrs(css='value-label', x=value_x, y=height + 20, text_anchor=anchor(value_x))}>"
        f"{escape(_('this record'))} {escape(labels.get('value', ''))}</text>",
    ]
    svg = _svg(
        body,
        css=css,
        width=width,
        height=height,
        view=(-8, -26, width + 16, height + 56),
        name=caption,
        labelledby=labelledby,
        sized=False,
    )
    return Chart(svg=svg, text=strip_text(caption, labels, side), width=width, height=height, geometry=geometry)


def strip_text(caption: str, labels: Mapping[str, str], side: str) -> str:
    """A distribution strip's text alternative: what it shows, in one sentence."""
    words = {"caption": caption, "value": labels.get("value", ""), "fence": labels.get("fence", "")}
    if labels.get("q1") and labels.get("q3"):
        words |= {"q1": labels["q1"], "q3": labels["q3"]}
        if side == "lower":
            return (
                _("%(caption)s: this record %(value)s; middle half %(q1)s to %(q3)s; flagged below %(fence)s.") % words
            )
        return _("%(caption)s: this record %(value)s; middle half %(q1)s to %(q3)s; flagged above %(fence)s.") % words
    if side == "lower":
        return _("%(caption)s: this record %(value)s; flagged below %(fence)s.") % words
    return _("%(caption)s: this record %(value)s; flagged above %(fence)s.") % words
