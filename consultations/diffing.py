"""Word-level differences between two versions of one article, laid out for reading.

Pure functions over strings. Texts are split into words (the search segmenter: jieba's dictionary
plus legal terms, on the raw text so that the words join back to it exactly), the word sequences
are compared with difflib, and the result is cleaned up so that a reader sees whole words and
phrases changed, never single characters scattered inside words.

How an article is shown depends on how much of it survives:

- `inline`: one running text, deletions and insertions marked in place. Chosen when at least
  INLINE_MIN_SIMILARITY of the text is kept and at most INLINE_MAX_REWRITES passages are rewritten
  (a passage of REWRITE_MIN_CHARS or more removed and another as long put in its place). Additions
  and deletions alone read well inline, however long; it is replaced passages that, two or more in one
  article, make inline text read as interleaved fragments of two different articles.
- `side_by_side`: the old text and the new text, each whole and in its own column, with what was
  removed marked in the old and what was added marked in the new. Heavily rewritten articles.
- `same`, `added`, `removed`: nothing to compare.

Similarity is the share of characters the two texts keep in common (2 × kept / (old + new)),
measured on the cleaned-up word diff, so it agrees with what is marked.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

Op = Literal["equal", "delete", "insert"]
Layout = Literal["same", "inline", "side_by_side", "added", "removed"]

# Inline when at least this share of the characters is kept and at most this many passages are
# rewritten. Tuned by reading the 行政复议法 2017 → 2023 pair (consultations/demo_data): of its 41
# matched articles 1 is unchanged, 25 read well inline (down to 46% kept, when the rest is additions or
# deletions), and the 15 side by side had whole sentences replaced (or kept under 45%).
INLINE_MIN_SIMILARITY = 0.45
INLINE_MAX_REWRITES = 1
REWRITE_MIN_CHARS = 5
# An unchanged stretch this short (in characters, punctuation not counted) between two changes is
# folded into them, so "的" or "，" left standing between two rewritten phrases does not split them.
# Side by side, where the texts are far apart, longer stretches are folded too.
INLINE_MIN_KEPT = 2
SIDE_BY_SIDE_MIN_KEPT = 6


@dataclass(frozen=True)
class Piece:
    op: Op
    text: str


@dataclass(frozen=True)
class ArticleDiff:
    layout: Layout
    similarity: float  # 0..1, share of characters kept
    changes: int  # places where something was removed, added or replaced
    rewrites: int = 0  # places where a passage was replaced by another (see REWRITE_MIN_CHARS)
    inline: tuple[Piece, ...] = ()  # the running text, for layout "inline"
    old: tuple[Piece, ...] = ()  # the old text: equal and delete pieces, joined they give the old text
    new: tuple[Piece, ...] = ()  # the new text: equal and insert pieces, joined they give the new text


# An item's number, （三） or (3) or 3., is one word: renumbered items show as one number replaced.
ITEM_NUMBER = re.compile(r"[（(][一二三四五六七八九十百零〇\d]+[）)]|(?<![\d.])\d+[.．、]")


def words(text: str) -> list[str]:
    """The text cut into words; joined, they give the text back unchanged."""
    if not text:
        return []
    from search.tokenize import _segmenter

    segmenter, out, start = _segmenter(), [], 0
    for match in ITEM_NUMBER.finditer(text):
        out += segmenter.cut(text[start : match.start()], False) if match.start() > start else []
        out.append(match.group())
        start = match.end()
    return out + (segmenter.cut(text[start:], False) if start < len(text) else [])


def _meaningful_length(text: str) -> int:
    """Characters that carry words: punctuation and spaces do not hold two changes apart."""
    return sum(1 for char in text if unicodedata.category(char)[0] not in "PZC")


def diff_words(
    old: str, new: str, *, min_kept: int = INLINE_MIN_KEPT, split: Callable[[str], list[str]] = words
) -> list[Piece]:
    """The word diff of two texts as pieces in reading order; within one change, deletion first.

    Joining the equal and delete pieces gives `old`; joining the equal and insert pieces gives `new`.
    """
    old_words, new_words = split(old), split(new)
    matcher = difflib.SequenceMatcher(None, old_words, new_words, autojunk=False)
    # One entry per stretch: (kept, removed, added).
    stretches: list[tuple[str, str, str]] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        removed, added = "".join(old_words[i1:i2]), "".join(new_words[j1:j2])
        if tag == "equal":
            stretches.append((removed, "", ""))
        else:
            stretches.append(("", removed, added))
    return _pieces(_fold_short_kept(stretches, min_kept))


def _fold_short_kept(stretches: list[tuple[str, str, str]], min_kept: int) -> list[tuple[str, str, str]]:
    """Fold an unchanged stretch shorter than `min_kept` that stands between two changes into them."""
    merged: list[tuple[str, str, str]] = []
    for index, (kept, removed, added) in enumerate(stretches):
        between_changes = 0 < index < len(stretches) - 1 and merged and not merged[-1][0]
        if kept and between_changes and _meaningful_length(kept) < min_kept and not stretches[index + 1][0]:
            _, last_removed, last_added = merged.pop()
            merged.append(("", last_removed + kept, last_added + kept))
            continue
        if not kept and merged and not merged[-1][0]:
            _, last_removed, last_added = merged.pop()
            merged.append(("", last_removed + removed, last_added + added))
            continue
        merged.append((kept, removed, added))
    return merged


def _pieces(stretches: list[tuple[str, str, str]]) -> list[Piece]:
    pieces: list[Piece] = []
    for kept, removed, added in stretches:
        if kept:
            pieces.append(Piece("equal", kept))
        # A stretch both removed and added unchanged (folded punctuation only) stays as it was.
        if removed and removed == added:
            pieces.append(Piece("equal", removed))
            continue
        if removed:
            pieces.append(Piece("delete", removed))
        if added:
            pieces.append(Piece("insert", added))
    return pieces


def similarity(pieces: Sequence[Piece]) -> float:
    kept = sum(len(p.text) for p in pieces if p.op == "equal")
    total = sum(len(p.text) for p in pieces) + kept  # old length + new length
    return 2 * kept / total if total else 1.0


def count_changes(pieces: Sequence[Piece]) -> int:
    """Places where the text changed: runs of deletions and insertions between unchanged stretches."""
    places, in_change = 0, False
    for piece in pieces:
        if piece.op == "equal":
            in_change = False
        elif not in_change:
            places, in_change = places + 1, True
    return places


def count_rewrites(pieces: Sequence[Piece], min_chars: int = REWRITE_MIN_CHARS) -> int:
    """Places where a passage of `min_chars` or more was removed and another as long put in its place."""
    rewrites, removed, added = 0, 0, 0
    for piece in (*pieces, Piece("equal", "")):
        if piece.op == "equal":
            rewrites += removed >= min_chars and added >= min_chars
            removed = added = 0
        elif piece.op == "delete":
            removed += _meaningful_length(piece.text)
        else:
            added += _meaningful_length(piece.text)
    return rewrites


def diff_article(
    old: str | None,
    new: str | None,
    *,
    min_similarity: float = INLINE_MIN_SIMILARITY,
    max_rewrites: int = INLINE_MAX_REWRITES,
) -> ArticleDiff:
    """How one matched pair of articles is shown (see the module's docstring)."""
    if old is None or new is None:
        text = new if old is None else old
        op: Op = "insert" if old is None else "delete"
        piece = (Piece(op, text or ""),)
        if old is None:
            return ArticleDiff(layout="added", similarity=0.0, changes=1, new=piece)
        return ArticleDiff(layout="removed", similarity=0.0, changes=1, old=piece)
    if old == new:
        piece = (Piece("equal", old),)
        return ArticleDiff(layout="same", similarity=1.0, changes=0, inline=piece, old=piece, new=piece)
    pieces = diff_words(old, new)
    score, changes, rewrites = similarity(pieces), count_changes(pieces), count_rewrites(pieces)
    if score >= min_similarity and rewrites <= max_rewrites:
        return ArticleDiff(layout="inline", similarity=score, changes=changes, rewrites=rewrites, inline=tuple(pieces))
    coarse = diff_words(old, new, min_kept=SIDE_BY_SIDE_MIN_KEPT)
    return ArticleDiff(
        layout="side_by_side",
        similarity=score,
        changes=changes,
        rewrites=rewrites,
        old=tuple(p for p in coarse if p.op != "insert"),
        new=tuple(p for p in coarse if p.op != "delete"),
    )
