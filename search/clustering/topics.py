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
import re
import zipfile
from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import sparse

logger = logging.getLogger(__name__)

TOPICS = 100  # topics of the shipped model
_MODEL = ("dictionary", "topic_word_weight.zip")
_ENTRY = re.compile(r'("(?:[^"\\]|\\.)*")\s*:\s*(\{[^{}]*\})')


def model_path() -> Path | None:
    """Where the installed jionlp keeps its word → topic table, found without importing jionlp."""
    spec = importlib.util.find_spec("jionlp")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))).joinpath(*_MODEL)
    return path if path.exists() else None


@dataclass(frozen=True)
class TopicTable:
    """`words` (sorted) and, row for row, their topics: `probabilities` (words × topics, P(topic | word))."""

    words: np.ndarray
    probabilities: sparse.csr_matrix

    def rows(self, vocabulary: Sequence[str] | np.ndarray) -> np.ndarray:
        """The row of each word of `vocabulary`, -1 for a word the model does not know."""
        wanted = np.asarray(vocabulary, dtype=str)
        if not len(self.words) or not len(wanted):
            return np.full(len(wanted), -1, dtype=np.int64)
        found = np.minimum(np.searchsorted(self.words, wanted), len(self.words) - 1)
        return np.where(self.words[found] == wanted, found, -1)


@functools.cache
def topic_table() -> TopicTable:
    """The model's words (folded as the platform folds text: NFKC, traditional → simplified, lower case) and
    their topics. Empty when jionlp is not installed: the features then go without topics. Loaded once per
    process, about 1 s; it then holds about 12 MB."""
    from search.tokenize import normalize

    path = model_path()
    if path is None:
        logger.warning("jionlp is not installed: titles are clustered without the topic model")
        return TopicTable(np.empty(0, dtype=str), sparse.csr_matrix((0, TOPICS), dtype=np.float32))
    with zipfile.ZipFile(path) as archive:
        text = archive.read(archive.namelist()[0]).decode("utf-8")
    # {"word": {"topic": p, …}, …} read entry by entry: json.load of the whole file holds about 100 MB at once
    row: dict[str, int] = {}
    pointers, topics, values = [0], array("i"), array("f")
    for match in _ENTRY.finditer(text):
        folded = normalize(json.loads(match.group(1)))
        if folded in row:  # 電腦 and 电脑 fold to one word: the first one (as the file lists them) is kept
            continue
        row[folded] = len(row)
        for topic, probability in json.loads(match.group(2)).items():
            topics.append(int(topic))
            values.append(probability)
        pointers.append(len(topics))
    del text
    probabilities = sparse.csr_matrix(
        (np.frombuffer(values, dtype=np.float32), np.frombuffer(topics, dtype=np.int32), np.array(pointers)),
        shape=(len(row), TOPICS),
    )
    words = np.array(list(row), dtype=str)
    order = np.argsort(words, kind="stable")
    return TopicTable(words[order], probabilities[order])


def topic_matrix(vocabulary: Sequence[str] | np.ndarray) -> sparse.csr_matrix:
    """Vocabulary × topic matrix of P(topic | word); a word the model does not know has an empty row."""
    table = topic_table()
    found = table.rows(vocabulary)
    known = np.flatnonzero(found >= 0)
    pick = sparse.csr_matrix(
        (np.ones(len(known), dtype=np.float32), (known, found[known])),
        shape=(len(vocabulary), table.probabilities.shape[0]),
    )
    return (pick @ table.probabilities).astype(np.float64).tocsr()


def topic_mixtures(words: sparse.csr_matrix, vocabulary: Sequence[str] | np.ndarray, idf: np.ndarray) -> np.ndarray:
    """Each item's topic mixture: the sum over its words of P(topic | word), each word weighted by its IDF in
    the set (a word every title uses says little of what this one is about), rows of unit length.
    `words` is the binary item × vocabulary matrix."""
    from sklearn.preprocessing import normalize

    mixtures = (words @ sparse.diags(idf) @ topic_matrix(vocabulary)).toarray()
    return normalize(mixtures)
