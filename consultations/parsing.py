"""Turning the text of a law or draft into its structure: 编 › 章 › 节 › 条 (with 款 and 项 inside).

Pure functions over strings. Accepts the Markdown of LawRefBook (``# 标题``, a preamble ending in
``<!-- INFO END -->``, ``## 第X章`` / ``### 第X节`` headings, one paragraph per line) and plain
text with the same headings without ``#``. Amendment acts, which have numbered items (一、二、…)
instead of articles, become a flat list of items.

Text as offices paste it is accepted too: the title given twice (a ``#`` heading, then the same title
with a space inside it), amendment notes and a preamble before the first chapter, a 目录 listing the
chapters (skipped, never taken for chapters), full-width and non-breaking spaces anywhere, spaced
numerals (``第 一 条``), full-width digits and Windows line endings. Only text that cannot be placed
inside the structure is refused, with the line's number and its words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from django.utils.translation import gettext as _

from consultations.numerals import NUMERAL_CHARS, parse_chinese_number

Kind = Literal["part", "chapter", "section", "article", "item"]
LEVEL: dict[str, int] = {"part": 0, "chapter": 1, "section": 2}
HEADING_KINDS = {"编": "part", "章": "chapter", "节": "section"}

INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
# Spaces other than the ideographic one (kept: it is part of Chinese typesetting) become plain spaces.
SPACES = dict.fromkeys(
    map(ord, "\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\t"), " "
)
_NUM = rf"[{NUMERAL_CHARS}](?:[{NUMERAL_CHARS}\s]*[{NUMERAL_CHARS}])?"  # 一百零五, 1 0 5, 一 百 零 五
HEADING_RE = re.compile(rf"^(?:#{{1,6}}\s*)?第\s*({_NUM})\s*([编章节])(?:\s+(.*)|([^\s。；，：;,:！？!?、]{{1,24}}))?$")
ARTICLE_RE = re.compile(rf"^(?:#{{1,6}}\s*)?第\s*({_NUM})\s*条(?:\s*之\s*([一二三四五六七八九十]+))?(?:\s+(.*))?$")
# 第一条为了…: an article label glued to its text; taken for an article only where that number is expected.
TIGHT_ARTICLE_RE = re.compile(rf"^第({_NUM})条(?:之([一二三四五六七八九十]+))?(\S.*)$")
ITEM_RE = re.compile(rf"^({_NUM})\s*、(.+)$")
SUBITEM_RE = re.compile(r"^[（(]\s*[一二三四五六七八九十]+\s*[）)]")
TOC_LABEL_RE = re.compile(r"^(?:#{1,6}\s*)?目\s*录[:：]?$")
INFO_END = "<!-- INFO END -->"
PAGE_NUMBER_RE = re.compile(
    r"^(?:[-—–－]\s*\d{1,4}\s*[-—–－]|第\s*\d{1,4}\s*页(?:\s*[，,/]?\s*共\s*\d{1,4}\s*页)?)$"
)  # — 3 —
LAW_NAME_RE = re.compile(
    r"(?:法|条例|规定|办法|细则|规则|决定|修正案|章程|准则|规程|纲要)(?:\s*[（(][^）)]{1,12}[）)])*$"
)  # …法, …条例（草案）, …办法（征求意见稿）
NOTE_RE = re.compile(r"^[（(【\[].*[）)】\]]$")  # （2017年9月1日…第二次修正）
SENTENCE_PUNCTUATION = re.compile(r"[。；;：:，,！？!?]")
CJK_GAP = re.compile(r"(?<=[\u3400-\u9fff])\s+(?=[\u3400-\u9fff])")
QUOTE_LENGTH = 40


class DraftParseError(ValueError):
    """The text cannot be turned into a structure; the message says where and why, quoting the line."""

    def __init__(self, problem: str, line: int | None = None, text: str = "") -> None:
        self.line = line
        self.problem = problem
        self.quote = _quote(text)
        if line:
            message = _("Line %(line)d: %(problem)s. The line reads: “%(quote)s”") % {
                "line": line,
                "problem": problem,
                "quote": self.quote,
            }
        else:
            message = problem
        super().__init__(message)


def _quote(text: str) -> str:
    text = text.strip()
    return text if len(text) <= QUOTE_LENGTH else text[: QUOTE_LENGTH - 1] + "…"


@dataclass
class Node:
    kind: Kind
    number: int
    label: str  # as printed: 第三章, 第十条之一, 一、
    heading: str = ""  # a 编/章/节 title
    paragraphs: list[str] = field(default_factory=list)  # an article's 款 and 项, an item's text
    line: int = 0
    sub_number: int = 0  # 之一 → 1
    children: list[Node] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(self.paragraphs)

    @property
    def is_commentable(self) -> bool:
        return self.kind in ("article", "item")


@dataclass
class ParsedDraft:
    title: str
    preamble: list[str]
    nodes: list[Node]  # top level, in order

    def walk(self) -> list[Node]:
        out: list[Node] = []

        def visit(nodes: list[Node]) -> None:
            for node in nodes:
                out.append(node)
                visit(node.children)

        visit(self.nodes)
        return out

    @property
    def commentable(self) -> list[Node]:
        return [node for node in self.walk() if node.is_commentable]

    def summary(self) -> dict[str, int]:
        counts = {"parts": 0, "chapters": 0, "sections": 0, "articles": 0, "items": 0}
        for node in self.walk():
            counts[node.kind + "s"] += 1
        return counts


# --- lines -------------------------------------------------------------------------------


def _clean_lines(text: str) -> list[tuple[int, str]]:
    lines = []
    for number, raw in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), start=1):
        line = raw.translate(INVISIBLE).translate(SPACES).strip()
        if line and not PAGE_NUMBER_RE.match(line):
            lines.append((number, line))
    return lines


def _has_articles(lines: list[tuple[int, str]]) -> bool:
    """Articles (第一条, 第二条, …) rather than the items of an amendment act (一、二、…).

    A decision that amends a law quotes articles under its items; it is a list of items unless its
    articles run 第一条, 第二条 like a law's.
    """
    numbers = []
    for _line_number, line in lines:
        match = ARTICLE_RE.match(line) or TIGHT_ARTICLE_RE.match(line)
        if match and not match.group(2):
            try:
                numbers.append(parse_chinese_number(_squeeze(match.group(1))))
            except ValueError:
                continue
    if not numbers:
        return False
    if not any(ITEM_RE.match(line) for _line_number, line in lines):
        return any(ARTICLE_RE.match(line) for _line_number, line in lines) or 1 in numbers
    return 1 in numbers and 2 in numbers[numbers.index(1) :]


def _squeeze(numeral: str) -> str:
    return re.sub(r"\s+", "", numeral)


def _tidy_heading(text: str) -> str:
    """总　　则 → 总则: the spaces typesetting puts between the characters of a short heading."""
    return CJK_GAP.sub("", re.sub(r"\s+", " ", text or "").strip())


@dataclass(frozen=True)
class _Heading:
    kind: str
    numeral: str  # 一, without spaces
    char: str  # 编/章/节
    title: str

    @property
    def key(self) -> tuple[str, str]:
        return self.kind, self.numeral

    @property
    def label(self) -> str:
        return f"第{self.numeral}{self.char}"


def _heading(line: str) -> _Heading | None:
    match = HEADING_RE.match(line)
    if not match:
        return None
    return _Heading(
        kind=HEADING_KINDS[match.group(2)],
        numeral=_squeeze(match.group(1)),
        char=match.group(2),
        title=_tidy_heading(match.group(3) or match.group(4) or ""),
    )


def _number(numeral: str, line: int, text: str) -> int:
    try:
        return parse_chinese_number(_squeeze(numeral))
    except ValueError as error:
        raise DraftParseError(_("“%(numeral)s” is not a number") % {"numeral": numeral}, line, text) from error


def _is_article(line: str, expected: int | None = None) -> bool:
    """An article's first line; glued labels (第一条为了…) count only when that number comes next."""
    if ARTICLE_RE.match(line):
        return True
    tight = TIGHT_ARTICLE_RE.match(line)
    if tight and expected is not None and not tight.group(2):
        try:
            return parse_chinese_number(_squeeze(tight.group(1))) == expected
        except ValueError:
            return False
    return False


