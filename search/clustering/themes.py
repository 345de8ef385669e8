"""Themes: comments grouped by what they talk about, each labelled with its distinctive terms.

    featurise(token_lists) -> Features             words TF-IDF (sublinear) → LSA → unit vectors
    cluster_themes(features, k=None) -> Themes     k-means on LSA (k given, or chosen by silhouette),
                                                   refined by EM with a multinomial model of words
    assign(vectors, centroids, floor)              incremental: nearest theme above a similarity floor
    match_groups(old, new)                         full recompute: new clusters ↔ earlier themes

Items carry weights: a campaign is one item weighing its number of signers, so it counts fully
in its theme's size and terms but cannot split into many themes.

Why the EM step: k-means on LSA vectors of short texts splits on the words every text uses
(好, 不错, 失望) as much as on topics; re-estimating each theme as a distribution over words and
re-assigning every text to the theme that explains its words best (EM of a multinomial mixture,
Nigam et al. 2000) moves NMI on the shopping set from about 0.48 to 0.63.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse


@dataclass(frozen=True)
class ThemeParams:
    dims: int = 100  # LSA dimensions
    min_df: int | None = None  # a word must occur in this many items to count (None: by the texts' length, below)
    max_df: float = 0.5  # … and in at most this share of items
    lsa_max_df: float = 0.05  # LSA sees only words in at most this share (or 50 items): topics, not praise
    n_init: int = 4  # k-means initialisations (the best by inertia is kept)
    restarts: int = 6  # k-means + EM runs; the one whose mixture explains the words best is kept
    restarts_large: int = 3  # … on more than fit_sample items (time)
    em_rounds: int = 12  # refinement rounds (0: k-means only)
    smoothing: float = 0.1  # additive smoothing of the word distributions
    k_min: int = 2
    k_max: int = 20
    k_sample: int = 4000  # items sampled to choose k
    k_dims: int = 10  # leading LSA components on which k is chosen
    fit_sample: int = 20_000  # LSA and k-means are fitted on at most this many items, then applied to all
    svd_sample: int = 8_000  # … LSA on at most this many when character n-grams are in (their SVD costs more)
    top_terms: int = 8
    representatives: int = 3
    char_ngrams: bool = True  # character 1–2-grams next to the words in the LSA space
    char_weight: float = 1.0  # their weight against the words (each block normalised first)
    max_chars: int = 400  # characters of each text its character n-grams come from (its opening)
    char_features: int = 60_000  # character n-grams kept (those in most texts): the SVD's cost grows with them
    topic_weight: float = 0.3  # weight of a titles set's topic mixtures (search.clustering.topics) in the LSA space
    seed: int = 0
    threads: int | None = 1  # BLAS/OpenMP threads (None: the libraries' default); one is fastest on a shared machine


@dataclass
class Features:
    """`vectors`: unit LSA rows (items × dims, float32); `words`: binary item × word matrix (CSR);
    `vocabulary`: the word of each column."""

    vectors: np.ndarray
    words: sparse.csr_matrix
    vocabulary: np.ndarray


@dataclass
class Themes:
    """`labels[i]` is the theme of item i (0 … k-1); `centroids` are unit vectors in LSA space;
    `similarity[i]` the cosine of item i to its theme's centroid."""

    labels: np.ndarray
    centroids: np.ndarray
    similarity: np.ndarray
    terms: list[list[str]]
    representatives: list[list[int]]
    sizes: np.ndarray  # weighted
    k_scores: dict[int, float] = field(default_factory=dict)  # silhouette per k tried, when k was chosen

    @property
    def k(self) -> int:
        return len(self.centroids)


# --- features ------------------------------------------------------------------------------


def _identity(tokens: list[str]) -> list[str]:
    return tokens


def featurise(
    token_lists: Sequence[list[str]],
    weights: np.ndarray | None = None,
    params: ThemeParams | None = None,
    texts: Sequence[str] | None = None,
) -> Features:
    """Sublinear TF-IDF of the topical words (and, given the `texts`, of their character 1–2-grams),
    reduced by LSA (truncated SVD) and normalised to unit length; and the binary item × word matrix
    (all words within min_df/max_df) for EM and labels."""
    return fit_features(token_lists, weights, params, texts)[1]


def fit_features(
    token_lists: Sequence[list[str]],
    weights: np.ndarray | None = None,
    params: ThemeParams | None = None,
    texts: Sequence[str] | None = None,
) -> tuple[Featuriser, Features]:
    """`featurise`, and the fitted `Featuriser` that puts later texts in the same space (incremental runs)."""
    params = params or ThemeParams()
    with _threads(params.threads):
        return _featurise([_content_words(tokens) for tokens in token_lists], weights, params, texts)


