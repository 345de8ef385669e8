"""Start-up benchmark: how long a management command takes to start, in fresh processes.

    .venv/bin/python -m bench.startup                   # `manage.py check` and `manage.py help`, 7 runs each
    .venv/bin/python -m bench.startup --runs 15 --against b552a9e   # and the same commands at another commit
    .venv/bin/python -m bench.startup --imports         # and where one `check` spends its imports

Each run is a new `python manage.py …` process with the development settings (as `make run` starts them), timed
from spawn to exit: the wall time and the CPU time the process used (user + system; steadier than the wall time on a
busy machine). The baselines, measured in the same run and interleaved with the commands, are the interpreter alone
(`python -c pass`), the floor of the stack (`check` with Sunshine's third-party apps, Wagtail's among them, and none of
its own: `bench/floor/`) and, with `--against REV`, the same commands on the tree of that commit (extracted with `git
archive` into a temporary folder; same interpreter and packages). Before timing, each command runs once untimed, so
the bytecode cache is written (unless PYTHONDONTWRITEBYTECODE is set: the output says which). Medians are printed;
the last line is one JSON object.

`--imports` adds one `python -X importtime manage.py check` and sums the imports' own time by top-level package.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COMMANDS = {"check": ["check"], "help": ["help"]}
PROJECT_PACKAGES = {
    "accounts",
    "config",
    "consultations",
    "core",
    "home",
    "monitoring",
    "participation",
    "petitions",
    "regions",
    "reports",
    "search",
    "workdays",
}
IMPORT_LINE = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \|(\s*)(\S+)")


def environment() -> dict[str, str]:
    """The caller's environment with the development settings and an embedded database in a temporary folder
    (`check` and `help` do not touch it; nothing leaks in from the caller's DATABASE_URL or REDIS_URL)."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "ELASTICSEARCH_URL"}}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.dev"
    env["DATABASE_URL"] = f"sqlite:///{tempfile.gettempdir()}/bench-startup.sqlite3"
    return env


def timed(argv: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one process run to its end; a failing command stops the benchmark."""
    with tempfile.TemporaryFile() as errors:
        start = time.perf_counter()
        process = subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=errors)  # noqa: S603
        _pid, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            errors.seek(0)
            raise SystemExit(f"{' '.join(argv)} failed ({process.returncode}):\n{errors.read().decode()}")
    return wall, usage.ru_utime + usage.ru_stime


def extract(rev: str, into: Path) -> Path:
    """The tree of commit `rev`, as `git archive` gives it."""
    archive = into / "tree.tar"
    with archive.open("wb") as out:
        subprocess.run(["git", "archive", rev], cwd=ROOT, stdout=out, check=True)  # noqa: S603, S607
    with tarfile.open(archive) as tar:
        tar.extractall(into / "tree", filter="data")
    return into / "tree"


def measure(targets: dict[str, tuple[list[str], Path]], runs: int, env: dict[str, str]) -> dict[str, dict]:
    """Each target run `runs` times, the targets interleaved (so a busy moment hits them all alike)."""
    for argv, cwd in targets.values():  # warm-up: bytecode written, files in the page cache
        timed(argv, cwd, env)
    walls: dict[str, list[float]] = {name: [] for name in targets}
    cpus: dict[str, list[float]] = {name: [] for name in targets}
    for _ in range(runs):
        for name, (argv, cwd) in targets.items():
            wall, cpu = timed(argv, cwd, env)
            walls[name].append(wall)
            cpus[name].append(cpu)
    return {
        name: {
            "median_s": round(statistics.median(walls[name]), 3),
            "min_s": round(min(walls[name]), 3),
            "cpu_median_s": round(statistics.median(cpus[name]), 3),
            "runs": runs,
        }
        for name in targets
    }


def import_breakdown(env: dict[str, str], top: int = 15) -> dict:
    """One `manage.py check` under -X importtime: the imports' own time summed by top-level package (ms)."""
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-X", "importtime", "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    own: Counter[str] = Counter()
    for line in result.stderr.splitlines():
        if match := IMPORT_LINE.match(line):
            own[match.group(4).split(".")[0]] += int(match.group(1))
    total = sum(own.values())
    project = sum(us for package, us in own.items() if package in PROJECT_PACKAGES)
    return {
        "total_ms": round(total / 1000),
        "project_ms": round(project / 1000),
        "top_ms": {package: round(us / 1000) for package, us in own.most_common(top)},
    }


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--against", metavar="REV", help="also measure the commands on the tree of this commit")
    parser.add_argument("--imports", action="store_true", help="sum one check's import time by package")
    args = parser.parse_args(argv)
    env = environment()
    python = sys.executable
    targets = {"python": ([python, "-c", "pass"], ROOT)}
    targets["floor"] = ([python, "-m", "django", "check", "--settings=bench.floor.settings"], ROOT)
    targets |= {name: ([python, "manage.py", *command], ROOT) for name, command in COMMANDS.items()}
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as scratch:
        if args.against:
            tree = extract(args.against, Path(scratch))
            targets |= {f"{name}@{args.against}": ([python, "manage.py", *cmd], tree) for name, cmd in COMMANDS.items()}
        results = measure(targets, args.runs, env)
    print(f"{'':<24}{'median':>9}{'min':>9}{'cpu':>9}   (seconds, {args.runs} runs each)")
    for name, figures in results.items():
        print(f"{name:<24}{figures['median_s']:>9.3f}{figures['min_s']:>9.3f}{figures['cpu_median_s']:>9.3f}")
    bytecode = "off (PYTHONDONTWRITEBYTECODE)" if env.get("PYTHONDONTWRITEBYTECODE") else "on"
    print(f"bytecode cache: {bytecode}; load average: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    output = {"results": results, "bytecode_cache": bytecode.split()[0], "against": args.against}
    if args.imports:
        output["imports"] = import_breakdown(env)
        print("imports of one check, own time by package (ms):", output["imports"]["top_ms"])
        print(
            f"  total {output['imports']['total_ms']} ms, of which this project's apps {output['imports']['project_ms']}"
        )
    print(json.dumps(output, ensure_ascii=False, sort_keys=True, separators=(",", ":")))
    return output


if __name__ == "__main__":
    main()
