"""The indicator benchmark as a whole process, without Django: read, prepare, Cardinal's eleven indicators.

    python -m monitoring.bench --ocds FILE.jsonl [--settings INI] [--cardinal OUTPUT.json] [--compat]
                               [--repeat 1] [--replicate K]
    python -m monitoring.bench --derive N --from FILE.jsonl --out DERIVED.jsonl

This is the job Cardinal's `ocdscardinal prepare` + `ocdscardinal indicators` do, and the way to compare the two
as whole processes (start-up included): it imports only the pure indicator code (`monitoring.rules.cardinal`,
`monitoring.rules.prepare`, `monitoring.ocds`), never Django. `manage.py monitoring_bench --ocds …` runs the same
code after Django's start-up, and adds `--latency`. The last line printed is one JSON object with every figure;
`process_s` is the whole process's wall time from its start (Linux: /proc) to the end of the last pass.

`--derive N` writes N processes made from a file's real releases, cycling through them with each copy's ocid
suffixed `#k` (the file's own order, so a derived file keeps the real sample's shape at any size).
"""

from __future__ import annotations

import argparse
import configparser
import json
import math
import os
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from monitoring.ocds import ReadReport, iter_cardinal_releases
from monitoring.rules.prepare import PrepareSettings, prepare_release
from monitoring.rules.procurement import (
    GROUPS,
    INDICATORS,
    CardinalPopulation,
    CardinalResult,
    CardinalSettings,
    collector_paused,
)

CARDINAL_INDICATORS = ["R003", "R018", "R024", "R025", "R028", "R030", "R035", "R036", "R038", "R048", "R058"]


class BenchError(ValueError):
    """A file or setting the benchmark cannot use; the message names it."""


def _stderr(text: str) -> None:
    print(text, file=sys.stderr)


