"""Comment texts for the scale benchmark: real texts cut into clauses and recombined, plus campaigns.

    clauses(source)               the clauses of real texts (../shared/data/text/, else the demo's CC BY comments)
    CommentTexts(clauses, seed)   distinct comments: 2–6 clauses each; campaign copies of five form letters,
                                  each lightly edited (a few characters changed, sometimes a clause dropped or
                                  the author's own sentence added), so that near-duplicate detection has real work

Pure: no Django, no database; the same seed gives the same texts.
"""

from __future__ import annotations

import csv
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED_TEXTS = ROOT.parent / "shared" / "data" / "text"
SHARED_FILES = ("gov_messages_dev.csv", "online_shopping_10_cats.csv")  # column `text`
DEMO_COMMENTS = ROOT / "consultations" / "demo_data" / "vtaiwan_uberx_comments.csv"  # CC BY, column `comment-body`
CLAUSE_END = re.compile(r"[，。！？；：,.!?;:\s]+")
FORM_LETTERS = 5
CAMPAIGN_SHARE = 0.30


def clauses(folder: Path = SHARED_TEXTS) -> tuple[list[str], str]:
    """Clauses of 4–60 characters from the real texts, and where they came from. The shared texts give some
    340,000; the demo's comments, the fallback, a few hundred, which recombine into look-alike comments (that
    campaign detection then groups)."""
    sources = [folder / name for name in SHARED_FILES if (folder / name).exists()]
    texts: list[str] = []
    if sources:
        for path in sources:
            with path.open(encoding="utf-8-sig", newline="") as handle:
                texts += [row["text"] for row in csv.DictReader(handle) if row.get("text")]
        origin = ", ".join(path.name for path in sources)
    else:
        with DEMO_COMMENTS.open(encoding="utf-8", newline="") as handle:
            texts = [row["comment-body"] for row in csv.DictReader(handle)]
        origin = DEMO_COMMENTS.name
    pieces = {piece for text in texts for piece in CLAUSE_END.split(text) if 4 <= len(piece) <= 60}
    return sorted(pieces), origin


@dataclass
class CommentTexts:
    """An endless supply of distinct comment texts; `next()` says whether a text copies a form letter."""

    clauses: list[str]
    seed: int = 2026
    campaign_share: float = CAMPAIGN_SHARE
    letters: list[list[str]] = field(init=False)
    _seen: set[int] = field(init=False, default_factory=set)

    def __post_init__(self) -> None:
        if len(self.clauses) < 20:
            raise ValueError("too few clauses to recombine")
        self.rng = random.Random(self.seed)  # noqa: S311 - benchmark data, reproducible
        longer = [clause for clause in self.clauses if len(clause) >= 10] or self.clauses
        self.letters = [self.rng.sample(longer, 8) for _ in range(FORM_LETTERS)]

    def letter(self, number: int) -> str:
        return "，".join(self.letters[number]) + "。"

    def _own(self) -> str:
        return "，".join(self.rng.sample(self.clauses, self.rng.randint(2, 6))) + "。"

    def _copy(self, number: int) -> str:
        parts = list(self.letters[number])
        if self.rng.random() < 0.2:
            del parts[self.rng.randrange(len(parts))]
        text = list("，".join(parts))
        for _ in range(self.rng.randint(1, 3)):  # a few characters typed differently
            position = self.rng.randrange(len(text))
            text[position] = self.rng.choice(self.clauses)[0]
        copy = "".join(text) + "。"
        if self.rng.random() < 0.4:
            copy += "另外，" + self.rng.choice(self.clauses) + "。"
        return copy

    def next(self) -> tuple[str, int | None]:
        """A text no earlier call returned, and the form letter it copies (None for an own comment)."""
        while True:
            letter = self.rng.randrange(FORM_LETTERS) if self.rng.random() < self.campaign_share else None
            text = self._own() if letter is None else self._copy(letter)
            key = hash(text)
            if key not in self._seen:
                self._seen.add(key)
                return text, letter

    def __iter__(self) -> Iterator[tuple[str, int | None]]:
        while True:
            yield self.next()
