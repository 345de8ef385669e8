"""`python -m search.bench` runs on a small labelled CSV and ends with its figures as JSON."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from search import bench
from tests.conftest import require

SHOPPING = Path(__file__).resolve().parents[3] / "shared" / "data" / "text" / "online_shopping_10_cats.csv"


@pytest.fixture
def small_csv(tmp_path) -> Path:
    require(SHOPPING.exists(), "../shared/data/text/online_shopping_10_cats.csv is missing")
    with SHOPPING.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))[::40]  # 1,570 reviews of every category
    path = tmp_path / "small.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["text", "label"], extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_bench_prints_every_figure_and_ends_with_json(small_csv, capsys):
    assert bench.main(["--csv", str(small_csv), "--sizes", "400", "--seed", "1"]) == 0

    out = capsys.readouterr()
    figures = json.loads(out.out.strip().splitlines()[-1])
    for key in ("seg_chars_per_s", "jieba_chars_per_s", "nmi_k_given", "ari_k_given", "nmi_auto", "k_auto"):
        assert key in figures
    # the baseline of the same run, stability under 5 % additions, the time of each stage
    assert 0 < figures["nmi_baseline"] < figures["nmi_k_given"]
    assert 0 <= figures["stability_moved"] <= 0.05 and figures["stability_added"] == 78
    assert set(figures["stage_seconds"]) == {"campaigns", "segmentation", "features", "themes"}
    assert figures["rows"] == 1570 and figures["k_true"] == 10
    assert figures["seg_chars_per_s"] > 0 and figures["jieba_chars_per_s"] > 0
    assert 0.3 <= figures["nmi_k_given"] <= 1 and 2 <= figures["k_auto"] <= 20
    assert figures["campaign_precision"] >= 0.9 and figures["campaign_recall"] >= 0.9
    assert figures["seconds_400"] > 0 and figures["peak_mb_400"] > 0
    assert "pipeline on 400" in out.err  # progress goes to stderr


def test_bench_names_a_csv_without_the_columns(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("body,category\n好,书籍\n", encoding="utf-8")
    with pytest.raises(SystemExit, match="label, text"):
        bench.main(["--csv", str(path)])