def _content_words(tokens: list[str]) -> list[str]:
    """Words without digits or lone Latin letters: numbers, dates and anonymised places (A5区 → a5, 区)
    say nothing of the topic."""
    return [word for word in tokens if not _DIGIT.search(word) and not (len(word) == 1 and word.isascii())]


_DIGIT = re.compile(r"\d")


def _threads(limit: int | None):
    """Cap the threads of numpy's BLAS and scikit-learn's OpenMP: with small matrices or busy cores,
    threads that spin waiting for each other cost far more than they save (100 comments: 4 s → 0.2 s)."""
    from contextlib import nullcontext

    from threadpoolctl import threadpool_limits

    return nullcontext() if limit is None else threadpool_limits(limits=limit)


@dataclass
class Featuriser:
    """What `fit_features` learnt, to put new texts in the same LSA space without fitting again:
    the words kept (`vocabulary`, binary matrix columns) and, of them, those LSA sees (`specific`, with
    their IDF), the character n-grams kept (`char_keys`, with their IDF; empty without), the IDF of every
    word kept for a titles set's topic mixtures (`topic_idf`; empty for other texts), and the LSA
    `components` (dims × columns; empty when the input was too small for LSA). Plain arrays: it is
    stored between runs with `to_bytes` (no pickle)."""

    vocabulary: np.ndarray
    specific: np.ndarray
    word_idf: np.ndarray
    char_keys: np.ndarray
    char_idf: np.ndarray
    components: np.ndarray
    char_weight: float
    max_chars: int
    topic_idf: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.float64))
    topic_weight: float = 0.0

    @property
    def dims(self) -> int:
        return int(self.components.shape[0]) if self.components.size else 0

    def transform(self, token_lists: Sequence[list[str]], texts: Sequence[str]) -> Features:
        """Features of new items in the fitted space (words not seen at fitting are ignored)."""
        from sklearn.preprocessing import normalize

        n = len(token_lists)
        column = {str(word): index for index, word in enumerate(self.vocabulary.tolist())}
        rows, columns = [], []
        for row, tokens in enumerate(token_lists):
            for word in _content_words(tokens):
                found = column.get(word)
                if found is not None:
                    rows.append(row)
                    columns.append(found)
        counts = sparse.csr_matrix(
            (np.ones(len(rows)), (rows, columns)), shape=(n, len(self.vocabulary)), dtype=np.float64
        )
        counts.sum_duplicates()
        blocks = []
        if len(self.specific):
            blocks.append(_tfidf(counts[:, self.specific], self.word_idf))
        if len(self.char_keys):
            from search.clustering.campaigns import normalise

            chars = _character_matrix([normalise(text[: self.max_chars]) for text in texts], self.char_keys)
            blocks = [normalize(block) for block in blocks] + [
                normalize(_tfidf(chars, self.char_idf)) * self.char_weight
            ]
        words = counts.copy()
        words.data[:] = 1
        if len(self.topic_idf):
            from search.clustering.topics import topic_mixtures

            mixtures = topic_mixtures(words, self.vocabulary, self.topic_idf) * self.topic_weight
            blocks.append(sparse.csr_matrix(mixtures))
        matrix = sparse.hstack(blocks).tocsr() if blocks else sparse.csr_matrix((n, 0))
        if self.components.size:
            vectors = np.asarray(matrix @ self.components.T)
        else:
            vectors = matrix.toarray() if matrix.shape[1] else np.zeros((n, 1))
        return Features(
            vectors=normalize(vectors).astype(np.float32), words=words.astype(np.float32), vocabulary=self.vocabulary
        )

    def to_bytes(self) -> bytes:
        import io

        buffer = io.BytesIO()
        np.savez(
            buffer,
            vocabulary=self.vocabulary.astype(str),
            specific=self.specific,
            word_idf=self.word_idf,
            char_keys=self.char_keys,
            char_idf=self.char_idf,
            components=self.components,
            topic_idf=self.topic_idf,
            scalars=np.array([self.char_weight, self.max_chars, self.topic_weight], dtype=np.float64),
        )
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> Featuriser:
        import io

        with np.load(io.BytesIO(data), allow_pickle=False) as stored:
            # states stored before topics (two scalars, no topic_idf) read as without topics
            char_weight, max_chars, topic_weight = [*stored["scalars"].tolist(), 0.0][:3]
            return cls(
                vocabulary=stored["vocabulary"].astype(object),
                specific=stored["specific"],
                word_idf=stored["word_idf"],
                char_keys=stored["char_keys"],
                char_idf=stored["char_idf"],
                components=stored["components"],
                char_weight=float(char_weight),
                max_chars=int(max_chars),
                topic_idf=stored["topic_idf"] if "topic_idf" in stored.files else np.empty(0, dtype=np.float64),
                topic_weight=float(topic_weight),
            )


