"""Character-bigram similarity for Chinese text: needs no segmentation and survives small edits.

Used to match articles across versions, to find near-duplicate reports and similar petitions.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter

_NOISE = re.compile(r"[\s\W_]+", re.UNICODE)


def normalise(text: str) -> str:
    """NFKC, without spaces and punctuation: the characters that carry meaning."""
    return _NOISE.sub("", unicodedata.normalize("NFKC", text or ""))


def bigram_vector(text: str) -> Counter[str]:
    chars = normalise(text)
    if len(chars) < 2:
        return Counter([chars]) if chars else Counter()
    return Counter(chars[i : i + 2] for i in range(len(chars) - 1))


def cosine(a: Counter[str], b: Counter[str]) -> float:
    if not a or not b:
        return 0.0
    if len(a) > len(b):
        a, b = b, a
    dot = sum(count * b.get(gram, 0) for gram, count in a.items())
    norm = math.sqrt(sum(v * v for v in a.values())) * math.sqrt(sum(v * v for v in b.values()))
    return dot / norm if norm else 0.0


def text_similarity(a: str, b: str) -> float:
    return cosine(bigram_vector(a), bigram_vector(b))
