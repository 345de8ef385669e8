"""Indicators judged against the population of contracting processes, in one streamed pass.

`evaluate_all(releases, settings, compat=...)` reads each release once and keeps only small summaries: per
process, the ratio between the second-lowest valid bid and the winning bid (R024, R058) and the single-release
flags; per organisation, counts (R025 wins and processes, R038 disqualified and submitted bids, R048 item
classification prefixes). The fences are drawn at the end. Nothing else of a release is kept, so memory grows
with the number of processes and organisations, not with the size of the releases.

`CardinalPopulation` is the accumulator behind it: `add(release)` as records arrive, `result()` at any time
(the fences of the population so far; a flag can change as the population grows, as in Cardinal). Each `add`
costs the release's own size; `result()` sorts each indicator's values once (n log n).

`collector_paused()` wraps a batch fold (`evaluate_all`, `python -m monitoring.bench`, a running population read
whole): the summaries kept are trees, but each of Python's full garbage collections walks all of them, which on
flag-heavy files made the fold grow faster than the file (100,000 bid-heavy processes: 1.4 of 4.1 CPU seconds).

Cardinal-compatible mode (`compat=True`) reproduces cardinal-rs 0.0.8: R-8 quartiles, Tukey fences with
k = 1.5 computed with a fused multiply-add, its guards (R024: Q1 > 0 and fence > 0; R038, R058: fence > 0),
its minimum populations (R038 counts submitted bids against `minimum_contracting_processes`), one currency for
the run. The default mode adds: no fence from fewer than `settings.minimum_population` values or from an IQR of
zero; R038's minimum counts processes; ratios compared within each process's own currency.
"""

from __future__ import annotations

import gc
import math
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from monitoring.rules.cardinal.indicators import (
    SINGLE_RELEASE,
    TENDERER_RESULTS,
    WITHOUT_BIDS,
    CurrencyState,
    bid_details,
    compares_prices,
    complete_awards_and_bids,
    included,
    r028_identical_bid_prices,
    r035_all_except_winner_disqualified,
    r036_lowest_bid_disqualified,
    single_supplier_of_only_award,
    submitted_bids,
    valid_priced_bids,
)
from monitoring.rules.cardinal.settings import CardinalSettings
from monitoring.stats import fused_multiply_add, quantile_r8_or_nan

GROUPS = ("OCID", "Buyer", "ProcuringEntity", "Tenderer")


def _clean(value: float | None) -> float | None:
    return None if isinstance(value, float) and math.isnan(value) else value


@dataclass
class CardinalResult:
    """What the indicators found, by the groups Cardinal reports.

    Each group maps an id (ocid, or organisation id) to {indicator code: evidence}; every evidence dict has
    `value` (Cardinal's number for that flag) and what triggered it: the values, the fence or threshold used,
    the population it was compared with.
    """

    by_ocid: dict[str, dict[str, dict]] = field(default_factory=dict)
    by_buyer: dict[str, dict[str, dict]] = field(default_factory=dict)
    by_procuring_entity: dict[str, dict[str, dict]] = field(default_factory=dict)
    by_tenderer: dict[str, dict[str, dict]] = field(default_factory=dict)
    meta: dict[str, dict[str, float | None]] = field(default_factory=dict)
    processes: int = 0
    compat: bool = True

    def group(self, name: str) -> dict[str, dict[str, dict]]:
        return {
            "OCID": self.by_ocid,
            "Buyer": self.by_buyer,
            "ProcuringEntity": self.by_procuring_entity,
            "Tenderer": self.by_tenderer,
        }[name]

    def to_cardinal(self, *, meta: bool = False) -> dict[str, Any]:
        """Cardinal's output shape, `{Group: {id: {Indicator: value}}}` (empty groups left out)."""
        output: dict[str, Any] = {}
        for name in GROUPS:
            entries = self.group(name)
            if entries:
                output[name] = {
                    key: {code: ev["value"] for code, ev in flags.items()} for key, flags in entries.items()
                }
        if meta:
            output["Meta"] = {code: {k: _round(v) for k, v in values.items()} for code, values in self.meta.items()}
        return output


