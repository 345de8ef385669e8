"""Benchmark of segmentation, clustering and campaign detection on a labelled CSV (`text,label`).

    .venv/bin/python -m search.bench [--csv PATH] [--sizes 10000,100000] [--seed 0]

Prints, on stdout, one line per figure and, last, one JSON object with all of them:
- segmentation throughput in characters/s: ours (search.tokenize.segment) and plain `jieba.lcut`,
  median of 3 passes over the same sample, dictionaries loaded beforehand;
- theme clustering against the labels: NMI and ARI with k = the number of labels, and with k chosen
  (k reported), next to DOMAIN.md §4's baseline (character 1–2-gram TF-IDF + LSA + k-means) computed
  in the same run (`nmi_baseline`, with k given; `nmi_baseline_k_auto`, with the k chosen);
  the seconds of each stage (campaigns, segmentation, features, themes);
- stability: 5 % of the rows added after a first run; the share of the others that change theme in a
  warm-started run (`stability_moved`, what a draft's full run does) and from scratch (`stability_moved_cold`);
- time and peak memory (peak RSS of a child process running only that size) of the whole pipeline
  (campaigns, segmentation, themes with k chosen) on N comments, rows repeated to reach N;
- campaign detection: pair precision and recall on 2,000 light edits of 500 texts mixed into
  20,000 texts (see search.clustering.evaluation for the edits and the counting).
Progress goes to stderr. Needs no Django settings.
"""

from __future__ import annotations

import argparse
import csv
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_CSV = REPO.parent / "shared" / "data" / "text" / "online_shopping_10_cats.csv"
SEGMENT_SAMPLE_CHARS = 400_000
JIEBA_SAMPLE_CHARS = 150_000


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def read_rows(path: Path) -> tuple[list[str], list[str]]:
    texts, labels = [], []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = {"text", "label"} - set(reader.fieldnames or [])
        if missing:
            raise SystemExit(f"{path}: no column {', '.join(sorted(missing))} in the header")
        for row in reader:
            if (row["text"] or "").strip():
                texts.append(row["text"])
                labels.append(row["label"])
    if not texts:
        raise SystemExit(f"{path}: no rows")
    return texts, labels


def _sample(texts: list[str], chars: int) -> list[str]:
    taken, total = [], 0
    for text in texts:
        taken.append(text)
        total += len(text)
        if total >= chars:
            break
    return taken


def _median_rate(function, texts: list[str], repeats: int = 3) -> float:
    chars = sum(len(t) for t in texts)
    rates = []
    for _ in range(repeats):
        started = time.perf_counter()
        for text in texts:
            function(text)
        rates.append(chars / (time.perf_counter() - started))
    return statistics.median(rates)


def bench_segmentation(texts: list[str]) -> dict:
    import logging

    import jieba

    from search import tokenize

    logging.getLogger("jieba").setLevel(logging.WARNING)
    tokenize.warm_up()
    jieba.initialize()
    ours = _median_rate(tokenize.segment, _sample(texts, SEGMENT_SAMPLE_CHARS))
    plain = _median_rate(jieba.lcut, _sample(texts, JIEBA_SAMPLE_CHARS))
    return {"seg_chars_per_s": round(ours), "jieba_chars_per_s": round(plain)}


def baseline_labels(texts: list[str], k: int, seed: int) -> list[int]:
    """DOMAIN.md §4's baseline: character 1–2-gram TF-IDF, LSA (100 dimensions), k-means."""
    from sklearn.cluster import KMeans
    from sklearn.decomposition import TruncatedSVD
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.preprocessing import normalize

    tfidf = TfidfVectorizer(analyzer="char", ngram_range=(1, 2), sublinear_tf=True, min_df=2).fit_transform(texts)
    dims = min(100, tfidf.shape[1] - 1, len(texts) - 1)
    vectors = normalize(TruncatedSVD(dims, random_state=seed).fit_transform(tfidf))
    return KMeans(n_clusters=k, n_init=4, random_state=seed).fit_predict(vectors).tolist()


def staged_run(texts: list[str], k: int | None, params) -> tuple[object, dict[str, float]]:
    """The pipeline of cluster_feedback stage by stage, timing each: campaigns, segmentation,
    features (TF-IDF and LSA), themes (k-means, EM, labels)."""
    import numpy as np

    from search.clustering.campaigns import find_campaigns
    from search.clustering.pipeline import collapse, default_tokenizer
    from search.clustering.themes import cluster_themes, featurise

    times: dict[str, float] = {}
    started = time.perf_counter()
    campaigns = find_campaigns(texts)
    items = collapse(campaigns)
    times["campaigns"] = time.perf_counter() - started
    started = time.perf_counter()
    item_texts = [texts[i] for i in items.text_index]
    token_lists = default_tokenizer(item_texts)
    times["segmentation"] = time.perf_counter() - started
    started = time.perf_counter()
    features = featurise(token_lists, items.weights, params, texts=item_texts)
    times["features"] = time.perf_counter() - started
    started = time.perf_counter()
    themes = cluster_themes(features, weights=items.weights, k=k, params=params)
    times["themes"] = time.perf_counter() - started
    return np.asarray(themes.labels)[items.of], {name: round(value, 2) for name, value in times.items()}