def process_seconds() -> float | None:
    """Wall time since this process started (Linux /proc), or None where it cannot be read."""
    try:
        start_ticks = int(Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()[19])
        uptime = float(Path("/proc/uptime").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None
    return round(uptime - start_ticks / os.sysconf("SC_CLK_TCK"), 2)


def run_pass(
    path: Path, settings: CardinalSettings, prepare: PrepareSettings | None, *, compat: bool, replicate: int = 1
):
    """One pass over the file: read, prepare, evaluate. Returns the result, the read report, warnings counted.

    With `replicate` K > 1 the file is read K times, copy k's ocids suffixed `#k`: K times the processes.
    """
    report = ReadReport()
    population = CardinalPopulation(settings, compat=compat)
    warnings = 0
    with collector_paused():
        for copy in range(replicate):
            with path.open("rb") as handle:
                for release in iter_cardinal_releases(handle, report):
                    if copy:
                        release["ocid"] = f"{release['ocid']}#{copy}"
                    if prepare is not None:
                        release, found = prepare_release(release, prepare)
                        warnings += len(found)
                    population.add(release)
        return population.result(), report, warnings


def agreement(ours: CardinalResult, theirs: dict) -> dict[str, dict[str, int]]:
    """Per indicator, over all groups: flags in both with the same value, only theirs, only ours, other value."""
    figures = {code: {"matched": 0, "missed": 0, "extra": 0, "different": 0} for code in CARDINAL_INDICATORS}
    mine = ours.to_cardinal()
    for group in GROUPS:
        a, b = mine.get(group, {}), theirs.get(group, {})
        for key in set(a) | set(b):
            for code in set(a.get(key, {})) | set(b.get(key, {})):
                if code not in figures:
                    continue
                x, y = a.get(key, {}).get(code), b.get(key, {}).get(code)
                if x is None:
                    figures[code]["missed"] += 1
                elif y is None:
                    figures[code]["extra"] += 1
                elif math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-9):
                    figures[code]["matched"] += 1
                else:
                    figures[code]["different"] += 1
    return figures


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100)."""
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def bench_indicators(
    path: Path,
    ini: str | None,
    cardinal: str | None,
    *,
    compat: bool,
    repeat: int,
    replicate: int = 1,
    out: Callable[[str], Any] = print,
    err: Callable[[str], Any] = _stderr,
) -> dict:
    """Time `repeat` passes over the file (read, prepare, the eleven indicators); the figures as a dict."""
    if not path.exists():
        raise BenchError(f"{path}: no such file")
    if ini and not Path(ini).exists():
        raise BenchError(f"{ini}: no such file")
    text = Path(ini).read_text(encoding="utf-8") if ini else ""
    try:
        settings = CardinalSettings.from_ini(text) if ini else CardinalSettings()
        prepare = PrepareSettings.from_ini(text) if ini else None
    except (ValueError, configparser.Error) as error:
        raise BenchError(f"{ini}: {error}") from error
    timings, cpu_timings = [], []
    for run in range(repeat):
        started, cpu_started = time.perf_counter(), time.process_time()
        outcome, report, warnings = run_pass(path, settings, prepare, compat=compat, replicate=replicate)
        timings.append(time.perf_counter() - started)
        cpu_timings.append(time.process_time() - cpu_started)
        out(
            f"  pass {run + 1}/{repeat}: {report.releases} processes in {timings[-1] * 1000:.1f} ms "
            f"({cpu_timings[-1] * 1000:.1f} ms of CPU)"
        )
    median = sorted(timings)[len(timings) // 2]
    cpu_median = sorted(cpu_timings)[len(cpu_timings) // 2]
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    for problem in report.problems:
        err(f"{path}: {problem}")
    figures = {
        "processes": report.releases,
        "processes_per_s": round(report.releases / median) if median else None,
        # CPU time of this (single-threaded) process: the figure on one core when the machine is shared.
        "processes_per_cpu_s": round(report.releases / cpu_median) if cpu_median else None,
        "median_pass_ms": round(median * 1000, 1),
        # The pass's CPU time: on a shared machine the wall time above also counts the waits for a core.
        "median_pass_cpu_ms": round(cpu_median * 1000, 1),
        "peak_mb": round(peak_mb, 1),
        "compat": compat,
        "replicated": replicate,
        "prepared": prepare is not None,
        "prepare_warnings": warnings,
        "implemented": sorted(INDICATORS),
        "not_implemented": [code for code in CARDINAL_INDICATORS if code not in INDICATORS],
        "skipped_lines": len(report.problems),
        "flags": {group: len(outcome.group(group)) for group in GROUPS},
    }
    if cardinal:
        theirs = json.loads(Path(cardinal).read_text(encoding="utf-8"))
        figures["agreement"] = agreement(outcome, theirs)
        for code, counts in figures["agreement"].items():
            out(f"  {code}: {counts}")
    out(
        f"{figures['processes']} processes, median {median * 1000:.1f} ms a pass, "
        f"{figures['processes_per_s']} processes/s ({figures['processes_per_cpu_s']} per CPU second), "
        f"peak {figures['peak_mb']} MB"
    )
    return figures


def derive(source: Path, count: int, out: Path) -> int:
    """Write `count` processes cycling through the releases of `source`, copy k's ocids suffixed `#k`."""
    lines = [line for line in source.read_bytes().splitlines() if line.strip()]
    if not lines:
        raise BenchError(f"{source}: no release")
    written = 0
    with out.open("wb") as handle:
        while written < count:
            copy, index = divmod(written, len(lines))
            release = json.loads(lines[index])
            if copy:
                release["ocid"] = f"{release['ocid']}#{copy}"
            handle.write(json.dumps(release, ensure_ascii=False, separators=(",", ":")).encode() + b"\n")
            written += 1
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m monitoring.bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--ocds", help="compiled releases, one per line")
    parser.add_argument("--settings", "--cardinal-settings", dest="ini", help="Cardinal settings file (INI)")
    parser.add_argument("--cardinal", help="Cardinal's output (JSON) to compare with")
    parser.add_argument("--compat", action="store_true", help="Cardinal-compatible mode")
    parser.add_argument("--repeat", type=int, default=1, help="timed passes; the median is reported")
    parser.add_argument("--replicate", type=int, default=1, metavar="K", help="read the file K times")
    parser.add_argument("--derive", type=int, metavar="N", help="write N processes derived from --from")
    parser.add_argument("--from", dest="source", help="the real releases to derive from")
    parser.add_argument("--out", help="where --derive writes")
    args = parser.parse_args(argv)
    try:
        if args.derive:
            if not (args.source and args.out):
                raise BenchError("--derive needs --from FILE and --out FILE")
            written = derive(Path(args.source), args.derive, Path(args.out))
            print(json.dumps({"derived": written, "out": args.out, "bytes": Path(args.out).stat().st_size}))
            return 0
        if not args.ocds:
            raise BenchError("give --ocds FILE (or --derive N)")
        figures = bench_indicators(
            Path(args.ocds),
            args.ini,
            args.cardinal,
            compat=args.compat,
            repeat=max(1, args.repeat),
            replicate=max(1, args.replicate),
        )
    except BenchError as error:
        _stderr(f"error: {error}")
        return 2
    figures["process_s"] = process_seconds()
    figures["django"] = "django" in sys.modules
    print(json.dumps(figures, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
