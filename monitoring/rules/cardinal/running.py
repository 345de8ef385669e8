"""A running Cardinal population: processes added, replaced and removed one at a time. Pure.

`CardinalPopulation` folds releases into summaries and cannot take one back. Records that arrive one by one
are also sent again, changed: the running population keeps each process's own contribution (its flags, its
bid ratio, its counts per organisation, its classification prefixes per supplier), so that `add` of an ocid
already in it first takes the old contribution out, and `remove` takes it out alone. `result()` is then the
result of `evaluate_all` over the processes it holds, whatever order they came in (up to the order of lists
in the evidence), at the cost of the fences only: no release is read again. A change costs the size of the
process's own contribution: taking a process out never walks an organisation's other processes.

`undo()` restores the state before the last `add` or `remove` (the ORM adapter uses it when the record's
transaction is rolled back). In Cardinal-compatible mode the currency of the run is the first one seen, and a
removal does not forget it, as Cardinal would not.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from monitoring.rules.cardinal.population import CardinalPopulation
from monitoring.rules.cardinal.settings import CardinalSettings


@dataclass
class Contribution:
    """What one process adds to the population's summaries."""

    included: bool = False
    flags: dict[str, dict] | None = None
    tenderer_flags: dict[str, dict[str, dict]] = field(default_factory=dict)
    ratio: tuple | None = None
    r025: dict[str, list[int]] = field(default_factory=dict)
    r038_buyers: dict[str, list[int]] = field(default_factory=dict)
    r038_procuring_entities: dict[str, list[int]] = field(default_factory=dict)
    r038_tenderers: dict[str, list[int]] = field(default_factory=dict)
    r048: dict[str, tuple[int, frozenset[str]]] = field(default_factory=dict)


def _add_counts(totals: dict[str, list[int]], part: dict[str, list[int]], sign: int) -> None:
    for key, counts in part.items():
        total = totals.get(key)
        if total is None:
            totals[key] = total = [0] * len(counts)
        for i, value in enumerate(counts):
            total[i] += sign * value
        if total[-1 if len(total) == 3 else 1] <= 0:  # no process (or no bid) left: not in the population
            del totals[key]


class RunningCardinalPopulation(CardinalPopulation):
    """`CardinalPopulation` with `add` as an upsert by ocid, `remove` and `undo`; see the module docstring."""

    def __init__(self, settings: CardinalSettings, *, compat: bool = False) -> None:
        super().__init__(settings, compat=compat)
        self.contributions: dict[str, Contribution] = {}
        self._prefixes: dict[str, dict[str, int]] = {}  # supplier → classification prefix → processes
        self._undo: list[tuple[str, Contribution | None]] = []

    def __contains__(self, ocid: str) -> bool:
        return ocid in self.contributions

    def __len__(self) -> int:
        return len(self.contributions)

    def add(self, release: dict[str, Any]) -> None:
        """Add a process, or replace the one of the same ocid. A release without an ocid is ignored."""
        ocid = release.get("ocid") if isinstance(release, dict) else None
        if not isinstance(ocid, str):
            return
        contribution = self._contribution(release, ocid)
        previous = self.contributions.get(ocid)
        if previous is not None:
            self._apply(ocid, previous, -1)
        self._apply(ocid, contribution, +1)
        self.contributions[ocid] = contribution
        self._undo.append((ocid, previous))

    def remove(self, ocid: str) -> None:
        previous = self.contributions.pop(ocid, None)
        if previous is not None:
            self._apply(ocid, previous, -1)
        self._undo.append((ocid, previous))

    def undo(self) -> None:
        """Back to the state before the last `add` or `remove` not yet undone or forgotten."""
        ocid, previous = self._undo.pop()
        current = self.contributions.pop(ocid, None)
        if current is not None:
            self._apply(ocid, current, -1)
        if previous is not None:
            self._apply(ocid, previous, +1)
            self.contributions[ocid] = previous

    def changes(self) -> int:
        """How many changes `undo` can take back."""
        return len(self._undo)

    def forget_undo(self) -> None:
        """The changes so far are kept for good (their transaction committed)."""
        self._undo.clear()

    # --- contributions -------------------------------------------------------------------------------------

    def _contribution(self, release: dict[str, Any], ocid: str) -> Contribution:
        scratch = CardinalPopulation(self.settings, compat=self.compat)
        scratch.currency = self.currency  # compatible mode: one currency for the run, the first seen
        scratch.add(release)
        return Contribution(
            included=scratch.processes == 1,
            flags=scratch.ocid_flags.get(ocid),
            tenderer_flags=scratch.tenderer_flags,
            ratio=scratch.ratios.get(ocid),
            r025=scratch.r025_tenderers,
            r038_buyers=scratch.r038_buyers,
            r038_procuring_entities=scratch.r038_procuring_entities,
            r038_tenderers=scratch.r038_tenderers,
            r048={sid: (count[0], frozenset(prefixes)) for sid, (count, prefixes) in scratch.r048_suppliers.items()},
        )

    def _apply(self, ocid: str, part: Contribution, sign: int) -> None:
        self.processes += sign * part.included
        if part.flags:
            if sign > 0:
                self.ocid_flags[ocid] = part.flags
            else:
                self.ocid_flags.pop(ocid, None)
        # A tenderer's flagged ocids are a dict (ordered, like the batch's list): taking one out is O(1), not a
        # scan of every process that flagged the tenderer (which made re-sending records quadratic).
        for tenderer_id, codes in part.tenderer_flags.items():
            flags = self.tenderer_flags.get(tenderer_id)
            if flags is None:
                if sign < 0:
                    continue
                flags = self.tenderer_flags[tenderer_id] = {}
            for code, entry in codes.items():
                total = flags.get(code)
                if sign > 0:
                    if total is None:
                        flags[code] = total = {"value": entry["value"], "ocids": {}}
                    total["ocids"][ocid] = None
                elif total is not None:
                    total["ocids"].pop(ocid, None)
                    if not total["ocids"]:
                        del flags[code]
            if not flags:
                del self.tenderer_flags[tenderer_id]
        if part.ratio is not None:
            if sign > 0:
                self.ratios[ocid] = part.ratio
            else:
                self.ratios.pop(ocid, None)
        _add_counts(self.r025_tenderers, part.r025, sign)
        _add_counts(self.r038_buyers, part.r038_buyers, sign)
        _add_counts(self.r038_procuring_entities, part.r038_procuring_entities, sign)
        _add_counts(self.r038_tenderers, part.r038_tenderers, sign)
        # The supplier's prefix set is kept in step with the counts of this process's prefixes only, not rebuilt
        # from all of the supplier's prefixes on every change.
        for supplier, (processes, prefixes) in part.r048.items():
            summary = self.r048_suppliers.get(supplier)
            if summary is None:
                if sign < 0:
                    continue
                summary = self.r048_suppliers[supplier] = ([0], set())
                self._prefixes[supplier] = {}
            count, present = summary
            counter = self._prefixes[supplier]
            count[0] += sign * processes
            if count[0] <= 0:
                del self.r048_suppliers[supplier], self._prefixes[supplier]
                continue
            for prefix in prefixes:
                n = counter.get(prefix, 0) + sign
                if n > 0:
                    counter[prefix] = n
                    present.add(prefix)
                else:
                    counter.pop(prefix, None)
                    present.discard(prefix)