def moved_share(before: list[int], after: list[int]) -> float:
    """Share of comments whose theme changed, once the themes after are matched one to one with
    those before (most shared comments, Hungarian): a theme that only changed its number moved nobody."""
    from search.clustering.themes import match_groups

    def groups(labels: list[int]) -> list[set[int]]:
        found: dict[int, set[int]] = {}
        for index, label in enumerate(labels):
            found.setdefault(label, set()).add(index)
        return [found[label] for label in sorted(found)]

    old, new = groups(before), groups(after)
    matched = match_groups(old, new, min_overlap=0.0)
    stayed = sum(len(new[n] & old[o]) for n, o in matched.items())
    return 1 - stayed / len(before) if before else 0.0


def bench_stability(texts: list[str], seed: int, params, share: float = 0.05) -> dict:
    """5 % new comments after a first run (k chosen): how many of the earlier comments change theme,
    when the second run is warm-started from the first (what a draft's full run does) and when it
    starts cold (a run from scratch on the new set)."""
    import random

    from search.clustering.pipeline import cluster_feedback

    order = list(range(len(texts)))
    random.Random(seed).shuffle(order)  # noqa: S311 - a reproducible split, not a secret
    cut = len(order) - max(1, round(share * len(order)))
    old = [texts[i] for i in order[:cut]]
    new = [texts[i] for i in order[cut:]]
    first = cluster_feedback(old, theme_params=params).theme_of.tolist()
    warm = cluster_feedback(old + new, theme_params=params, start=first + [-1] * len(new)).theme_of.tolist()
    cold = cluster_feedback(old + new, theme_params=params).theme_of.tolist()
    return {
        "stability_added": len(new),
        "stability_moved": round(moved_share(first, warm[:cut]), 4),
        "stability_moved_cold": round(moved_share(first, cold[:cut]), 4),
    }


def bench_themes(texts: list[str], labels: list[str], seed: int) -> dict:
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    from search.clustering.pipeline import cluster_feedback
    from search.clustering.themes import ThemeParams

    k = len(set(labels))
    params = ThemeParams(seed=seed)
    started = time.perf_counter()
    given, stages = staged_run(texts, k, params)
    seconds_given = time.perf_counter() - started
    progress(f"  k = {k} given: {seconds_given:.1f} s ({stages})")
    started = time.perf_counter()
    chosen = cluster_feedback(texts, theme_params=params)
    seconds_auto = time.perf_counter() - started
    progress(f"  k chosen: {chosen.themes.k} in {seconds_auto:.1f} s")
    started = time.perf_counter()
    baseline = baseline_labels(texts, k, seed)
    seconds_baseline = time.perf_counter() - started
    baseline_auto = baseline if chosen.themes.k == k else baseline_labels(texts, chosen.themes.k, seed)
    progress(f"  baseline (character TF-IDF + LSA + k-means): {seconds_baseline:.1f} s")
    progress("  stability under 5 % additions …")
    stability = bench_stability(texts, seed, params)
    return {
        "rows": len(texts),
        "k_true": k,
        "nmi_k_given": round(normalized_mutual_info_score(labels, given), 4),
        "ari_k_given": round(adjusted_rand_score(labels, given), 4),
        "nmi_auto": round(normalized_mutual_info_score(labels, chosen.theme_of), 4),
        "ari_auto": round(adjusted_rand_score(labels, chosen.theme_of), 4),
        "k_auto": chosen.themes.k,
        "nmi_baseline": round(normalized_mutual_info_score(labels, baseline), 4),
        "ari_baseline": round(adjusted_rand_score(labels, baseline), 4),
        "nmi_baseline_k_auto": round(normalized_mutual_info_score(labels, baseline_auto), 4),
        "seconds_k_given": round(seconds_given, 2),
        "seconds_auto": round(seconds_auto, 2),
        "seconds_baseline": round(seconds_baseline, 2),
        "stage_seconds": stages,
        **stability,
    }