# --- what comes before the structure: title, notes, 目录, preamble -------------------------


def _same_title(line: str, title: str) -> bool:
    def bare(text: str) -> str:
        return re.sub(r"[\s#*]+", "", text)

    return bool(title) and bare(line) == bare(title)


def _toc_end(lines: list[tuple[int, str]], start: int) -> tuple[int, bool]:
    """Where a table of contents starting at `start` ends, and whether the headings start over there.

    Entries are 编/章/节 headings, and short unpunctuated lines (序言, 附则) followed by another entry.
    """
    first: tuple[str, str] | None = None
    index = start
    while index < len(lines):
        line = lines[index][1]
        heading = _heading(line)
        if heading:
            if first is None:
                first = heading.key
            elif heading.key == first:
                return index, True
            index += 1
            continue
        is_label = len(line) <= 20 and not SENTENCE_PUNCTUATION.search(line) and not _is_article(line)
        following = lines[index + 1][1] if index + 1 < len(lines) else ""
        if is_label and _heading(following) and (first is None or _heading(following).key != first):
            index += 1
            continue
        break
    return index, False


def _split_front(lines: list[tuple[int, str]], items: bool) -> tuple[str, list[str], list[tuple[int, str]]]:
    """(title, preamble, body): the body starts at the first heading, article or (in an amendment act) item."""
    title = ""
    if lines and lines[0][1].startswith("#") and not _heading(lines[0][1]) and not ARTICLE_RE.match(lines[0][1]):
        title = lines[0][1].lstrip("#").strip()
        lines = lines[1:]
    preamble: list[str] = []
    marker = next((index for index, (_, line) in enumerate(lines) if line == INFO_END), None)
    if marker is not None:
        preamble = [line for _, line in lines[:marker] if not _same_title(line, title)]
        lines = lines[marker + 1 :]

    index = 0
    while index < len(lines):
        line_number, line = lines[index]
        if TOC_LABEL_RE.match(line):
            index, _restarted = _toc_end(lines, index + 1)
            continue
        if _heading(line):
            end, restarted = _toc_end(lines, index)
            if restarted:  # a 目录 without its label: the headings listed once, then again with articles
                index = end
                continue
            break
        if _is_article(line, expected=1) or (items and ITEM_RE.match(line)):
            break
        if SUBITEM_RE.match(line):
            raise DraftParseError(
                _("an item (（一）…) before the first article belongs to no article"), line_number, line
            )
        preamble.append(line)
        index += 1
    if not title and marker is None:
        title = _pick_title(preamble)
    preamble = [line for line in preamble if not _same_title(line, title)]
    return _tidy_title(title), preamble, lines[index:]


