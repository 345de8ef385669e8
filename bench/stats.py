"""The bench's figures: what one scenario at one level recorded, its summary, the targets, the output.

Pure: no Django, no I/O (tests/bench checks it).
"""

from __future__ import annotations

import json
import math
from collections import Counter
from dataclasses import dataclass, field

COMMENTS_PER_SECOND_TARGET = 100.0
P95_TARGET_MS = 1000.0
TARGET_CLIENTS = 50


def percentile(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile: the smallest value with at least q % of the values at or below it."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


@dataclass
class Level:
    """One scenario at one number of concurrent clients."""

    scenario: str
    clients: int
    elapsed: float = 0.0
    submit_latencies: list[float] = field(default_factory=list)  # seconds, the POSTs that submit
    latencies: list[float] = field(default_factory=list)  # seconds, every request
    statuses: Counter = field(default_factory=Counter)  # HTTP status of every answer
    errors: int = 0  # no answer: connection failed or timed out
    accepted: int = 0  # answers that said "stored" (302 to the draft, the filed page with a code, …)
    refused: Counter = field(default_factory=Counter)  # first error message of refused submissions
    # Filled after the level from the database:
    stored: int | None = None
    lost: int | None = None  # accepted answers with no stored row
    unanswered: int | None = None  # stored rows whose client got no accepted answer
    codes_shown: int | None = None  # stored reports whose code the filing client was shown
    codes_opened: int | None = None  # sampled codes that opened their report at /reports/check/
    codes_sampled: int | None = None
    extra: dict = field(default_factory=dict)
    fault: dict = field(default_factory=dict)

    def answer(self, status: int, seconds: float, *, submit: bool) -> None:
        self.statuses[status] += 1
        self.latencies.append(seconds)
        if submit:
            self.submit_latencies.append(seconds)

    def no_answer(self) -> None:
        self.errors += 1

    @property
    def server_errors(self) -> int:
        return sum(count for status, count in self.statuses.items() if status >= 500)

    @property
    def limited(self) -> int:
        return self.statuses.get(429, 0)

    def summary(self) -> dict:
        def ms(value: float | None) -> float | None:
            return None if value is None else round(value * 1000, 1)

        return {
            "scenario": self.scenario,
            "clients": self.clients,
            "seconds": round(self.elapsed, 1),
            "requests": sum(self.statuses.values()) + self.errors,
            "accepted": self.accepted,
            "accepted_per_s": round(self.accepted / self.elapsed, 1) if self.elapsed else 0.0,
            "p50_ms": ms(percentile(self.submit_latencies, 50)),
            "p95_ms": ms(percentile(self.submit_latencies, 95)),
            "max_ms": ms(max(self.submit_latencies) if self.submit_latencies else None),
            "all_p95_ms": ms(percentile(self.latencies, 95)),
            "status_5xx": self.server_errors,
            "status_429": self.limited,
            "status_4xx_other": sum(c for s, c in self.statuses.items() if 400 <= s < 500 and s != 429),
            "no_answer": self.errors,
            "statuses": {str(status): count for status, count in sorted(self.statuses.items())},
            "stored": self.stored,
            "lost": self.lost,
            "stored_without_answer": self.unanswered,
            "codes_shown": self.codes_shown,
            "codes_opened": self.codes_opened,
            "codes_sampled": self.codes_sampled,
            "refused": dict(self.refused.most_common(3)),
            **({"fault": self.fault} if self.fault else {}),
            **self.extra,
        }


def targets(summaries: list[dict], *, server: str) -> dict:
    """The issue's targets, each True/False (None when the run did not measure it)."""
    reports = [s for s in summaries if s["scenario"] == "reports"]
    comments_50 = [s for s in summaries if s["scenario"] == "comments" and s["clients"] == TARGET_CLIENTS]
    result = {
        "zero_5xx": all(s["status_5xx"] == 0 for s in summaries),
        "zero_lost": all((s["lost"] or 0) == 0 for s in summaries),
        "every_stored_report_code_shown": (all(s["codes_shown"] == s["stored"] for s in reports) if reports else None),
        "comments_100_per_s_p95_under_1s_at_50": None,
    }
    if comments_50:
        level = comments_50[0]
        result["comments_100_per_s_p95_under_1s_at_50"] = (
            level["accepted_per_s"] >= COMMENTS_PER_SECOND_TARGET
            and level["p95_ms"] is not None
            and level["p95_ms"] < P95_TARGET_MS
        )
    if server != "production":  # the throughput target is PostgreSQL's
        result["comments_100_per_s_p95_under_1s_at_50"] = None
    return result


COLUMNS = [
    ("scenario", "scenario", "{}"),
    ("clients", "clients", "{}"),
    ("accepted/s", "accepted_per_s", "{:.1f}"),
    ("p50 ms", "p50_ms", "{:.0f}"),
    ("p95 ms", "p95_ms", "{:.0f}"),
    ("5xx", "status_5xx", "{}"),
    ("429", "status_429", "{}"),
    ("no answer", "no_answer", "{}"),
    ("accepted", "accepted", "{}"),
    ("stored", "stored", "{}"),
    ("lost", "lost", "{}"),
    ("codes shown", "codes_shown", "{}"),
]


def table(summaries: list[dict]) -> str:
    """A plain-text table, one row per scenario × level (Markdown-compatible)."""
    rows = [[title for title, _, _ in COLUMNS]]
    for summary in summaries:
        row = []
        for _, key, pattern in COLUMNS:
            value = summary.get(key)
            row.append("–" if value is None else pattern.format(value))
        if summary.get("fault"):
            row[0] += f" ({summary['fault']['service']} down)"
        rows.append(row)
    widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS))]
    lines = [
        "| " + " | ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)) + " |" for row in rows
    ]
    lines.insert(1, "| " + " | ".join("-" * width for width in widths) + " |")
    return "\n".join(lines)


def json_line(result: dict) -> str:
    """The run's last line: one JSON object on one line."""
    return json.dumps(result, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