def bench_campaigns(texts: list[str], seed: int) -> dict:
    from search.clustering.campaigns import near_duplicate_groups
    from search.clustering.evaluation import inject_campaign, pair_scores

    # 2,000 edits of 500 texts in 20,000; scaled down in proportion for a smaller CSV
    background = min(20_000, len(texts))
    bases = max(1, min(500, background // 40))
    injection = inject_campaign(texts, background=background, bases=bases, edits=4 * bases, seed=seed)
    started = time.perf_counter()
    groups = near_duplicate_groups(injection.texts)
    seconds = time.perf_counter() - started
    precision, recall = pair_scores(injection.origin, groups)
    return {
        "campaign_texts": len(injection.texts),
        "campaign_edits": injection.edits,
        "campaign_precision": round(precision, 4),
        "campaign_recall": round(recall, 4),
        "campaign_docs_per_s": round(len(injection.texts) / seconds),
    }


def peak_rss_kb() -> int:
    """This process's peak resident memory in kB: VmHWM, which starts afresh at exec. (getrusage's
    ru_maxrss does not: a child started by a large parent inherits the parent's peak.)"""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kB on Linux


def run_size(texts: list[str], size: int, seed: int) -> dict:
    """In this (child) process: the whole pipeline on `size` comments; time and peak memory."""
    import random

    from search.clustering.pipeline import cluster_feedback

    order = list(range(len(texts)))
    random.Random(seed).shuffle(order)  # noqa: S311 - a reproducible sample, not a secret
    chosen = [texts[order[i % len(order)]] for i in range(size)]
    started = time.perf_counter()
    result = cluster_feedback(chosen)
    seconds = time.perf_counter() - started
    return {
        "size": size,
        "seconds": round(seconds, 2),
        "peak_mb": round(peak_rss_kb() / 1024),
        "k": result.themes.k,
        "campaigns": len(result.campaigns.campaigns),
    }


def bench_size(csv_path: Path, size: int, seed: int) -> dict:
    """Run `run_size` in a fresh interpreter, so that its peak memory is its own."""
    command = [sys.executable, "-m", "search.bench", "--csv", str(csv_path), "--seed", str(seed), "--child", str(size)]
    completed = subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=False)  # noqa: S603
    if completed.returncode != 0:
        raise SystemExit(f"size {size}: the child process failed:\n{completed.stderr[-2000:]}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m search.bench", description=__doc__.splitlines()[0])
    parser.add_argument("--csv", type=Path, default=DEFAULT_CSV, help="labelled CSV with text,label columns")
    parser.add_argument("--sizes", default="10000,100000", help="comma-separated numbers of comments to time")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    try:
        sizes = [int(part) for part in args.sizes.split(",") if part.strip()]
    except ValueError:
        parser.error(f"--sizes {args.sizes!r}: give numbers separated by commas")
    if not args.csv.exists():
        parser.error(f"--csv {args.csv}: no such file")
    texts, labels = read_rows(args.csv)
    if args.child:
        print(json.dumps(run_size(texts, args.child, args.seed)))
        return 0

    figures: dict = {"csv": str(args.csv), "seed": args.seed}
    progress(f"{len(texts)} rows from {args.csv}")
    progress("segmentation …")
    figures.update(bench_segmentation(texts))
    print(
        f"segmentation: ours {figures['seg_chars_per_s']:,} chars/s, jieba.lcut {figures['jieba_chars_per_s']:,} chars/s"
    )
    progress("themes …")
    figures.update(bench_themes(texts, labels, args.seed))
    print(
        f"themes on {figures['rows']} rows: k={figures['k_true']} given NMI {figures['nmi_k_given']} "
        f"ARI {figures['ari_k_given']}; k chosen {figures['k_auto']}: NMI {figures['nmi_auto']} ARI {figures['ari_auto']}"
    )
    print(
        f"baseline (character 1–2-gram TF-IDF + LSA + k-means): NMI {figures['nmi_baseline']} "
        f"ARI {figures['ari_baseline']} with k={figures['k_true']}, NMI {figures['nmi_baseline_k_auto']} "
        f"with k={figures['k_auto']}"
    )
    print(
        f"stability: {figures['stability_added']} comments added (5 %) moved {figures['stability_moved']:.1%} "
        f"of the others (warm-started run; {figures['stability_moved_cold']:.1%} from scratch)"
    )
    print("stage seconds (k given): " + ", ".join(f"{k} {v}" for k, v in figures["stage_seconds"].items()))
    progress("campaigns …")
    figures.update(bench_campaigns(texts, args.seed))
    print(
        f"campaigns ({figures['campaign_edits']:,} edits mixed into {figures['campaign_texts']:,} texts): "
        f"precision {figures['campaign_precision']} "
        f"recall {figures['campaign_recall']}, {figures['campaign_docs_per_s']:,} docs/s"
    )
    for size in sizes:
        progress(f"pipeline on {size} comments (child process) …")
        measured = bench_size(args.csv, size, args.seed)
        figures[f"seconds_{_short(size)}"] = measured["seconds"]
        figures[f"peak_mb_{_short(size)}"] = measured["peak_mb"]
        print(
            f"pipeline on {size} comments: {measured['seconds']} s, peak {measured['peak_mb']} MB, "
            f"{measured['k']} themes, {measured['campaigns']} campaigns"
        )
    print(json.dumps(figures, ensure_ascii=False))
    return 0


def _short(size: int) -> str:
    return f"{size // 1000}k" if size % 1000 == 0 else str(size)


if __name__ == "__main__":
    sys.exit(main())
