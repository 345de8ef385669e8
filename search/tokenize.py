"""Chinese segmentation for search and clustering, the same at index and at query time.

    normalize(text)  NFKC (full-width → half-width), traditional → simplified (OpenCC t2s), lower case
    segment(text)    every token of the normalized text (jieba's dictionary + legal terms, HMM off)
    tokens(text)     segment() without stop words, punctuation and whitespace
    index_tokens(text)  tokens() plus the dictionary words inside long words (jieba's search mode)
    analyze(text)    index_tokens() joined by spaces: what the full-text indexes store
    query_words(text)   the query's words, each with the shorter words it contains: a document
                        matches a word if it has the word or every shorter word inside it, so
                        行政复议 finds 中华人民共和国行政复议法 and 无障碍设施 finds 无障碍设施建设

The segmenter is rjieba (jieba-rs), which gives jieba's output with HMM off at many times its
speed; `plain_jieba()` builds the pure-Python jieba with the same dictionary, for comparison.
Everything is loaded once per process, on first use, and needs no Django settings.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
LEGAL_TERMS = DATA / "legal_terms.txt"
GOVERNMENT_TERMS = DATA / "government_terms.txt"
STOPWORDS = DATA / "stopwords.txt"

# A user term's frequency: high enough that the segmenter keeps it whole wherever it occurs.
TERM_FREQUENCY = 200_000


def _lines(path: Path) -> list[str]:
    if not path.exists():
        return []
    return [
        line.strip()
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]


@cache
def user_terms() -> tuple[str, ...]:
    """The legal and government terms kept whole, simplified and NFKC-normalised like the text."""
    converter = _converter()
    terms = {converter.convert(unicodedata.normalize("NFKC", term)).lower() for term in _lines(GOVERNMENT_TERMS)}
    terms |= {converter.convert(unicodedata.normalize("NFKC", term)).lower() for term in _lines(LEGAL_TERMS)}
    return tuple(sorted(terms))


@cache
def stopwords() -> frozenset[str]:
    return frozenset(_lines(STOPWORDS))


@cache
def _converter():
    import opencc

    return opencc.OpenCC("t2s")


@cache
def _segmenter():
    import rjieba

    segmenter = rjieba.Jieba()
    for term in user_terms():
        segmenter.add_word(term, TERM_FREQUENCY, None)
    return segmenter


def plain_jieba():
    """Pure-Python jieba with the same user terms (the reference the fast segmenter must equal)."""
    import logging

    import jieba

    logging.getLogger("jieba").setLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    for term in user_terms():
        tokenizer.add_word(term, TERM_FREQUENCY)
    return tokenizer


@cache
def _nfkc_table() -> dict[int, str]:
    """Each character of the Basic Multilingual Plane that NFKC changes, with its NFKC form."""
    table = {}
    for code in range(0x10000):
        if 0xD800 <= code < 0xE000:
            continue
        char = chr(code)
        folded = unicodedata.normalize("NFKC", char)
        if folded != char:
            table[code] = folded
    return table


def nfkc(text: str) -> str:
    """NFKC, faster on typical Chinese text: characters are mapped one by one (a C-level table
    lookup), and the full algorithm runs only if the result is not yet normalised (combining
    sequences, characters outside the table). The result is always exactly NFKC(text)."""
    mapped = text.translate(_nfkc_table())
    return mapped if unicodedata.is_normalized("NFKC", mapped) else unicodedata.normalize("NFKC", mapped)


def normalize(text: str) -> str:
    """One form for every way of writing the same words: 電子政務 and ｅ政务 fold like 电子政务 and e政务."""
    if not text:
        return ""
    return _converter().convert(nfkc(text)).lower()


def segment(text: str) -> list[str]:
    """All tokens of the normalized text, including punctuation and stop words."""
    normalized = normalize(text)
    return _segmenter().cut(normalized, False) if normalized else []


def tagged(text: str) -> list[tuple[str, str]]:
    """(word, part of speech) of the normalized text, jieba's tags ("n" noun, "v" verb, "a" adjective …);
    the legal and government terms have the tag "" (they are names of things)."""
    normalized = normalize(text)
    return [(word, tag or "") for word, tag in _segmenter().tag(normalized, False)] if normalized else []


@cache
def dropped() -> frozenset[str]:
    """Tokens that carry no meaning: stop words, and every punctuation, symbol, separator or control
    character of the Basic Multilingual Plane (the segmenter emits those one character at a time)."""
    return stopwords() | frozenset(char for char in map(chr, range(0x10000)) if unicodedata.category(char)[0] in "PSZC")


def tokens(text: str) -> list[str]:
    """The words that carry meaning: no stop words, punctuation or whitespace."""
    drop = dropped()
    return [token for token in segment(text) if token not in drop and not token.isspace()]


def tokens_many(texts: Iterable[str]) -> list[list[str]]:
    return [tokens(text) for text in texts]


def index_tokens(text: str) -> list[str]:
    """Tokens in search mode: each word, preceded by the dictionary words of 2 and 3 characters inside it."""
    normalized = normalize(text)
    if not normalized:
        return []
    drop = dropped()
    return [
        token for token in _segmenter().cut_for_search(normalized, False) if token not in drop and not token.isspace()
    ]


def analyze(text: str) -> str:
    """Index tokens joined by single spaces: the form stored in full-text indexes."""
    return " ".join(index_tokens(text))


def query_words(text: str) -> list[tuple[str, tuple[str, ...]]]:
    """The query's words (no repeats), each with the words inside it that stand for it."""
    words = []
    for word in dict.fromkeys(tokens(text)):
        parts = tuple(part for part in index_tokens(word) if part != word) if len(word) > 2 else ()
        words.append((word, parts))
    return words


def warm_up() -> None:
    """Load the dictionaries now (at process start) rather than on the first request."""
    segment("预热")
    dropped()
    _nfkc_table()
