"""Finding a region by what people type: its name (simplified or traditional), its pinyin, its initials or its code.

Pure: the index is built from (code, name, parent code) rows and answers from memory, with no database. The search
keys (short name without 省/市/区/县…, traditional characters through OpenCC, pinyin and initials through pypinyin)
are computed once, on the first search.

The GB/T 2260 file carries placeholders that name no place (上海市 › 市辖区 › 徐汇区, 河南省 › 省直辖县级行政区划 ›
济源市): they are never offered, and their children appear under the region above them, so a picker goes
上海市 › 徐汇区 and 河南省 › 济源市.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from regions.codes import NATIONAL_CODE

PLACEHOLDER_NAMES = frozenset({"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"})
# Longest first: 广西壮族自治区 → 广西, 徐汇区 → 徐汇; a name of two characters keeps its suffix (城区, 郊区).
_SUFFIXES = (
    "维吾尔自治区",
    "壮族自治区",
    "回族自治区",
    "特别行政区",
    "自治区",
    "自治州",
    "自治县",
    "自治旗",
    "地区",
    "林区",
    "省",
    "市",
    "区",
    "县",
    "盟",
    "旗",
)
_SEPARATORS = re.compile(r"[\s'’›>/|·・,，、\-]+")
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
MAX_QUERY_LENGTH = 40
SEPARATOR = " › "

# Ranks, best first.
EXACT, PREFIX, PINYIN, INITIALS, CONTAINS = range(5)


def short_name(name: str) -> str:
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


def normalise_query(text: str) -> str:
    """Full-width to half-width, lower case, without spaces or separators; at most MAX_QUERY_LENGTH characters."""
    text = unicodedata.normalize("NFKC", text or "")[: MAX_QUERY_LENGTH * 2]
    return _SEPARATORS.sub("", text).lower()[:MAX_QUERY_LENGTH]


@dataclass
class Place:
    code: str
    name: str
    level: int  # 1 province, 2 city (or a municipality's district), 3 county
    path: tuple[str, ...]  # the names from the province down, placeholders left out
    parent: str | None  # the code of the place above, placeholders skipped; None for a province
    children: list[str] = field(default_factory=list)

    @property
    def is_county(self) -> bool:
        """County level by its code (a municipality's district is one, though it sits right under the province)."""
        return not self.code.endswith("00")

    @property
    def label(self) -> str:
        return SEPARATOR.join(self.path)


@dataclass(frozen=True)
class _Keys:
    han: frozenset[str]  # names, short names, in simplified and traditional characters
    han_paths: frozenset[str]  # the path joined: 上海市徐汇区, 上海徐汇, 上海市徐匯區…
    pinyin: tuple[str, ...]  # full pinyin of the short name and of the name: xuhui, xuhuiqu
    initials: tuple[str, ...]  # xh, xhq
    haystack: str  # every Han key joined, to skip a place at once


@dataclass(frozen=True)
class Match:
    place: Place
    rank: int


@functools.cache
def _converter(config: str):
    import opencc

    return opencc.OpenCC(config)


def _to_simplified(text: str) -> str:
    return _converter("t2s").convert(text)


class RegionIndex:
    def __init__(self, rows: Iterable[tuple[str, str, str | None]]) -> None:
        raw = {code: (name, parent) for code, name, parent in rows}
        self._places: dict[str, Place] = {}
        self.provinces: list[str] = []
        self.country: Place | None = None
        if NATIONAL_CODE in raw:
            self.country = Place(NATIONAL_CODE, raw[NATIONAL_CODE][0], 0, (raw[NATIONAL_CODE][0],), None)
        for code in sorted(raw):
            name, parent = raw[code]
            if code == NATIONAL_CODE or name in PLACEHOLDER_NAMES:
                continue
            lineage = []  # visible ancestors, nearest first
            cursor = parent
            while cursor and cursor != NATIONAL_CODE and cursor in raw:
                if raw[cursor][0] not in PLACEHOLDER_NAMES:
                    lineage.append(cursor)
                cursor = raw[cursor][1]
            path = tuple(raw[c][0] for c in reversed(lineage)) + (name,)
            place = Place(code, name, len(path), path, lineage[0] if lineage else None)
            self._places[code] = place
        for code, place in self._places.items():
            if place.parent is None:
                self.provinces.append(code)
            elif place.parent in self._places:
                self._places[place.parent].children.append(code)
        self._keys: dict[str, _Keys] | None = None
        self.render_cache: dict = {}  # what a widget renders from this index (forms.RegionPicker), dropped with it

    def __len__(self) -> int:
        return len(self._places)

    def get(self, code: str | None) -> Place | None:
        if code == NATIONAL_CODE:
            return self.country
        return self._places.get(code or "")

    def children(self, code: str | None) -> list[Place]:
        """The places directly below `code` (the provinces for None or the country), placeholders skipped."""
        if not code or code == NATIONAL_CODE:
            return [self._places[c] for c in self.provinces]
        place = self._places.get(code)
        return [self._places[c] for c in place.children] if place else []

    def chain(self, code: str | None) -> list[Place]:
        """The places from the province down to `code`; [] for an unknown code or the country."""
        place = self._places.get(code or "")
        chain = []
        while place is not None:
            chain.append(place)
            place = self._places.get(place.parent or "")
        return list(reversed(chain))

    # --- search ---------------------------------------------------------------------------------------

    def _build_keys(self) -> dict[str, _Keys]:
        from pypinyin import Style, lazy_pinyin

        to_traditional = _converter("s2t")
        keys = {}
        for code, place in self._places.items():
            short = short_name(place.name)
            han = {place.name, short}
            han |= {to_traditional.convert(name) for name in tuple(han)}
            shorts = [short_name(name) for name in place.path]
            paths = {"".join(place.path), "".join(shorts)}
            paths |= {to_traditional.convert(path) for path in tuple(paths)}
            syllables = lazy_pinyin(place.name, errors="ignore")
            short_syllables = syllables[: len(lazy_pinyin(short, errors="ignore"))]
            keys[code] = _Keys(
                han=frozenset(han),
                han_paths=frozenset(paths),
                pinyin=("".join(short_syllables), "".join(syllables)),
                initials=(
                    "".join(s[0] for s in short_syllables if s),
                    "".join(lazy_pinyin(place.name, style=Style.FIRST_LETTER, errors="ignore")),
                ),
                haystack="\n".join(han | paths),
            )
        return keys

    def _rank(self, keys: _Keys, query: str, variants: tuple[str, ...], is_han: bool) -> tuple[int, int] | None:
        if is_han:
            if not any(v in keys.haystack for v in variants):
                return None
            if any(v in keys.han or v in keys.han_paths for v in variants):
                return EXACT, 0
            if any(name.startswith(v) for v in variants for name in keys.han):
                return PREFIX, 0
            if any(path.startswith(v) for v in variants for path in keys.han_paths):
                return PREFIX, 1
            if any(v in name for v in variants for name in keys.han | keys.han_paths):
                return CONTAINS, 0
            return None
        if query in keys.pinyin:
            return PINYIN, 0
        if any(p.startswith(query) for p in keys.pinyin):
            return PINYIN, 1
        if query in keys.initials:
            return INITIALS, 0
        if any(i.startswith(query) for i in keys.initials):
            return INITIALS, 1
        return None

    def named(self, text: str) -> list[Place]:
        """The places whose name is exactly `text` (徐汇区, 徐匯, 上海市徐汇区, 上海徐汇), best first."""
        found, _ = self.search(text, limit=None)
        keys = self._keys or {}
        query = normalise_query(text)
        variants = {query, _to_simplified(query)}
        return [p for p in found if p.code in keys and variants & (keys[p.code].han | keys[p.code].han_paths)]

    def search(self, text: str, limit: int | None = 10) -> tuple[list[Place], int]:
        """The places that match `text`, best first, at most `limit` of them, and how many match in all.

        Exact name > name prefix > pinyin (full, then prefix) > pinyin initials > the name contains the text;
        within a rank, exact keys first, then provinces before cities before counties, then by code.
        """
        query = normalise_query(text)
        if not query:
            return [], 0
        if query.isdigit():
            found = [p for code, p in self._places.items() if code.startswith(query)][:limit]
            total = sum(1 for code in self._places if code.startswith(query))
            return found, total
        is_han = bool(_HAN.search(query))
        if not is_han and not query.isascii():
            return [], 0
        variants: tuple[str, ...] = (query,)
        if is_han:
            simplified = _to_simplified(query)
            variants = (query, simplified) if simplified != query else (query,)
        if self._keys is None:
            self._keys = self._build_keys()
        matches = []
        for code, keys in self._keys.items():
            rank = self._rank(keys, query, variants, is_han)
            if rank is not None:
                place = self._places[code]
                matches.append(((*rank, place.level, code), place))
        matches.sort(key=lambda item: item[0])
        return [place for _, place in matches[:limit]], len(matches)