def _pick_title(front: list[str]) -> str:
    """The name of the law among the lines before it: the first line that reads like one (…法, …条例（草案）),
    or else the first line that is not a bracketed note. A State Council decree pasted above the text
    (中华人民共和国国务院令 第713号 …) is then kept as preamble."""
    named = next((line for line in front if LAW_NAME_RE.search(line) and not SENTENCE_PUNCTUATION.search(line)), None)
    if named is not None:
        return named.lstrip("#").strip()
    return next((line.lstrip("#").strip() for line in front if not NOTE_RE.match(line)), "")


def _tidy_title(title: str) -> str:
    return CJK_GAP.sub("", re.sub(r"\s+", " ", title).strip())


# --- parsing -------------------------------------------------------------------------------


def parse_draft(text: str) -> ParsedDraft:
    """Parse a legal text. Raises DraftParseError on empty or unstructured text and on text it cannot place."""
    lines = _clean_lines(text or "")
    if not lines:
        raise DraftParseError(_("The text is empty."))
    has_articles = _has_articles(lines)
    title, preamble, body = _split_front(lines, items=not has_articles)
    nodes = _parse_articles(body) if has_articles else _parse_items(body)
    parsed = ParsedDraft(title=title, preamble=preamble, nodes=nodes)
    if not parsed.commentable:
        raise DraftParseError(_("No structure found: there are no articles (第…条) and no numbered items (一、二、…)."))
    return parsed