def _tfidf(counts: sparse.csr_matrix, idf: np.ndarray) -> sparse.csr_matrix:
    """Sublinear TF-IDF with a fitted IDF, rows of unit length (what TfidfTransformer(sublinear_tf=True) gives)."""
    from sklearn.preprocessing import normalize

    weighted = counts.astype(np.float64).tocsr(copy=True)
    weighted.data = np.log(weighted.data) + 1
    return normalize(weighted @ sparse.diags(idf))


# Items with fewer distinct words than this (median) are short texts: there most words occur in one item of the
# whole set, and dropping them leaves an item few words to be placed by. On all 62,773 product reviews (median
# 34 characters, about 15 words) counting them too gave NMI 0.653 on four seeds against 0.637; on the
# government messages (239 characters, about 90 words) it cost 0.02-0.04, so long texts keep the floor of 2.
SHORT_TEXT_WORDS = 30


def min_df_for(distinct_words: np.ndarray, params: ThemeParams) -> int:
    """The `min_df` to apply: the one given, else 1 for short texts and 2 for long ones."""
    if params.min_df is not None:
        return params.min_df
    return 1 if len(distinct_words) and float(np.median(distinct_words)) < SHORT_TEXT_WORDS else 2


# Items with fewer distinct words than this (median) are titles: two titles on one subject often share no word
# ("社区卫生院缺医生", "县医院看病难"), so their topic mixtures under a model fitted on a large news corpus
# (search.clustering.topics) are added to the features. On 10,000 THUCNews titles (median 8 words, 10 classes)
# this raised NMI from 0.47-0.49 to 0.53-0.56 (k given and chosen, four seeds); on the government messages'
# own titles (median 8) with k chosen from 0.22-0.27 to 0.29-0.32. On the product reviews (median 12) it cost
# 0.025 and on the government messages (median 63) 0.03-0.05: longer texts share enough words of their own.
TITLE_WORDS = 10


def is_title_set(distinct_words: np.ndarray) -> bool:
    """Whether items with these numbers of distinct words (after `_content_words`) are titles."""
    return bool(len(distinct_words)) and float(np.median(distinct_words)) < TITLE_WORDS


