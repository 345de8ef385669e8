"""Titles (#14): what a word is about, from the topic model jionlp ships, added to the features of sets of
titles, where two titles on one subject often share no word."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pytest
from scipy import sparse
from sklearn.metrics import normalized_mutual_info_score

from search.bench import baseline_labels
from search.clustering.pipeline import cluster_feedback, default_tokenizer
from search.clustering.themes import Featuriser, ThemeParams, fit_features, is_title_set
from search.clustering.topics import model_path, topic_matrix, topic_mixtures, topic_table
from tests.conftest import require

GOV = Path(__file__).resolve().parents[3] / "shared" / "data" / "text" / "gov_messages_dev.csv"

TITLES = [
    "社区卫生院缺医生",
    "县医院看病难排队久",
    "人民医院收费不合理",
    "乡镇卫生院药品短缺",
    "公交线路调整后出行不便",
    "出租车拒载绕路现象严重",
    "地铁站周边公交接驳不足",
    "长途客运站班车停运",
    "小学老师有偿补课",
    "中学择校乱收费",
    "幼儿园入园难",
    "学校食堂卫生差",
]


def _cosine(a: np.ndarray, b: np.ndarray) -> float:
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


def test_the_topic_model_is_the_one_jionlp_ships():
    assert model_path() is not None and model_path().name == "topic_word_weight.zip"
    table = topic_table()
    assert len(table.words) > 90_000
    row = table.rows(["医院", "嗯嗯嗯啊啊"])
    assert row[1] == -1 and table.words[row[0]] == "医院"
    hospital = table.probabilities[row[0]].toarray().ravel()
    assert hospital.max() > 0.5 and hospital.sum() == pytest.approx(1, abs=0.05)
    assert (topic_matrix(["医院"]) != table.probabilities[row[0]]).nnz == 0


def test_titles_that_share_no_word_share_their_topics():
    # given: two titles on health that share no word, and one on transport
    vocabulary = np.array(["卫生院", "医生", "医院", "看病", "出租车", "拒载"], dtype=object)
    words = sparse.csr_matrix(np.array([[1, 1, 0, 0, 0, 0], [0, 0, 1, 1, 0, 0], [0, 0, 0, 0, 1, 1]], dtype=float))

    mixtures = topic_mixtures(words, vocabulary, np.ones(6))

    # then: the two health titles are closer to each other than to the transport one
    assert _cosine(mixtures[0], mixtures[1]) > _cosine(mixtures[0], mixtures[2]) + 0.2
    assert _cosine(mixtures[1], mixtures[1]) == pytest.approx(1)


def test_a_word_the_model_does_not_know_adds_nothing():
    mixtures = topic_mixtures(sparse.csr_matrix(np.ones((1, 1))), np.array(["嗯嗯嗯啊啊"], dtype=object), np.ones(1))
    assert not mixtures.any()


def test_only_sets_of_titles_get_topics():
    short = default_tokenizer(TITLES)
    featuriser, _features = fit_features(short, None, None, TITLES)
    assert is_title_set(np.array([len(set(tokens)) for tokens in short]))
    assert len(featuriser.topic_idf) == len(featuriser.vocabulary) and featuriser.topic_weight == 0.3

    long_texts = [text * 4 + "。" + "，".join(TITLES[(i + 1) % 12 : (i + 1) % 12 + 3]) for i, text in enumerate(TITLES)]
    featuriser, _features = fit_features(default_tokenizer(long_texts), None, None, long_texts)
    assert len(featuriser.topic_idf) == 0 and featuriser.topic_weight == 0

    featuriser, _features = fit_features(short, None, ThemeParams(topic_weight=0), TITLES)
    assert len(featuriser.topic_idf) == 0


def test_fitted_title_features_put_the_same_titles_in_the_same_place():
    tokens = default_tokenizer(TITLES * 2)
    featuriser, features = fit_features(tokens, None, None, TITLES * 2)
    stored = Featuriser.from_bytes(featuriser.to_bytes())
    assert stored.topic_weight == featuriser.topic_weight
    again = stored.transform(tokens, TITLES * 2)
    assert np.allclose(again.vectors, features.vectors, atol=1e-4)


def test_a_state_stored_before_topics_reads_as_without_them():
    # given: features fitted as before topics, stored as they were then (two scalars, no topic IDF)
    featuriser, _features = fit_features(default_tokenizer(TITLES), None, ThemeParams(topic_weight=0), TITLES)
    buffer = io.BytesIO()
    np.savez(
        buffer,
        vocabulary=featuriser.vocabulary.astype(str),
        specific=featuriser.specific,
        word_idf=featuriser.word_idf,
        char_keys=featuriser.char_keys,
        char_idf=featuriser.char_idf,
        components=featuriser.components,
        scalars=np.array([featuriser.char_weight, featuriser.max_chars], dtype=np.float64),
    )
    old = Featuriser.from_bytes(buffer.getvalue())
    assert old.topic_weight == 0 and len(old.topic_idf) == 0
    assert old.transform(default_tokenizer(TITLES[:2]), TITLES[:2]).vectors.shape[0] == 2


@pytest.fixture(scope="module")
def gov_titles() -> tuple[list[str], list[str]]:
    """The titles of the real citizens' messages (what precedes the first 。: median 19 characters)."""
    require(GOV.exists(), "../shared/data/text/gov_messages_dev.csv is missing")
    with GOV.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return [row["text"].split("。", 1)[0] for row in rows], [row["label"] for row in rows]


def test_real_message_titles_group_better_with_topics_than_without(gov_titles):
    texts, labels = gov_titles

    def nmi(**params) -> float:
        themes = cluster_feedback(texts, theme_params=ThemeParams(**params)).theme_of
        return normalized_mutual_info_score(labels, themes)

    baseline = normalized_mutual_info_score(labels, baseline_labels(texts, 7, 0))
    with_topics, without = nmi(), nmi(topic_weight=0)

    # measured with k chosen: 0.342 with topics, 0.216 without, 0.273 for the baseline with k = 7
    assert with_topics >= without + 0.05
    assert with_topics >= baseline + 0.03
