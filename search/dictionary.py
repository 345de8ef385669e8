"""The user dictionary of legal and government terms, read from law texts.

Pure: a law's text goes in, the terms it names come out (its title and short title, the laws it
cites, the terms it defines, its chapter and section headings). `build_legal_dictionary` writes
them, with the curated terms in `data/government_terms.txt`, to `data/legal_terms.txt`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

TITLE = re.compile(r"^#\s+(\S.*)$", re.MULTILINE)
HEADING = re.compile(r"^#{2,4}\s+第[一二三四五六七八九十百零〇]+[编章节]\s*(\S.*)$", re.MULTILINE)
CITED = re.compile(r"《([^《》〈〉<>]{2,40})》")
DEFINED = re.compile(r"所称([\u4e00-\u9fff]{2,12}?)(?=[，,：:（(]|是指|包括)")
PREFIX = "中华人民共和国"


def law_names(name: str) -> set[str]:
    """A law's name and its common short form (without 中华人民共和国)."""
    name = re.sub(r"[（(].*?[)）]", "", name).strip()
    names = {name} if 2 <= len(name) <= 40 else set()
    if name.startswith(PREFIX) and len(name) > len(PREFIX) + 1:
        names.add(name[len(PREFIX) :])
    return names


def terms_from_law_text(text: str) -> set[str]:
    terms: set[str] = set()
    if match := TITLE.search(text):
        terms |= law_names(match.group(1))
    for cited in CITED.findall(text):
        if not cited.startswith("关于"):
            terms |= law_names(cited)
    terms.update(DEFINED.findall(text))
    for heading in HEADING.findall(text):
        heading = re.sub(r"\s+", "", heading)
        if 4 <= len(heading) <= 8 and not any(part in heading for part in ("的", "和", "与", "及", "其他", "一般")):
            terms.add(heading)
    return {term for term in terms if re.fullmatch(r"[\u4e00-\u9fff]+", term)}


def dictionary_lines(terms: Iterable[str]) -> list[str]:
    """Sorted, one term a line, longest terms first within a shared prefix (stable output)."""
    return sorted(set(terms))