def _featurise(
    token_lists: Sequence[list[str]], weights: np.ndarray | None, params: ThemeParams, texts: Sequence[str] | None
) -> tuple[Featuriser, Features]:
    from sklearn.decomposition import TruncatedSVD
    from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer
    from sklearn.preprocessing import normalize

    n = len(token_lists)
    counter = CountVectorizer(analyzer=_identity, min_df=1, max_df=params.max_df)
    try:
        counts = counter.fit_transform(token_lists).tocsr()
        vocabulary = np.asarray(counter.get_feature_names_out(), dtype=object)
    except ValueError:  # no word left (empty or tiny input)
        counts = sparse.csr_matrix((n, 0), dtype=np.int64)
        vocabulary = np.empty(0, dtype=object)
    titles = False
    if counts.shape[1]:
        # a word counts once it is in min_df comments: a campaign of 12 signers is one item weighing 12
        present = counts.copy()
        present.data[:] = 1
        item_weights = np.ones(n) if weights is None else np.asarray(weights, dtype=np.float64)
        comment_frequency = np.asarray(present.T @ item_weights).ravel()
        titles = is_title_set(np.diff(present.indptr))
        min_df = min_df_for(np.diff(present.indptr), params)
        kept = np.flatnonzero(comment_frequency >= min(min_df, max(1, n // 2)))
        counts, vocabulary = counts[:, kept], vocabulary[kept]
    specific = np.empty(0, dtype=np.int64)
    word_idf = np.empty(0, dtype=np.float64)
    if counts.shape[1]:
        document_frequency = np.bincount(counts.indices, minlength=counts.shape[1])
        specific = np.flatnonzero(document_frequency <= max(params.lsa_max_df * n, 50))
        transformer = TfidfTransformer(sublinear_tf=True)
        tfidf = transformer.fit_transform(counts[:, specific])
        word_idf = transformer.idf_ if len(specific) else word_idf
    else:
        tfidf = counts
    char_keys = np.empty(0, dtype=np.int64)
    char_idf = np.empty(0, dtype=np.float64)
    if texts is not None and params.char_ngrams and n >= 3:
        tfidf, char_keys, char_idf = _with_characters(tfidf, texts, params)
    words = counts.copy()
    words.data[:] = 1
    topic_idf = np.empty(0, dtype=np.float64)
    if titles and params.topic_weight > 0 and n >= 3:
        tfidf, topic_idf = _with_topics(tfidf, words, vocabulary, params)
    dims = min(params.dims, max(1, tfidf.shape[1] - 1), max(1, n - 1))
    components = np.empty((0, 0), dtype=np.float32)
    if tfidf.shape[1] >= 2 and n >= 3:
        svd = TruncatedSVD(dims, algorithm="randomized", n_iter=4, random_state=params.seed)
        sample_size = params.svd_sample if texts is not None and params.char_ngrams else params.fit_sample
        svd.fit(tfidf[_sample(n, sample_size, weights, params.seed)])
        vectors = svd.transform(tfidf)
        components = svd.components_.astype(np.float32)
    else:
        vectors = tfidf.toarray() if tfidf.shape[1] else np.zeros((n, 1))
    vectors = normalize(vectors).astype(np.float32)
    featuriser = Featuriser(
        vocabulary=vocabulary,
        specific=specific,
        word_idf=np.asarray(word_idf, dtype=np.float64),
        char_keys=char_keys,
        char_idf=char_idf,
        components=components,
        char_weight=params.char_weight,
        max_chars=params.max_chars,
        topic_idf=topic_idf,
        topic_weight=params.topic_weight if len(topic_idf) else 0.0,
    )
    return featuriser, Features(vectors=vectors, words=words.astype(np.float32), vocabulary=vocabulary)


def _with_characters(
    words: sparse.csr_matrix, texts: Sequence[str], params: ThemeParams
) -> tuple[sparse.csr_matrix, np.ndarray, np.ndarray]:
    """The word TF-IDF block next to a character 1–2-gram TF-IDF block of each text's opening, each
    block normalised: characters catch what segmentation splits apart (养老金 / 养老保险 share 养老),
    words keep what characters blur. On the government messages the pair beats either alone.
    Also returns the character n-grams kept and their IDF."""
    from sklearn.feature_extraction.text import TfidfTransformer
    from sklearn.preprocessing import normalize

    from search.clustering.campaigns import normalise

    counts, keys = character_counts(
        [normalise(text[: params.max_chars]) for text in texts], params.char_features, with_keys=True
    )
    if counts.shape[1] == 0:
        return words, np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float64)
    transformer = TfidfTransformer(sublinear_tf=True)
    blocks = [normalize(transformer.fit_transform(counts)) * params.char_weight]
    if words.shape[1]:
        blocks.insert(0, normalize(words))
    return sparse.hstack(blocks).tocsr(), keys, transformer.idf_


def _with_topics(
    features: sparse.csr_matrix, words: sparse.csr_matrix, vocabulary: np.ndarray, params: ThemeParams
) -> tuple[sparse.csr_matrix, np.ndarray]:
    """The features with the items' topic mixtures as one more block (weighted `topic_weight`), and the
    words' IDF they were weighted with; unchanged (and no IDF) when the topic model knows none of the words."""
    from search.clustering.topics import topic_mixtures

    n = words.shape[0]
    document_frequency = np.bincount(words.indices, minlength=words.shape[1])
    idf = np.log(n / np.maximum(document_frequency, 1))
    mixtures = topic_mixtures(words, vocabulary, idf)
    if not mixtures.any():
        return features, np.empty(0, dtype=np.float64)
    block = sparse.csr_matrix(mixtures * params.topic_weight)
    return sparse.hstack([features, block]).tocsr(), idf


def _character_keys(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """(row, key) of every character unigram and bigram of each text: a unigram's key is its code point,
    a bigram's 2**42 + (first << 21) + second."""
    n = len(texts)
    lengths = np.fromiter((len(text) for text in texts), dtype=np.int64, count=n)
    if n == 0 or lengths.sum() == 0:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    points = np.frombuffer("".join(texts).encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    rows = np.repeat(np.arange(n), lengths)
    pair = rows[:-1] == rows[1:]  # two neighbours in the same text
    keys = np.concatenate([points, (1 << 42) + (points[:-1][pair] << 21) + points[1:][pair]])
    return np.concatenate([rows, rows[:-1][pair]]), keys


def _character_matrix(texts: Sequence[str], vocabulary: np.ndarray) -> sparse.csr_matrix:
    """Counts of the character n-grams in `vocabulary` (sorted keys) in each text; the others are ignored."""
    rows, keys = _character_keys(texts)
    position = np.searchsorted(vocabulary, keys)
    position[position == len(vocabulary)] = 0
    known = vocabulary[position] == keys if len(vocabulary) else np.zeros(len(keys), dtype=bool)
    counts = sparse.csr_matrix(
        (np.ones(int(known.sum())), (rows[known], position[known])),
        shape=(len(texts), len(vocabulary)),
        dtype=np.float64,
    )
    counts.sum_duplicates()
    return counts


def character_counts(
    texts: Sequence[str], limit: int, min_df: int = 2, max_df: float = 0.5, *, with_keys: bool = False
):
    """Counts of the character unigrams and bigrams of each text (text × n-gram), keeping the `limit`
    n-grams in most texts among those in at least `min_df` texts and at most `max_df` of them
    (and, `with_keys`, the kept n-grams' keys, sorted). Done on arrays of code points, about ten times
    faster than scikit-learn's character analyzer."""
    n = len(texts)
    rows, keys = _character_keys(texts)
    if len(keys) == 0:
        empty = sparse.csr_matrix((n, 0), dtype=np.float64)
        return (empty, np.empty(0, dtype=np.int64)) if with_keys else empty
    vocabulary, columns = np.unique(keys, return_inverse=True)
    counts = sparse.csr_matrix(
        (np.ones(len(keys)), (rows, columns.ravel())), shape=(n, len(vocabulary)), dtype=np.float64
    )
    counts.sum_duplicates()
    document_frequency = np.bincount(counts.indices, minlength=counts.shape[1])
    kept = np.flatnonzero((document_frequency >= min_df) & (document_frequency <= max_df * n))
    if len(kept) > limit:
        order = np.lexsort((kept, -document_frequency[kept]))  # most frequent first, then by key
        kept = np.sort(kept[order[:limit]])
    return (counts[:, kept], vocabulary[kept]) if with_keys else counts[:, kept]


# --- clustering ----------------------------------------------------------------------------


def _sample(n: int, size: int, weights: np.ndarray | None, seed: int) -> np.ndarray:
    """Up to `size` distinct item indices, drawn in proportion to their weights, sorted."""
    if n <= size:
        return np.arange(n)
    rng = np.random.default_rng(seed)
    p = None if weights is None else np.asarray(weights, dtype=np.float64) / np.sum(weights)
    return np.sort(rng.choice(n, size=size, replace=False, p=p))


def _kmeans(
    vectors: np.ndarray, k: int, weights: np.ndarray, n_init: int, seed: int, fit_sample: int | None = None
) -> np.ndarray:
    """k-means labels; fitted on a weighted sample of `fit_sample` items when there are more."""
    from sklearn.cluster import KMeans

    model = KMeans(n_clusters=k, n_init=n_init, random_state=seed)
    if fit_sample is None or len(vectors) <= fit_sample:
        return model.fit_predict(vectors, sample_weight=weights)
    sample = _sample(len(vectors), fit_sample, weights, seed)
    model.fit(vectors[sample])
    return model.predict(vectors)


def choose_k(vectors: np.ndarray, weights: np.ndarray, params: ThemeParams) -> tuple[int, dict[int, float]]:
    """The k in [k_min, min(k_max, √(n/2))] with the best silhouette (cosine) on a weighted sample of items,
    measured on the leading `k_dims` LSA components: in all 100 dimensions the silhouette of
    short texts grows with k whatever the data, on the main axes it peaks at the real grouping
    (k = 10 on the ten-category shopping set)."""
    from sklearn import config_context
    from sklearn.metrics import silhouette_score
    from sklearn.preprocessing import normalize

    points = vectors[_sample(len(vectors), params.k_sample, weights, params.seed), : params.k_dims]
    points = normalize(points)
    distinct = len(np.unique(points.round(4), axis=0))
    # at most √(n/2) themes (the usual rule of thumb): 99 comments → 7, 2,000 → 20 (k_max)
    upper = min(params.k_max, distinct - 1, len(points) - 1, max(2, int(np.sqrt(len(vectors) / 2))))
    scores: dict[int, float] = {}
    for k in range(max(2, params.k_min), upper + 1):
        labels = _kmeans(points, k, np.ones(len(points)), n_init=2, seed=params.seed)
        if len(set(labels.tolist())) < 2:
            continue
        with config_context(working_memory=64):  # MB per chunk of distances (default 1 GB)
            scores[k] = float(silhouette_score(points, labels, metric="cosine", random_state=params.seed))
    if not scores:
        return 1, scores
    return max(scores, key=lambda k: scores[k]), scores


def refine(
    words: sparse.csr_matrix, labels: np.ndarray, weights: np.ndarray, params: ThemeParams
) -> tuple[np.ndarray, float]:
    """EM of a multinomial mixture over words (soft assignments), started from `labels`; returns
    each item's most likely theme and the model's (weighted) log-likelihood. Items without any
    word keep their label; themes that end up with no item disappear (labels stay 0 … k'-1)."""
    from scipy.special import logsumexp

    has_words = np.asarray(words.sum(axis=1)).ravel() > 0
    if not has_words.any() or words.shape[1] == 0 or params.em_rounds == 0:
        return labels.copy(), float("-inf")
    likelihood = float("-inf")
    n, k = len(labels), int(labels.max()) + 1
    responsibility = np.zeros((n, k), dtype=np.float32)
    responsibility[np.arange(n), labels] = 1
    weighted = weights.astype(np.float32)[:, None]
    scores = responsibility
    for _round in range(params.em_rounds):
        mass = responsibility * weighted
        counts = np.asarray(words.T @ mass).T + params.smoothing  # k × V
        log_word = np.log(counts) - np.log(counts.sum(axis=1, keepdims=True))
        sizes = mass.sum(axis=0)
        log_prior = np.log(sizes + 1.0) - np.log(sizes.sum() + k)
        scores = np.asarray(words @ log_word.T.astype(np.float32)) + log_prior.astype(np.float32)
        total = logsumexp(scores, axis=1, keepdims=True)
        likelihood = float((total.ravel() * weights)[has_words].sum())
        responsibility = np.exp(scores - total).astype(np.float32)
        responsibility[~has_words] = 0
        responsibility[~has_words, labels[~has_words]] = 1
    refined = np.where(has_words, scores.argmax(axis=1), labels)
    _, refined = np.unique(refined, return_inverse=True)
    return refined, likelihood


def centroids_of(vectors: np.ndarray, labels: np.ndarray, weights: np.ndarray, k: int) -> np.ndarray:
    """Weighted mean vector of each theme, normalised to unit length."""
    centroids = np.zeros((k, vectors.shape[1]), dtype=np.float64)
    np.add.at(centroids, labels, vectors * weights[:, None])
    norms = np.linalg.norm(centroids, axis=1, keepdims=True)
    return (centroids / np.where(norms > 0, norms, 1)).astype(np.float32)


def distinctive_terms(
    words: sparse.csr_matrix, vocabulary: np.ndarray, labels: np.ndarray, weights: np.ndarray, top: int
) -> list[list[str]]:
    """Per theme, the words most over-represented against the other themes: weighted log-odds
    with an informative Dirichlet prior (Monroe, Colaresi & Quinn 2008), z-scored, count ≥ 2."""
    k = int(labels.max()) + 1 if len(labels) else 0
    if k == 0 or words.shape[1] == 0:
        return [[] for _ in range(k)]
    membership = sparse.csr_matrix((weights, (np.arange(len(labels)), labels)), shape=(len(labels), k))
    counts = (membership.T @ words).tocsr()  # k × V, sparse: a draft may have thousands of themes
    total = np.asarray(counts.sum(axis=0)).ravel()
    prior = 100.0 * (total + 0.01) / (total.sum() + 0.01 * len(total))  # α_w, α0 = 100
    alpha0 = prior.sum()
    labelable = _labelable_mask(vocabulary)
    sizes = np.asarray(counts.sum(axis=1)).ravel()
    n_total = total.sum()
    terms: list[list[str]] = []
    for theme in range(k):
        # only words the theme holds twice or more can be its terms: the others score -inf
        row = slice(counts.indptr[theme], counts.indptr[theme + 1])
        columns, inside = counts.indices[row], counts.data[row]
        chosen = (inside >= 2) & labelable[columns]
        columns, inside = columns[chosen], inside[chosen]
        if not len(columns):
            terms.append([])
            continue
        outside = total[columns] - inside
        a = prior[columns]
        n_in, n_out = sizes[theme], n_total - sizes[theme]
        delta = np.log((inside + a) / (n_in + alpha0 - inside - a)) - np.log(
            (outside + a) / (n_out + alpha0 - outside - a)
        )
        z = delta / np.sqrt(1.0 / (inside + a) + 1.0 / (outside + a))
        order = np.lexsort((columns, -z))[:top]  # best first; ties: the earlier word, as a stable sort of all
        terms.append([str(vocabulary[columns[i]]) for i in order if z[i] > 0])
    return terms


# Words every kind of comment uses to ask or judge: they cluster (建议 … is how amendments read) but
# name no subject, so they are never a theme's distinctive term.
GENERIC_WORDS = frozenset(
    [
        "建议",
        "希望",
        "认为",
        "觉得",
        "问题",
        "情况",
        "很多",
        "需要",
        "进行",
        "相关",
        "有关",
        "目前",
        "现在",
        "已经",
        "应予",
        "予以",
        "请求",
        "要求",
        "反映",
        "领导",
        "尊敬",
        "您好",
        "谢谢",
        "感谢",
        "部门",
        "政府",
        "规定",
        "条例",
        "本条",
        "草案",
        "修改",
        "增加",
        "删除",
        "明确",
        # how a citizen's message asks (A市何时能实现集中供暖？), and a company's legal form: never a subject
        "何时",
        "何时能",
        "能否",
        "可否",
        "是否",
        "为何",
        "为什么",
        "怎么",
        "如何",
        "有限公司",
        "有限责任公司",
        "股份有限公司",
    ]
)


_LABELABLE: dict[int, tuple[np.ndarray, np.ndarray]] = {}


def _labelable_mask(vocabulary: np.ndarray) -> np.ndarray:
    """`_labelable` of each word, kept for the last vocabulary: a draft's plan asks for the terms of each of its
    groupings (a hundred articles) over one vocabulary."""
    kept = _LABELABLE.get(id(vocabulary))
    if kept is None or kept[0] is not vocabulary:
        mask = np.fromiter((_labelable(str(w)) for w in vocabulary), dtype=bool, count=len(vocabulary))
        _LABELABLE.clear()
        _LABELABLE[id(vocabulary)] = kept = (vocabulary, mask)
    return kept[1]


def _labelable(word: str) -> bool:
    """Words that can name a theme: two characters or more, not a number, not a generic word."""
    return len(word) >= 2 and not word.replace(".", "").isdigit() and word not in GENERIC_WORDS


def representatives_of(
    vectors: np.ndarray,
    labels: np.ndarray,
    centroids: np.ndarray,
    count: int,
    weights: np.ndarray | None = None,
    candidates: int = 200,
    sample: int = 2000,
) -> tuple[list[list[int]], np.ndarray]:
    """Per theme, `count` members chosen for coverage: the most central first, then each time the
    member that best covers what the chosen ones leave out (greedy facility location: the weighted
    sum over members of their cosine to the nearest chosen one), so three representatives show three
    sides of a theme, not three copies of its centre. Candidates are the `candidates` most central
    members, measured against at most `sample` members (the most central ones, for a stable choice).
    Also returns each item's similarity to its centroid."""
    similarity = np.einsum("ij,ij->i", vectors, centroids[labels]) if len(labels) else np.empty(0)
    weights = np.ones(len(labels)) if weights is None else np.asarray(weights, dtype=np.float64)
    chosen = []
    for theme in range(len(centroids)):
        members = np.flatnonzero(labels == theme)
        order = members[np.argsort(-similarity[members], kind="stable")]
        pool, judged = order[:candidates], order[:sample]
        if len(pool) <= 1 or count <= 1:
            chosen.append(order[:count].tolist())
            continue
        cosine = vectors[judged] @ vectors[pool].T  # judged × candidates
        mass = weights[judged]
        covered = np.full(len(judged), -1.0)
        picked: list[int] = []
        for _ in range(min(count, len(pool))):
            gain = (np.maximum(cosine, covered[:, None]) * mass[:, None]).sum(axis=0)
            gain[picked] = -np.inf
            best = int(np.argmax(gain))  # ties: the more central (pool is sorted)
            picked.append(best)
            covered = np.maximum(covered, cosine[:, best])
        chosen.append([int(pool[i]) for i in picked])
    return chosen, similarity.astype(np.float32)


def cluster_themes(
    features: Features,
    *,
    weights: np.ndarray | None = None,
    k: int | None = None,
    params: ThemeParams | None = None,
    start: np.ndarray | None = None,
) -> Themes:
    """Themes of the items in `features`: `k` themes, or k chosen by silhouette when None.

    `start` (a label per item, -1 for items not seen before) warm-starts the run from earlier themes:
    new items join the nearest earlier theme, then EM re-estimates them all. A few new comments then
    move few old ones, where a cold run from new seeds could reshuffle many (`python -m search.bench`
    measures it: `stability_moved`)."""
    params = params or ThemeParams()
    with _threads(params.threads):
        return _cluster_themes(features, weights, k, params, start)


def _warm_start(vectors: np.ndarray, weights: np.ndarray, start: np.ndarray) -> np.ndarray:
    """Labels from earlier themes; each item without one takes the nearest earlier centroid."""
    _, known = np.unique(start[start >= 0], return_inverse=True)
    labels = np.full(len(start), -1, dtype=np.int64)
    labels[start >= 0] = known
    k = int(known.max()) + 1
    centroids = centroids_of(vectors[start >= 0], known, weights[start >= 0], k)
    new = np.flatnonzero(start < 0)
    if len(new):
        labels[new] = (vectors[new] @ centroids.T).argmax(axis=1)
    return labels


def _cluster_themes(
    features: Features, weights: np.ndarray | None, k: int | None, params: ThemeParams, start: np.ndarray | None
) -> Themes:
    n = len(features.vectors)
    weights = np.ones(n) if weights is None else np.asarray(weights, dtype=np.float64)
    scores: dict[int, float] = {}
    if n == 0:
        return Themes(np.empty(0, np.int64), np.empty((0, 1), np.float32), np.empty(0, np.float32), [], [], np.empty(0))
    shared = _shared_words(features.words, params)
    if start is not None and (np.asarray(start) >= 0).any():
        labels, _likelihood = refine(shared, _warm_start(features.vectors, weights, np.asarray(start)), weights, params)
        return _describe_themes(features, weights, labels, params, scores)
    if k is None:
        k, scores = choose_k(features.vectors, weights, params)
    k = max(1, min(k, n))
    if k == 1:
        labels = np.zeros(n, dtype=np.int64)
    else:
        best = float("-inf")
        restarts = params.restarts if n <= params.fit_sample else params.restarts_large
        for restart in range(max(1, restarts)):
            seed = params.seed + restart
            start = _kmeans(features.vectors, k, weights, params.n_init, seed, params.fit_sample)
            refined, likelihood = refine(shared, start, weights, params)
            if restart == 0 or likelihood > best:
                labels, best = refined, likelihood
    return _describe_themes(features, weights, labels, params, scores)


def _shared_words(words: sparse.csr_matrix, params: ThemeParams) -> sparse.csr_matrix:
    """The columns of the words that `min_df` items hold: what groups items together. A word of one
    item only (a campaign's own wording, which may still name its theme) explains that item whatever
    its theme, so in the mixture it only holds the item where it started."""
    n = words.shape[0]
    frequency = np.bincount(words.indices, minlength=words.shape[1])
    min_df = min_df_for(np.diff(words.indptr), params)
    return words[:, np.flatnonzero(frequency >= min(min_df, max(1, n // 2)))]


def _describe_themes(
    features: Features, weights: np.ndarray, labels: np.ndarray, params: ThemeParams, scores: dict[int, float]
) -> Themes:
    _, labels = np.unique(labels, return_inverse=True)
    k = int(labels.max()) + 1
    centroids = centroids_of(features.vectors, labels, weights, k)
    representatives, similarity = representatives_of(
        features.vectors, labels, centroids, params.representatives, weights
    )
    terms = distinctive_terms(features.words, features.vocabulary, labels, weights, params.top_terms)
    sizes = np.bincount(labels, weights=weights, minlength=k)
    return Themes(labels.astype(np.int64), centroids, similarity, terms, representatives, sizes, scores)


# --- incremental ---------------------------------------------------------------------------


def assign(vectors: np.ndarray, centroids: np.ndarray, floor: float) -> tuple[np.ndarray, np.ndarray]:
    """Each item's nearest centroid (cosine) if at least `floor`, else -1; and that similarity."""
    if len(vectors) == 0 or len(centroids) == 0:
        return np.full(len(vectors), -1, dtype=np.int64), np.zeros(len(vectors), dtype=np.float32)
    similarity = vectors @ centroids.T
    nearest = similarity.argmax(axis=1)
    best = similarity[np.arange(len(vectors)), nearest]
    return np.where(best >= floor, nearest, -1).astype(np.int64), best.astype(np.float32)


def match_groups(old: Sequence[set[int]], new: Sequence[set[int]], *, min_overlap: float = 0.3) -> dict[int, int]:
    """One-to-one matching of new groups to old ones maximising shared members (Hungarian
    algorithm on Jaccard); a pair is kept only if its Jaccard is at least `min_overlap`.
    Returns {new index: old index}."""
    from scipy.optimize import linear_sum_assignment

    if not old or not new:
        return {}
    jaccard = np.zeros((len(new), len(old)))
    owner: dict[int, int] = {}
    for index, members in enumerate(old):
        for member in members:
            owner[member] = index
    for row, members in enumerate(new):
        shared: dict[int, int] = {}
        for member in members:
            column = owner.get(member)
            if column is not None:
                shared[column] = shared.get(column, 0) + 1
        for column, count in shared.items():
            jaccard[row, column] = count / (len(members) + len(old[column]) - count)
    rows, columns = linear_sum_assignment(-jaccard)
    return {int(r): int(c) for r, c in zip(rows, columns, strict=True) if jaccard[r, c] >= min_overlap}


def stance_counts(labels: np.ndarray, stances: Sequence[str], k: int) -> list[dict[str, int]]:
    """Per theme, how many comments take each stance (labels and stances per comment)."""
    counts: list[dict[str, int]] = [{} for _ in range(k)]
    for label, stance in zip(np.asarray(labels).tolist(), stances, strict=True):
        if label >= 0:
            counts[label][stance] = counts[label].get(stance, 0) + 1
    return counts


def dominant(labels: np.ndarray, values: Sequence, k: int, min_share: float = 0.5) -> list:
    """Per theme, the value most of its comments share (e.g. their article), if its share is
    more than `min_share`; else None. Values of None count as a value of their own."""
    result: list = []
    labels = np.asarray(labels)
    for theme in range(k):
        members = np.flatnonzero(labels == theme)
        tally: dict = {}
        for index in members.tolist():
            tally[values[index]] = tally.get(values[index], 0) + 1
        if not tally:
            result.append(None)
            continue
        value, count = max(tally.items(), key=lambda item: item[1])
        result.append(value if count > min_share * len(members) else None)
    return result
