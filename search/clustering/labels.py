"""What a legislator reads of a theme: a short title drawn from its own comments, and small sets
grouped without forcing a number of themes.

    key_phrase(texts, terms) -> str          the theme's subject, as its comments word it
    topic_phrase(texts, terms) -> str        a run of words many of the comments share ("老旧小区加装电梯")
    small_groups(words, weights, ...) -> labels   near-identity and shared distinctive words; -1: no theme

A title is a substring of one of the theme's comments, never a list of keywords: "老旧小区加装电梯"
reads as a subject, "住户、建议、补偿" does not. It is the phrase the theme's comments share that
carries its distinctive terms best (what a drafter would head the theme with in a report), or, when
the comments share no such phrase, the clause of one of them that carries the terms best.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
from scipy import sparse

TITLE_CHARS = 24  # a title longer than this is cut around its first term
MIN_TITLE_CHARS = 6
PHRASE_CHARS = (4, 14)  # a shared phrase's length in characters
PHRASE_WORDS = 6  # … and at most this many words
PHRASE_SHARE = 0.1  # a shared phrase is in at least this share of the comments read (and in two)
# words a phrase may hold inside but neither open nor close with ("一楼住户的采光"); other stop words break it
_JOINERS = frozenset("的和与及、")
# words that make a phrase a question or a stance, not a subject ("是不是省人民医院"): never at its ends
_NOT_AT_ENDS = frozenset(
    [
        "是不是",
        "不是",
        "没有",
        "可以",
        "能否",
        "能不能",
        "怎么",
        "怎么办",
        "什么",
        "为什么",
        "如何",
        "应当",
        "应该",
        "需要",
        "建议",
        "希望",
        "认为",
        "觉得",
        "要求",
        "请问",
        "请",
        "问题",
        "非常",
        "十分",
        "已经",
        "一直",
        "还是",
        "还有",
        "现在",
        "目前",
        "很多",
        "一些",
        "这个",
        "那个",
        "这些",
        "那些",
        "我们",
        "你们",
        "他们",
        "大家",
        "进行",
        "一个",
        "一下",
    ]
)
# what a clause may open with that says nothing of its subject (cut off the title, which stays a substring)
_OPENERS = re.compile(
    r"^(?:(?:我|我们|本人)?(?:认为|觉得|建议|希望|强烈建议|恳请|请求|呼吁)|建议|希望|应当|应该|关于|对于|针对|另外|此外|同时"
    r"|而且|但是|但从|但|因此|所以|其次|首先|最后|由于|因为|如果|虽然|并且|并|又|却|而|就|也|还|能|请)[，,：:\s]*"
)
_CLOSERS = re.compile(r"(?:呢|吗|吧|啊|呀|了|的)+$")
_CLAUSES = re.compile(r"[^，。；！？!?;,\s…~～]+")  # reviews often part clauses by spaces and tildes


def clauses(text: str) -> list[tuple[int, str]]:
    """(start, clause) of each clause of `text`, split at sentence and clause punctuation."""
    return [(match.start(), match.group()) for match in _CLAUSES.finditer(text) if match.group().strip()]


def key_phrase(texts: Sequence[str], terms: Sequence[str], *, max_chars: int = TITLE_CHARS) -> str:
    """The theme's title: the phrase its comments share (`topic_phrase`), else the clause of one of
    them that carries its terms best (`key_clause`). Always a substring of one of `texts`."""
    return topic_phrase(texts, terms) or key_clause(texts, terms, max_chars=max_chars)


def topic_phrase(texts: Sequence[str], terms: Sequence[str]) -> str:
    """A run of words that at least two of `texts` (and `PHRASE_SHARE` of them) contain, holding one
    of the theme's distinctive `terms` (best first): the one whose share of the texts times the terms
    it holds (each by its rank) is highest, the longer one on a tie, then the first met. Runs stop at
    punctuation and at stop words other than 的/和/与/及, never open or close on one, nor on a word that
    makes them a question or a stance (是不是, 应当, 建议 …). Empty when no run qualifies."""
    from search.tokenize import dropped, segment, stopwords

    wanted = {term: rank for rank, term in enumerate(terms) if term}
    if not wanted or not texts:
        return ""
    drop, stop = dropped(), stopwords()
    low, high = PHRASE_CHARS
    found: dict[str, set[int]] = {}
    first_seen: dict[str, tuple[int, int, str]] = {}
    for position, text in enumerate(texts):
        words = segment(text)
        original = text if len("".join(words)) == len(text) else None  # offsets map back to the text as written
        start = 0
        offsets = []
        for word in words:
            offsets.append(start)
            start += len(word)
        for i, word in enumerate(words):
            if word in stop or word in drop or word in _NOT_AT_ENDS or word.isspace() or _has_digit(word):
                continue
            length = 0
            for j in range(i, min(len(words), i + PHRASE_WORDS)):
                last = words[j]
                if last in drop and last not in _JOINERS or last.isspace() or (last in stop and last not in _JOINERS):
                    break
                length += len(last)
                if length > high:
                    break
                if length < low or last in stop or last in _NOT_AT_ENDS or _has_digit(last):
                    continue
                phrase = "".join(words[i : j + 1])
                if not any(term in phrase for term in wanted):
                    continue
                found.setdefault(phrase, set()).add(position)
                if phrase not in first_seen and original is not None:
                    first_seen[phrase] = (position, offsets[i], original[offsets[i] : offsets[i] + len(phrase)])
    needed = max(2, PHRASE_SHARE * len(texts))
    ranked = []
    for phrase, where in found.items():
        if len(where) < needed or phrase not in first_seen:
            continue
        held = {term for term in wanted if term in phrase}
        score = len(where) * sum(1 / (1 + wanted[term]) for term in held)
        ranked.append(((-round(score, 6), -len(phrase), first_seen[phrase][:2]), phrase))
    for _key, phrase in sorted(ranked):
        if reads_as_subject(phrase):
            return first_seen[phrase][2].strip()
    return ""


# parts of speech (jieba's tags) a subject does not open with: adjectives and adverbs on their own
# ("严重污染"), prepositions, conjunctions, particles, pronouns, numerals, measure words, interjections
_NOT_OPENING = frozenset(
    {"a", "ad", "d", "p", "c", "u", "r", "m", "q", "y", "e", "o", "uj", "ul", "uz", "ug", "uv", "ud"}
)


def reads_as_subject(phrase: str) -> bool:
    """Whether a phrase names a subject, by its words' parts of speech: it ends with a noun (or a verbal
    noun, or one of the legal and government terms, which are names of things: 加装电梯, 行政复议, 酒店服务)
    and does not open with a word that qualifies something left out (严重污染, 严厉打击 and 应当简化 do)
    unless it runs on for three words or more (老旧小区加装电梯)."""
    from search.tokenize import tagged

    words = tagged(phrase)
    if not words:
        return False
    last = words[-1][1]
    if not (last.startswith("n") or last in {"vn", ""}):
        return False
    return len(words) >= 3 or words[0][1] not in _NOT_OPENING


def _has_digit(word: str) -> bool:
    return any(char.isdigit() for char in word)


def key_clause(texts: Sequence[str], terms: Sequence[str], *, max_chars: int = TITLE_CHARS) -> str:
    """The clause of one of `texts` (a theme's comments, most representative first) that best
    carries the theme's distinctive `terms` (best first): each term it contains scores by its rank,
    times the share of the theme's comments that contain that term; a short clause wins a tie, then
    the earlier one. Filler openers (建议, 我认为 …) are cut off and a long clause is cut around its
    first term, so the result is always a substring of a member comment. Without terms, the first
    clause of the first text."""
    from search.tokenize import normalize

    folded_texts = [normalize(text) for text in texts]
    share = {term: sum(term in folded for folded in folded_texts) / max(1, len(folded_texts)) for term in terms if term}
    best: tuple | None = None
    for position, (text, folded) in enumerate(zip(texts, folded_texts, strict=True)):
        if len(folded) != len(text):  # folding changed lengths (rare NFKC cases): offsets would not match
            folded = text
        for start, clause in clauses(text):
            folded_clause = folded[start : start + len(clause)]
            found = [(rank, term) for rank, term in enumerate(terms) if term and term in folded_clause]
            if not found:
                continue
            score = sum(share.get(term, 0) / (1 + rank) for rank, term in found)
            key = (-round(score, 6), len(clause.strip()) < MIN_TITLE_CHARS, len(clause) > max_chars, position, start)
            if best is None or key < best[0]:
                best = (key, clause, folded_clause, found)
    if best is None:
        first = next((clause for text in texts for _start, clause in clauses(text)), "")
        return _trim(first.strip(), first.strip(), [], max_chars)
    _key, clause, folded_clause, found = best
    return _trim(clause, folded_clause, [term for _rank, term in found], max_chars)


def _trim(clause: str, folded: str, terms: list[str], max_chars: int) -> str:
    """Cut filler openers and, if still long, a window of `max_chars` starting a little before the
    first term; strip spaces and quotes at the ends."""
    opener = _OPENERS.match(folded)
    if opener and len(clause) - opener.end() >= MIN_TITLE_CHARS:
        clause, folded = clause[opener.end() :], folded[opener.end() :]
    if len(clause) > max_chars:
        first = min((folded.find(term) for term in terms if term in folded), default=0)
        start, end = _window(folded, max(0, min(first - 4, len(clause) - max_chars)), max_chars)
        clause = clause[start:end]
    closer = _CLOSERS.search(clause)
    if closer and closer.start() >= MIN_TITLE_CHARS:
        clause = clause[: closer.start()]
    return clause.strip(" \t\"'“”‘’「」《》()（）:：-—")


def _window(folded: str, start: int, width: int) -> tuple[int, int]:
    """A window of at most `width` characters of `folded` from about `start`, both ends on word boundaries
    (a cut that goes through a word, "门前的人|行道", reads as a mistake): it starts at the last boundary up to
    `start` and ends at the last one that fits. Without boundaries close enough (one very long word), it is cut
    at `width` characters."""
    from search.tokenize import segment

    words = segment(folded)
    if sum(len(word) for word in words) != len(folded):  # folding changed lengths: no reliable boundaries
        return start, start + width
    boundaries = [0]
    for word in words:
        boundaries.append(boundaries[-1] + len(word))
    begin = max(boundary for boundary in boundaries if boundary <= start)
    end = max(boundary for boundary in boundaries if boundary <= begin + width)
    if end - begin < width // 2:
        return start, start + width
    return begin, end


def small_groups(
    words: sparse.csr_matrix,
    weights: np.ndarray,
    *,
    min_shared: int = 2,
    min_similarity: float = 0.15,
) -> np.ndarray:
    """Groups of a small set of items (a few dozen comments) without choosing a number of themes:
    items are joined when they share at least `min_shared` distinctive words (words in at least two
    items and at most half of them, weighted by IDF) and their cosine on those words is at least
    `min_similarity`; groups are the connected parts of average-linkage agglomeration at that
    similarity, so one word in common does not chain subjects together. A group needs two comments
    (a campaign item weighing two or more is a group alone); the rest get -1 (未归类).

    `words` is the binary item × word matrix; labels are numbered by first member."""
    from sklearn.preprocessing import normalize

    n = words.shape[0]
    labels = np.full(n, -1, dtype=np.int64)
    if n == 0:
        return labels
    binary = words.tocsr().astype(np.float64)
    binary.data[:] = 1
    document_frequency = np.asarray(binary.sum(axis=0)).ravel()
    distinctive = np.flatnonzero((document_frequency >= 2) & (document_frequency <= max(2, n / 2)))
    if n >= 2 and len(distinctive):
        chosen = binary[:, distinctive]
        idf = np.log((1 + n) / (1 + document_frequency[distinctive])) + 1
        shared = (chosen @ chosen.T).toarray()
        cosine = (normalize(chosen @ sparse.diags(idf)) @ normalize(chosen @ sparse.diags(idf)).T).toarray()
        linked = (shared >= min_shared) & (cosine >= min_similarity)
        np.fill_diagonal(linked, False)
        labels = _average_linkage(np.where(linked, cosine, 0.0), min_similarity)
    # groups of one item are no theme, unless the item is a campaign (near-identical comments)
    sizes = np.bincount(labels[labels >= 0], weights=np.asarray(weights, dtype=np.float64)[labels >= 0])
    counts = np.bincount(labels[labels >= 0])
    for label in range(len(counts)):
        if counts[label] == 1 and sizes[label] < 2:
            labels[labels == label] = -1
    for index in np.flatnonzero((labels < 0) & (np.asarray(weights) >= 2)):
        labels[index] = labels.max() + 1
    return _renumber(labels)


def _average_linkage(similarity: np.ndarray, floor: float) -> np.ndarray:
    """Average-linkage agglomeration on a similarity matrix (0 = not linked), merging while the best
    pair of groups has an average similarity of at least `floor`. Small n only (O(n³))."""
    n = len(similarity)
    groups: list[list[int]] = [[i] for i in range(n)]
    while True:
        best, pair = floor, None
        for a in range(len(groups)):
            for b in range(a + 1, len(groups)):
                value = similarity[np.ix_(groups[a], groups[b])].mean()
                if value >= best and (pair is None or value > best):
                    best, pair = value, (a, b)
        if pair is None:
            break
        a, b = pair
        groups[a] = sorted(groups[a] + groups[b])
        del groups[b]
    labels = np.full(n, -1, dtype=np.int64)
    for number, members in enumerate(groups):
        labels[members] = number
    return labels


def _renumber(labels: np.ndarray) -> np.ndarray:
    """Labels 0 … k-1 in order of first member; -1 kept."""
    result = np.full(len(labels), -1, dtype=np.int64)
    mapping: dict[int, int] = {}
    for index, label in enumerate(labels.tolist()):
        if label >= 0:
            result[index] = mapping.setdefault(label, len(mapping))
    return result
