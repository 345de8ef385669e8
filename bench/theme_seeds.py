"""Theme quality over several seeds, with ThemeParams changed: the way to tell a change from seed noise (#14).

    .venv/bin/python -m bench.theme_seeds                       # the code as it is
    .venv/bin/python -m bench.theme_seeds '{"min_df": 1}'       # one variant (any ThemeParams fields)

On all 62,773 product reviews (k = 10, seeds 0–3) and every government message (k = 7 and k chosen, seeds
0–1) of ../shared/data/text/, and on the 10,000 THUCNews titles `python -m bench.title_sets` writes (k = 10 and
k chosen, seeds 0–1; left out until it has been run): NMI of `cluster_feedback`'s themes against the labels,
per seed, and the means. About four minutes on one core. The last line printed is one JSON object.
"""

from __future__ import annotations

import csv
import json
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEXT = ROOT.parent / "shared" / "data" / "text"
TITLES = ROOT / "var" / "bench" / "thucnews_titles.csv"


def _load(name: str | Path) -> tuple[list[str], list[str]]:
    with (TEXT / name).open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return [row["text"] for row in rows], [row["label"] for row in rows]


def measure(overrides: dict) -> dict:
    from sklearn.metrics import normalized_mutual_info_score as nmi

    from search.clustering.pipeline import cluster_feedback
    from search.clustering.themes import ThemeParams

    def score(texts, labels, k, seed):
        themes = cluster_feedback(texts, k=k, theme_params=ThemeParams(seed=seed, **overrides)).theme_of
        return round(float(nmi(labels, themes)), 3)

    texts, labels = _load("online_shopping_10_cats.csv")
    reviews = [score(texts, labels, 10, seed) for seed in range(4)]
    print(f"reviews, k = 10: {reviews}", flush=True)
    texts, labels = _load("gov_messages_dev.csv")
    given = [score(texts, labels, 7, seed) for seed in range(2)]
    chosen = [score(texts, labels, None, seed) for seed in range(2)]
    print(f"government messages, k = 7: {given}; k chosen: {chosen}", flush=True)
    titles = {}
    if TITLES.exists():
        texts, labels = _load(TITLES)
        titles = {
            "titles_k_given": [score(texts, labels, 10, seed) for seed in range(2)],
            "titles_k_chosen": [score(texts, labels, None, seed) for seed in range(2)],
        }
        print(f"news titles, k = 10: {titles['titles_k_given']}; k chosen: {titles['titles_k_chosen']}", flush=True)
    return {
        "overrides": overrides,
        "reviews": reviews,
        "reviews_mean": round(statistics.mean(reviews), 4),
        "gov_k_given": given,
        "gov_k_chosen": chosen,
        "gov_mean": round(statistics.mean(given + chosen), 4),
        **titles,
    }


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    sys.path.insert(0, str(ROOT))
    if not TEXT.exists():
        raise SystemExit(f"{TEXT} is missing: this benchmark needs the shared labelled texts")
    overrides = json.loads(argv[0]) if argv else {}
    print(json.dumps(measure(overrides), ensure_ascii=False))


if __name__ == "__main__":
    main()
