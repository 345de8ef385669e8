"""What a word is about, from a topic model trained on a large Chinese news corpus: for titles.

A title of eight words shares few of them with the other titles on its subject: "社区卫生院缺医生" and
"县医院看病难" have no word in common, so neither the word features nor the mixture over words can put them
together. A topic model fitted on millions of news texts knows that 医院, 卫生院, 看病 and 医生 belong to the
same topics. The jionlp package (Apache-2.0, https://github.com/dongrixinyu/JioNLP) ships such a model inside
it for its keyphrase extraction: P(topic | word) for 96,365 words over 100 LDA topics
(`jionlp/dictionary/topic_word_weight.zip`). Only that file is read; jionlp itself is never imported (its
import loads much else and prints a banner).

`topic_matrix(vocabulary)` gives the word × topic matrix of a vocabulary (a word the model does not know has a
row of zeros). `themes` adds a titles set's IDF-weighted topic mixture as a block of the features (see
`themes.TITLE_WORDS` for when, and docs/search.md for what it gave).
"""

from __future__ import annotations

import functools
import importlib.util
import json
import logging
import zipfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from scipy import sparse

logger = logging.getLogger(__name__)

TOPICS = 100  # topics of the shipped model
_MODEL = ("dictionary", "topic_word_weight.zip")


def model_path() -> Path | None:
    """Where the installed jionlp keeps its word → topic table, found without importing jionlp."""
    spec = importlib.util.find_spec("jionlp")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))).joinpath(*_MODEL)
    return path if path.exists() else None


@functools.cache
def topic_table() -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Each word (folded as the platform folds text: NFKC, traditional → simplified, lower case) with its topics
    and their probabilities. Empty when jionlp is not installed: the features then go without topics."""
    from search.tokenize import normalize

    path = model_path()
    if path is None:
        logger.warning("jionlp is not installed: titles are clustered without the topic model")
        return {}
    with zipfile.ZipFile(path) as archive, archive.open(archive.namelist()[0]) as handle:
        raw: dict[str, dict[str, float]] = json.load(handle)
    table: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for word, weights in raw.items():
        folded = normalize(word)
        if folded in table:  # 電腦 and 电脑 fold to one word: the first one (as the file lists them) is kept
            continue
        topics = np.fromiter((int(topic) for topic in weights), dtype=np.int64, count=len(weights))
        table[folded] = (topics, np.fromiter(weights.values(), dtype=np.float64, count=len(weights)))
    return table


def topic_matrix(vocabulary: Sequence[str]) -> sparse.csr_matrix:
    """Vocabulary × topic matrix of P(topic | word); a word the model does not know has an empty row."""
    table = topic_table()
    rows, columns, values = [], [], []
    for row, word in enumerate(vocabulary):
        found = table.get(str(word))
        if found is not None:
            topics, probabilities = found
            rows.append(np.full(len(topics), row))
            columns.append(topics)
            values.append(probabilities)
    if not rows:
        return sparse.csr_matrix((len(vocabulary), TOPICS), dtype=np.float64)
    return sparse.csr_matrix(
        (np.concatenate(values), (np.concatenate(rows), np.concatenate(columns))),
        shape=(len(vocabulary), TOPICS),
        dtype=np.float64,
    )


def topic_mixtures(words: sparse.csr_matrix, vocabulary: Sequence[str], idf: np.ndarray) -> np.ndarray:
    """Each item's topic mixture: the sum over its words of P(topic | word), each word weighted by its IDF in
    the set (a word every title uses says little of what this one is about), rows of unit length.
    `words` is the binary item × vocabulary matrix."""
    from sklearn.preprocessing import normalize

    mixtures = (words @ sparse.diags(idf) @ topic_matrix(vocabulary)).toarray()
    return normalize(mixtures)
