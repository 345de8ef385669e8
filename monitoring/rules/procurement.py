"""Procurement indicators over OCDS compiled releases: Cardinal's eleven (cardinal-rs 0.0.8), in a
Cardinal-compatible mode (`compat=True`) and a default mode that guards against Cardinal's weak spots.

The stable entry points (the code lives in `monitoring.rules.cardinal`):

- `evaluate_all(releases, settings, *, compat=True) -> CardinalResult`: every enabled indicator over a
  population, streamed once; results by ocid, buyer, procuring entity and tenderer, each flag with evidence;
- `CardinalPopulation`: the accumulator behind it (`add(release)`, `result()`), for records on arrival;
- `collector_paused()`: Python's cyclic garbage collector off around a batch fold of many releases;
- `evaluate_release(release, settings, *, compat=True)`: the indicators one release decides alone
  (R003, R018, R028, R030, R035, R036);
- `CardinalSettings.from_ini(text)`: Cardinal's settings file.

Cardinal's `prepare` step (codelist maps, defaults, corrections) is `monitoring.rules.prepare`.
"""

from __future__ import annotations

from monitoring.rules.cardinal.indicators import (
    SINGLE_RELEASE,
    evaluate_release,
    r003_short_submission_period,
    r018_single_bid,
    r028_identical_bid_prices,
    r030_late_bid_won,
    r035_all_except_winner_disqualified,
    r036_lowest_bid_disqualified,
)
from monitoring.rules.cardinal.population import (
    GROUPS,
    CardinalPopulation,
    CardinalResult,
    collector_paused,
    evaluate_all,
)
from monitoring.rules.cardinal.settings import ALL_INDICATORS, CardinalSettings

POPULATION = ("R024", "R025", "R038", "R048", "R058")

# Every indicator built, by code: a one-line description (the catalogue is docs/monitoring-rules.md).
INDICATORS = {
    "R003": "short submission period",
    "R018": "single bid",
    "R024": "price close to the winning bid",
    "R025": "excessive unsuccessful bids",
    "R028": "identical bid prices",
    "R030": "late bid won",
    "R035": "all bids except the winner's disqualified",
    "R036": "lowest bid disqualified",
    "R038": "excessive disqualified bids",
    "R048": "heterogeneous supplier",
    "R058": "heavily discounted bid",
}

__all__ = [
    "ALL_INDICATORS",
    "GROUPS",
    "INDICATORS",
    "POPULATION",
    "SINGLE_RELEASE",
    "CardinalPopulation",
    "CardinalResult",
    "CardinalSettings",
    "collector_paused",
    "evaluate_all",
    "evaluate_release",
    "r003_short_submission_period",
    "r018_single_bid",
    "r028_identical_bid_prices",
    "r030_late_bid_won",
    "r035_all_except_winner_disqualified",
    "r036_lowest_bid_disqualified",
]