def _round(value: float | None) -> float | None:
    return None if value is None else round(value * 10_000) / 10_000


def _flag(group: dict[str, dict[str, dict]], key: str, code: str, evidence: dict) -> None:
    group.setdefault(key, {})[code] = evidence


class CardinalPopulation:
    """Streaming accumulator of per-process and per-organisation summaries; see the module docstring."""

    def __init__(self, settings: CardinalSettings, *, compat: bool = True) -> None:
        self.settings = settings
        self.compat = compat
        enabled = settings.enabled
        self.single = [(code, fn) for code, fn in SINGLE_RELEASE.items() if code in enabled and code != "R036"]
        self.single_without_bids = [(code, fn) for code, fn in self.single if code in WITHOUT_BIDS]
        # With bids, R028 and R035 get the submitted bids and the final awards computed once per release.
        self.single_with_bids = [(code, fn) for code, fn in self.single if code in WITHOUT_BIDS or code == "R030"]
        self.r028 = "R028" in enabled
        self.r035 = "R035" in enabled
        self.r036 = "R036" in enabled
        self.ratio_needed = "R024" in enabled or "R058" in enabled
        self.r025 = "R025" in enabled
        self.r038 = "R038" in enabled
        self.r048 = "R048" in enabled
        self.currency = CurrencyState(settings.currency)  # Cardinal's one currency for the run
        self.processes = 0
        self.ocid_flags: dict[str, dict[str, dict]] = {}
        self.tenderer_flags: dict[str, dict[str, dict]] = {}
        # ocid → (ratio, winner, lowest other tenderer, winning amount, second-lowest amount, currency)
        self.ratios: dict[str, tuple[float, str, str, float, float, str]] = {}
        self.r025_tenderers: dict[str, list[int]] = {}  # id → [processes won, processes bid validly]
        self.r038_buyers: dict[str, list[int]] = {}  # id → [disqualified bids, submitted bids, processes]
        self.r038_procuring_entities: dict[str, list[int]] = {}
        self.r038_tenderers: dict[str, list[int]] = {}  # id → [disqualified bids, submitted bids]
        self.r048_suppliers: dict[str, tuple[list[int], set[str]]] = {}  # id → ([processes], prefixes)

    # Folding one release -------------------------------------------------------------------------------------

    def add(self, release: dict[str, Any]) -> None:
        if not isinstance(release, dict) or not included(release, self.settings):
            return
        self.processes += 1
        ocid = release["ocid"]
        settings, compat = self.settings, self.compat
        if not bid_details(release):
            # Without bids only R003, R018 and R048 can say anything: skip the rest.
            for code, indicator in self.single_without_bids:
                evidence = indicator(release, settings, compat=compat)
                if evidence is not None:
                    self._single_flag(ocid, code, evidence)
            if self.r048:
                self._fold_r048(release)
            return
        submitted = submitted_bids(release)
        found = complete_awards_and_bids(release)
        only = single_supplier_of_only_award(release, found) if self.ratio_needed or self.r025 else None
        if self.ratio_needed and only is not None:
            self._fold_ratio(release, ocid, only)
        for code, indicator in self.single_with_bids:
            evidence = indicator(release, settings, compat=compat)
            if evidence is not None:
                self._single_flag(ocid, code, evidence)
        if self.r028 and submitted:
            evidence = r028_identical_bid_prices(release, settings, compat=compat, submitted=submitted)
            if evidence is not None:
                self._single_flag(ocid, "R028", evidence)
        if self.r035 and found is not None:
            evidence = r035_all_except_winner_disqualified(release, settings, compat=compat, found=found)
            if evidence is not None:
                self._single_flag(ocid, "R035", evidence)
        if self.r036 and submitted:
            evidence = r036_lowest_bid_disqualified(
                release, settings, compat=compat, currency=self.currency, submitted=submitted
            )
            if evidence is not None:
                self._single_flag(ocid, "R036", evidence)
        if self.r025 and only is not None:
            self._fold_r025(only)
        if self.r038 and submitted:
            self._fold_r038(release, submitted)
        if self.r048:
            self._fold_r048(release)

    def _single_flag(self, ocid: str, code: str, evidence: dict) -> None:
        _flag(self.ocid_flags, ocid, code, evidence)
        for tenderer_id, value in TENDERER_RESULTS.get(code, lambda _: [])(evidence):
            entry = self.tenderer_flags.setdefault(tenderer_id, {}).setdefault(code, {"value": value, "ocids": []})
            entry["ocids"].append(ocid)

    def _fold_ratio(self, release: dict, ocid: str, only: tuple[str, list]) -> None:
        """The percentage difference between the winning bid and the lowest other valid bid."""
        if not compares_prices(release, self.settings):
            return
        supplier_id, details = only
        bids = valid_priced_bids(details)
        if self.compat:
            bids = [bid for bid in bids if self.currency.accepts(bid[2])]
        else:
            wanted = self.settings.currency or next((c for t, _, c in bids if t == supplier_id), None)
            bids = [bid for bid in bids if bid[2] == wanted]
        winner = other = None
        for tenderer_id, amount, currency in bids:
            if tenderer_id == supplier_id:
                if winner is None or amount < winner[1]:  # the winner's lowest bid
                    winner = (tenderer_id, amount, currency)
            elif other is None or amount < other[1]:
                other = (tenderer_id, amount, currency)
        # If the lowest bid did not win, the award criteria are not price only: no ratio.
        if winner is None or other is None or other[1] < winner[1]:
            return
        difference = other[1] - winner[1]
        # A winning bid of 0 gives Cardinal's IEEE results (inf, or NaN for 0/0) rather than an error.
        ratio = difference / winner[1] if winner[1] != 0 else (math.nan if difference == 0 else math.inf)
        self.ratios[ocid] = (ratio, winner[0], other[0], winner[1], other[1], winner[2])

    def _fold_r025(self, only: tuple[str, list]) -> None:
        supplier_id, details = only
        tenderers = set()
        for bid in details:
            if isinstance(bid, dict) and bid.get("status") == "valid":
                ids = bid.get("tenderers")
                if isinstance(ids, list) and len(ids) == 1 and isinstance(ids[0], dict):
                    tenderer_id = ids[0].get("id")
                    if isinstance(tenderer_id, str):
                        tenderers.add(tenderer_id)
        summaries = self.r025_tenderers
        for tenderer_id in tenderers:  # once per process, whatever the number of bids
            counts = summaries.get(tenderer_id)
            if counts is None:
                summaries[tenderer_id] = counts = [0, 0]
            counts[0] += tenderer_id == supplier_id
            counts[1] += 1

    def _fold_r038(self, release: dict, bids: list[dict]) -> None:
        disqualified = 0
        summaries = self.r038_tenderers
        for bid in bids:
            increment = bid["status"] == "disqualified"
            disqualified += increment
            tenderers = bid.get("tenderers")
            if type(tenderers) is not list:
                continue
            for tenderer in tenderers:
                tenderer_id = tenderer.get("id") if type(tenderer) is dict else None
                if type(tenderer_id) is str:
                    counts = summaries.get(tenderer_id)
                    if counts is None:
                        summaries[tenderer_id] = counts = [0, 0]
                    counts[0] += increment
                    counts[1] += 1
        buyer = release.get("buyer")
        if isinstance(buyer, dict) and isinstance(buyer.get("id"), str):
            counts = self.r038_buyers.setdefault(buyer["id"], [0, 0, 0])
            counts[0] += disqualified
            counts[1] += len(bids)
            counts[2] += 1
        tender = release.get("tender")
        entity = tender.get("procuringEntity") if isinstance(tender, dict) else None
        if isinstance(entity, dict) and isinstance(entity.get("id"), str):
            counts = self.r038_procuring_entities.setdefault(entity["id"], [0, 0, 0])
            counts[0] += disqualified
            counts[1] += len(bids)
            counts[2] += 1

    def _fold_r048(self, release: dict) -> None:
        awards = release.get("awards")
        if not isinstance(awards, list):
            return
        digits = self.settings.r048_digits
        observed = set()
        for award in awards:
            if not isinstance(award, dict) or award.get("status") != "active":
                continue
            items, suppliers = award.get("items"), award.get("suppliers")
            if not isinstance(items, list) or not isinstance(suppliers, list) or len(suppliers) != 1:
                continue
            supplier_id = suppliers[0].get("id") if isinstance(suppliers[0], dict) else None
            if not isinstance(supplier_id, str):
                continue
            for item in items:
                classification = item.get("classification") if isinstance(item, dict) else None
                if not isinstance(classification, dict) or not isinstance(classification.get("id"), str):
                    continue
                count, prefixes = self.r048_suppliers.setdefault(supplier_id, ([0], set()))
                if supplier_id not in observed:  # a supplier counts once per process
                    observed.add(supplier_id)
                    count[0] += 1
                prefixes.add(classification["id"][:digits])

    # Drawing the fences --------------------------------------------------------------------------------------

    def _guarded(self, values: list[float], q1: float, q3: float) -> bool:
        """Default mode: a fence drawn from too few values, or from no spread at all, judges nothing."""
        if self.compat:
            return True
        return len(values) >= self.settings.minimum_population and q3 - q1 > 0

    def result(self) -> CardinalResult:
        """Flags over the population folded so far (summaries are not consumed: call again after more `add`)."""
        result = CardinalResult(processes=self.processes, compat=self.compat)
        for ocid, flags in self.ocid_flags.items():
            result.by_ocid[ocid] = dict(flags)
        for tenderer_id, flags in self.tenderer_flags.items():
            result.by_tenderer[tenderer_id] = {code: dict(ev, ocids=list(ev["ocids"])) for code, ev in flags.items()}
        enabled = self.settings.enabled
        if "R024" in enabled:
            self._r024(result)
        if "R058" in enabled:
            self._r058(result)
        if self.r025:
            self._r025(result)
        if self.r038:
            self._r038(result)
        if self.r048:
            self._r048(result)
        return result

    def _ratio_evidence(self, ocid: str) -> dict:
        ratio, winner, other, winning, second, currency = self.ratios[ocid]
        return {
            "value": ratio,
            "ratio": ratio,
            "winner": winner,
            "second_lowest_tenderer": other,
            "winning_amount": winning,
            "second_lowest_amount": second,
            "currency": currency,
        }

    def _tenderer_flag(self, result: CardinalResult, tenderer_id: str, code: str, ocid: str) -> None:
        entry = result.by_tenderer.setdefault(tenderer_id, {}).setdefault(code, {"value": 0.0, "ocids": []})
        entry["ocids"].append(ocid)

    def _r024(self, result: CardinalResult) -> None:
        values = [entry[0] for entry in self.ratios.values()]
        threshold = self.settings.r024_threshold
        if threshold is None:
            q1, q3 = quantile_r8_or_nan(values, 0.25), quantile_r8_or_nan(values, 0.75)
            fence = fused_multiply_add(q3 - q1, -1.5, q1)
            result.meta["R024"] = {"q1": _clean(q1), "q3": _clean(q3), "lower_fence": _clean(fence)}
            basis = {"lower_fence": fence, "q1": q1, "q3": q3, "population": len(values)}
            if not self._guarded(values, q1, q3):
                return
        else:
            fence, q1 = threshold, 1.0
            result.meta["R024"] = {"lower_fence": threshold}
            basis = {"threshold": threshold, "population": len(values)}
        # Ratios are never negative: if Q1 is 0, three processes in four would be flagged. Cardinal skips.
        if not (q1 > 0 and fence > 0):
            return
        for ocid, entry in self.ratios.items():
            if entry[0] <= fence:
                _flag(result.by_ocid, ocid, "R024", {**self._ratio_evidence(ocid), **basis})
                self._tenderer_flag(result, entry[1], "R024", ocid)
                self._tenderer_flag(result, entry[2], "R024", ocid)

    def _r058(self, result: CardinalResult) -> None:
        values = [entry[0] for entry in self.ratios.values()]
        threshold = self.settings.r058_threshold
        if threshold is None:
            q1, q3 = quantile_r8_or_nan(values, 0.25), quantile_r8_or_nan(values, 0.75)
            fence = fused_multiply_add(q3 - q1, 1.5, q3)
            result.meta["R058"] = {"q1": _clean(q1), "q3": _clean(q3), "upper_fence": _clean(fence)}
            basis = {"upper_fence": fence, "q1": q1, "q3": q3, "population": len(values)}
            if not self._guarded(values, q1, q3):
                return
        else:
            fence = threshold
            result.meta["R058"] = {"upper_fence": threshold}
            basis = {"threshold": threshold, "population": len(values)}
        if not fence > 0:
            return
        for ocid, entry in self.ratios.items():
            if entry[0] >= fence:
                _flag(result.by_ocid, ocid, "R058", {**self._ratio_evidence(ocid), **basis})
                self._tenderer_flag(result, entry[1], "R058", ocid)

    def _r025(self, result: CardinalResult) -> None:
        settings = self.settings
        processes = [float(counts[1]) for counts in self.r025_tenderers.values()]
        ratios = {tid: counts[0] / counts[1] for tid, counts in self.r025_tenderers.items()}
        values = list(ratios.values())
        upper = quantile_r8_or_nan(processes, settings.r025_percentile / 100)
        if settings.r025_threshold is None:
            q1, q3 = quantile_r8_or_nan(values, 0.25), quantile_r8_or_nan(values, 0.75)
            lower = fused_multiply_add(q3 - q1, -1.5, q1)
            meta = {"q1": _clean(q1), "q3": _clean(q3)}
            basis = {"lower_fence": lower, "q1": q1, "q3": q3}
            guarded = self._guarded(values, q1, q3)
        else:
            lower, q1, meta, guarded = settings.r025_threshold, 1.0, {}, True
            basis = {"threshold": lower}
        result.meta["R025"] = {**meta, "upper_fence": _clean(upper), "lower_fence": _clean(lower)}
        # Win ratios are never negative: if Q1 is 0, most frequent tenderers would be flagged. Cardinal skips.
        if not guarded or not (q1 > 0 and lower > 0):
            return
        for tenderer_id, counts in self.r025_tenderers.items():
            ratio = ratios[tenderer_id]
            if counts[1] >= upper and ratio <= lower:
                evidence = {
                    "value": ratio,
                    "wins": counts[0],
                    "processes": counts[1],
                    "processes_percentile": settings.r025_percentile,
                    "processes_fence": upper,
                    **basis,
                    "population": len(values),
                }
                _flag(result.by_tenderer, tenderer_id, "R025", evidence)

    def _r038(self, result: CardinalResult) -> None:
        settings = self.settings
        minimum_processes = settings.r038_minimum_contracting_processes
        meta: dict[str, float | None] = {}
        for name, summaries, minimum, at in (
            # Cardinal compares the number of submitted bids with minimum_contracting_processes; the default
            # mode counts processes.
            ("Buyer", self.r038_buyers, minimum_processes, 1 if self.compat else 2),
            ("ProcuringEntity", self.r038_procuring_entities, minimum_processes, 1 if self.compat else 2),
            ("Tenderer", self.r038_tenderers, settings.r038_minimum_submitted_bids, 1),
        ):
            ratios = {key: counts[0] / counts[1] for key, counts in summaries.items() if counts[at] >= minimum}
            if not ratios:
                continue
            values = list(ratios.values())
            if settings.r038_threshold is None:
                q1, q3 = quantile_r8_or_nan(values, 0.25), quantile_r8_or_nan(values, 0.75)
                fence = fused_multiply_add(q3 - q1, 1.5, q3)
                meta.update({f"{name}_q1": q1, f"{name}_q3": q3})
                basis = {"upper_fence": fence, "q1": q1, "q3": q3}
                guarded = self._guarded(values, q1, q3)
            else:
                fence, basis, guarded = settings.r038_threshold, {"threshold": settings.r038_threshold}, True
            meta[f"{name}_upper_fence"] = fence
            # Ratios are never negative: with a fence of 0, every organisation would be flagged. Cardinal skips.
            if not guarded or not fence > 0:
                continue
            group = result.group(name)
            for key, ratio in ratios.items():
                if ratio >= fence:
                    counts = summaries[key]
                    evidence = {"value": ratio, "disqualified_bids": counts[0], "submitted_bids": counts[1]}
                    if len(counts) > 2:
                        evidence["processes"] = counts[2]
                    _flag(group, key, "R038", {**evidence, **basis, "population": len(values)})
        result.meta["R038"] = {key: _clean(value) for key, value in meta.items()}

    def _r048(self, result: CardinalResult) -> None:
        settings = self.settings
        lengths = {
            sid: float(len(prefixes))
            for sid, (count, prefixes) in self.r048_suppliers.items()
            if count[0] >= settings.r048_minimum_contracting_processes
        }
        values = list(lengths.values())
        if settings.r048_threshold is None:
            q1, q3 = quantile_r8_or_nan(values, 0.25), quantile_r8_or_nan(values, 0.75)
            fence = fused_multiply_add(q3 - q1, 1.5, q3)
            result.meta["R048"] = {"q1": _clean(q1), "q3": _clean(q3), "upper_fence": _clean(fence)}
            basis = {"upper_fence": fence, "q1": q1, "q3": q3}
            if not self._guarded(values, q1, q3):
                return
        else:
            fence = float(settings.r048_threshold)
            result.meta["R048"] = {"upper_fence": fence}
            basis = {"threshold": settings.r048_threshold}
        for sid, length in lengths.items():
            if length >= fence:
                count, prefixes = self.r048_suppliers[sid]
                evidence = {
                    "value": length,
                    "prefixes": sorted(prefixes),
                    "digits": settings.r048_digits,
                    "processes": count[0],
                    **basis,
                    "population": len(values),
                }
                _flag(result.by_tenderer, sid, "R048", evidence)


def evaluate_all(releases: Iterable[dict], settings: CardinalSettings, *, compat: bool = True) -> CardinalResult:
    """Every enabled Cardinal indicator over a population of compiled releases, streamed once.

    `releases` may be a generator (e.g. `monitoring.ocds.iter_releases` over a file, or stored records
    read in chunks): only per-process and per-organisation summaries are kept. Call it over all stored
    releases in batch, or over the population so far on arrival; for repeated on-arrival use, keep a
    `CardinalPopulation` and call `add` then `result`.
    """
    population = CardinalPopulation(settings, compat=compat)
    with collector_paused():
        for release in releases:
            population.add(release)
        return population.result()


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off for a batch fold, then as it was before.

    Decoded releases and the summaries kept hold no reference cycles (reference counting frees them); what the
    collector would do is walk every summary kept so far at each full collection. Process-wide: cycles made
    meanwhile by other threads wait for the next collection after the fold.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


__all__ = ["GROUPS", "CardinalPopulation", "CardinalResult", "collector_paused", "evaluate_all"]
