"""bench.title_sets: the citizens' message titles written as a labelled CSV for search.bench."""

from __future__ import annotations

import csv

from bench import title_sets
from tests.conftest import require


def test_message_titles_are_what_precedes_the_first_full_stop(tmp_path):
    require(title_sets.GOV.exists(), "../shared/data/text/gov_messages_dev.csv is missing")
    out = tmp_path / "titles.csv"

    written = title_sets.gov_titles(out)

    with out.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    with title_sets.GOV.open(encoding="utf-8") as handle:
        source = list(csv.DictReader(handle))
    assert written == len(rows) == len(source) == 1540
    assert all(
        source[i]["text"].startswith(row["text"] + "。") or source[i]["text"] == row["text"]
        for i, row in enumerate(rows)
    )
    assert [row["label"] for row in rows] == [row["label"] for row in source]
    assert sorted(len(row["text"]) for row in rows)[len(rows) // 2] < 30
