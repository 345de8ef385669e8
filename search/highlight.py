"""Highlighting on the original text, the same for every backend.

The index holds segmented, normalised words; people read the original. A backend reports which
query words a document matched; here those words are found again in the original text (compared
character by character in normalised form, so 電子政務 is marked for 电子政务) and wrapped in <mark>.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from search.tokenize import normalize


def _normalised_with_offsets(text: str) -> tuple[str, list[int]]:
    """The text normalised one character at a time, with each normalised character's original index."""
    pieces, offsets = [], []
    for index, char in enumerate(text):
        folded = normalize(char) if not char.isascii() else char.lower()
        pieces.append(folded)
        offsets.extend([index] * len(folded))
    return "".join(pieces), offsets


def spans(text: str, terms: Iterable[str]) -> list[tuple[int, int]]:
    """Non-overlapping (start, end) spans of the original text where any term occurs, longest first."""
    words = sorted({normalize(term) for term in terms if term and term.strip()}, key=len, reverse=True)
    if not words or not text:
        return []
    folded, offsets = _normalised_with_offsets(text)
    taken = [False] * len(folded)
    found = []
    for word in words:
        start = folded.find(word)
        while start != -1:
            end = start + len(word)
            if not any(taken[start:end]):
                taken[start:end] = [True] * (end - start)
                found.append((offsets[start], offsets[end - 1] + 1))
            start = folded.find(word, end)
    merged: list[tuple[int, int]] = []
    for span_start, span_end in sorted(found):  # adjacent words read as one marked phrase
        if merged and merged[-1][1] == span_start:
            merged[-1] = (merged[-1][0], span_end)
        else:
            merged.append((span_start, span_end))
    return merged


def highlight(text: str, terms: Iterable[str], *, size: int = 160) -> SafeString:
    """An escaped snippet of about `size` characters around the first matches, words in <mark>."""
    text = unicodedata.normalize("NFC", text or "")
    found = spans(text, terms)
    if found:
        first = found[0][0]
        start = max(0, first - size // 4)
    else:
        start = 0
    end = min(len(text), start + size)
    parts = ["…" if start > 0 else ""]
    cursor = start
    for span_start, span_end in found:
        if span_start < start or span_end > end:
            continue
        parts.append(escape(text[cursor:span_start]))
        parts.append(f"<mark>{escape(text[span_start:span_end])}</mark>")
        cursor = span_end
    parts.append(escape(text[cursor:end]))
    if end < len(text):
        parts.append("…")
    return mark_safe("".join(parts))  # noqa: S308 - every piece of the text is escaped above