def _parse_articles(body: list[tuple[int, str]]) -> list[Node]:
    top: list[Node] = []
    stack: list[Node] = []  # open 编/章/节 headings
    article: Node | None = None
    seen_articles: dict[tuple[int, int], int] = {}
    last_number = 0
    last_label = ""
    seen_headings: dict[tuple[str, ...], int] = {}

    def attach(node: Node) -> None:
        (stack[-1].children if stack else top).append(node)

    for line_number, line in body:
        heading = _heading(line)
        if heading:
            kind = heading.kind
            number = _number(heading.numeral, line_number, line)
            while stack and LEVEL[stack[-1].kind] >= LEVEL[kind]:
                stack.pop()
            scope = (*(f"{n.kind}{n.number}" for n in stack), kind, str(number))
            if scope in seen_headings:
                raise DraftParseError(
                    _("%(label)s appears twice (first on line %(first)d)")
                    % {"label": f"“{heading.label}”", "first": seen_headings[scope]},
                    line_number,
                    line,
                )
            seen_headings[scope] = line_number
            node = Node(kind=kind, number=number, label=heading.label, heading=heading.title, line=line_number)
            attach(node)
            stack.append(node)
            article = None
            continue
        match = ARTICLE_RE.match(line)
        if not match and _is_article(line, expected=last_number + 1):
            match = TIGHT_ARTICLE_RE.match(line)
        if match:
            numeral = _squeeze(match.group(1))
            number = _number(numeral, line_number, line)
            sub = _number(match.group(2), line_number, line) if match.group(2) else 0
            label = f"第{numeral}条" + (f"之{match.group(2)}" if sub else "")
            key = (number, sub)
            if key in seen_articles:
                if number < last_number:
                    problem = _("articles go backwards: %(label)s comes after %(previous)s (it was on line %(first)d)")
                else:
                    problem = _("%(label)s appears twice (first on line %(first)d)")
                raise DraftParseError(
                    problem % {"label": label, "previous": last_label, "first": seen_articles[key]}, line_number, line
                )
            if not sub and number != last_number + 1:
                if number < last_number:
                    problem = _("articles go backwards: %(label)s comes after %(previous)s") % {
                        "label": label,
                        "previous": last_label,
                    }
                elif last_number == 0:
                    problem = _("articles are not numbered in sequence: the first article is %(label)s") % {
                        "label": label
                    }
                else:
                    problem = _("articles are not numbered in sequence: %(previous)s is followed by %(label)s") % {
                        "label": label,
                        "previous": last_label,
                    }
                raise DraftParseError(problem, line_number, line)
            seen_articles[key] = line_number
            if not sub:
                last_number = number
            last_label = label
            article = Node(kind="article", number=number, sub_number=sub, label=label, line=line_number)
            if match.group(3) and match.group(3).strip():
                article.paragraphs.append(match.group(3).strip())
            attach(article)
            continue
        if article is None:
            if stack and _continues_heading(line, stack[-1]):
                # A heading's title broken over two lines (第一章 / 总则).
                stack[-1].heading = _tidy_heading(f"{stack[-1].heading} {line.lstrip('#')}")
                continue
            where = f"“{stack[-1].label} {stack[-1].heading}”".replace(" ”", "”") if stack else ""
            raise DraftParseError(
                _("this text lies between the heading %(heading)s and its first article, and belongs to no article")
                % {"heading": where},
                line_number,
                line,
            )
        article.paragraphs.append(line)
    return top


def _continues_heading(line: str, heading: Node) -> bool:
    """A short unpunctuated line right under a heading: its title, or the rest of it (第一章 / 总则)."""
    bare = line.lstrip("#").strip()
    return (
        len(bare) <= 20
        and not SENTENCE_PUNCTUATION.search(bare)
        and not SUBITEM_RE.match(bare)
        and not ARTICLE_RE.match(bare)
        and not _heading(bare)
    )


def _parse_items(body: list[tuple[int, str]]) -> list[Node]:
    items: list[Node] = []
    current: Node | None = None
    for line_number, line in body:
        match = ITEM_RE.match(line)
        if match:
            number = _number(match.group(1), line_number, line)
            numeral = _squeeze(match.group(1))
            expected = len(items) + 1
            if number != expected:
                if number < expected:
                    problem = _("item “%(label)s” appears twice (it should be item %(expected)d)")
                else:
                    problem = _("item “%(label)s” is out of sequence (it should be item %(expected)d)")
                raise DraftParseError(problem % {"label": f"{numeral}、", "expected": expected}, line_number, line)
            current = Node(kind="item", number=number, label=f"{numeral}、", line=line_number)
            current.paragraphs.append(match.group(2).strip())
            items.append(current)
        elif current is not None:
            current.paragraphs.append(line)
        elif _heading(line):
            continue
        else:
            raise DraftParseError(_("this text comes before the first item and belongs to no item"), line_number, line)
    return items


def count_paragraphs(node: Node) -> tuple[int, int]:
    """(款, 项) in an article: 项 are the （一）… paragraphs, 款 the others."""
    items = sum(1 for paragraph in node.paragraphs if SUBITEM_RE.match(paragraph))
    return len(node.paragraphs) - items, items


def lines_around(text: str, line: int, around: int = 2) -> list[tuple[int, str]]:
    """The numbered lines of `text` from `line - around` to `line + around`, as the error counts them."""
    lines = (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    first = max(1, line - around)
    return [(number, lines[number - 1]) for number in range(first, min(len(lines), line + around) + 1)]


def decode_text(data: bytes) -> str:
    """Bytes of a text file as offices save it: UTF-8 (with or without BOM), UTF-16 with a BOM, or GB18030/GBK.

    Raises UnicodeDecodeError when none of them fits.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        try:
            return data.decode("gb18030")
        except UnicodeDecodeError:
            raise error from None
