"""Turning the text of a law or draft into its structure: 编 › 章 › 节 › 条 (with 款 and 项 inside).

Pure functions over strings. Accepts the Markdown of LawRefBook (``# 标题``, a preamble ending in
``<!-- INFO END -->``, ``## 第X章`` / ``### 第X节`` headings, one paragraph per line) and plain
text with the same headings without ``#``. Amendment acts, which have numbered items (一、二、…)
instead of articles, become a flat list of items.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from consultations.numerals import NUMERAL_CHARS, parse_chinese_number

Kind = Literal["part", "chapter", "section", "article", "item"]
LEVEL: dict[str, int] = {"part": 0, "chapter": 1, "section": 2}
HEADING_KINDS = {"编": "part", "章": "chapter", "节": "section"}

INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\ufeff"), None)
HEADING_RE = re.compile(rf"^(?:#{{1,6}}\s*)?第([{NUMERAL_CHARS}]+)([编章节])(?:[\s\u3000]+(.*))?$")
ARTICLE_RE = re.compile(rf"^第([{NUMERAL_CHARS}]+)条(?:之([一二三四五六七八九十]+))?(?:[\s\u3000]+(.*))?$")
ITEM_RE = re.compile(rf"^([{NUMERAL_CHARS}]+)、(.+)$")
SUBITEM_RE = re.compile(r"^[（(][一二三四五六七八九十]+[）)]")
INFO_END = "<!-- INFO END -->"


class DraftParseError(ValueError):
    """The text cannot be turned into a structure; the message says where and why."""

    def __init__(self, message: str, line: int | None = None) -> None:
        self.line = line
        super().__init__(f"第{line}行：{message}" if line else message)


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


def _clean_lines(text: str) -> list[tuple[int, str]]:
    lines = []
    for number, raw in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), start=1):
        line = raw.translate(INVISIBLE).strip().strip("\u3000").strip()
        if line:
            lines.append((number, line))
    return lines


def _split_preamble(lines: list[tuple[int, str]]) -> tuple[str, list[str], list[tuple[int, str]]]:
    title = ""
    if lines and lines[0][1].startswith("#") and not HEADING_RE.match(lines[0][1]):
        title = lines[0][1].lstrip("#").strip()
        lines = lines[1:]
    marker = next((index for index, (_, line) in enumerate(lines) if line == INFO_END), None)
    if marker is not None:
        return title, [line for _, line in lines[:marker]], lines[marker + 1 :]
    # Plain text: a title line, then whatever precedes the first heading or article.
    first = next(
        (i for i, (_, line) in enumerate(lines) if HEADING_RE.match(line) or ARTICLE_RE.match(line)),
        None,
    )
    if first is None:
        first = next((i for i, (_, line) in enumerate(lines) if ITEM_RE.match(line)), len(lines))
    head = [line for _, line in lines[:first]]
    if not title and head:
        title = head.pop(0).lstrip("#").strip()
    return title, head, lines[first:]


def _number(numeral: str, line: int) -> int:
    try:
        return parse_chinese_number(numeral)
    except ValueError as error:
        raise DraftParseError(str(error), line) from error


def parse_draft(text: str) -> ParsedDraft:
    """Parse a legal text. Raises DraftParseError on empty or unstructured text and on numbering faults."""
    lines = _clean_lines(text or "")
    if not lines:
        raise DraftParseError("文本为空。")
    title, preamble, body = _split_preamble(lines)
    has_articles = any(ARTICLE_RE.match(line) for _, line in body)
    nodes = _parse_articles(body) if has_articles else _parse_items(body)
    parsed = ParsedDraft(title=title, preamble=preamble, nodes=nodes)
    if not parsed.commentable:
        raise DraftParseError("未识别出条文结构：没有“第…条”，也没有“一、”式的编号条目。")
    return parsed


def _parse_articles(body: list[tuple[int, str]]) -> list[Node]:
    top: list[Node] = []
    stack: list[Node] = []  # open 编/章/节 headings
    article: Node | None = None
    seen_articles: dict[tuple[int, int], int] = {}
    last_number = 0
    seen_headings: dict[tuple[str, ...], int] = {}

    def attach(node: Node) -> None:
        (stack[-1].children if stack else top).append(node)

    for line_number, line in body:
        heading = HEADING_RE.match(line)
        if heading:
            kind = HEADING_KINDS[heading.group(2)]
            number = _number(heading.group(1), line_number)
            while stack and LEVEL[stack[-1].kind] >= LEVEL[kind]:
                stack.pop()
            scope = (*(f"{n.kind}{n.number}" for n in stack), kind, str(number))
            if scope in seen_headings:
                raise DraftParseError(
                    f"“第{heading.group(1)}{heading.group(2)}”重复出现（首次在第{seen_headings[scope]}行）。",
                    line_number,
                )
            seen_headings[scope] = line_number
            node = Node(
                kind=kind,
                number=number,
                label=f"第{heading.group(1)}{heading.group(2)}",
                heading=(heading.group(3) or "").strip(),
                line=line_number,
            )
            attach(node)
            stack.append(node)
            article = None
            continue
        match = ARTICLE_RE.match(line)
        if match:
            number = _number(match.group(1), line_number)
            sub = _number(match.group(2), line_number) if match.group(2) else 0
            key = (number, sub)
            if key in seen_articles:
                raise DraftParseError(
                    f"第{match.group(1)}条{'之' + match.group(2) if sub else ''}重复出现（首次在第{seen_articles[key]}行）。",
                    line_number,
                )
            if not sub and number != last_number + 1:
                raise DraftParseError(f"条文编号不连续：第{last_number}条之后是第{number}条。", line_number)
            seen_articles[key] = line_number
            if not sub:
                last_number = number
            label = f"第{match.group(1)}条" + (f"之{match.group(2)}" if sub else "")
            article = Node(kind="article", number=number, sub_number=sub, label=label, line=line_number)
            if match.group(3):
                article.paragraphs.append(match.group(3).strip())
            attach(article)
            continue
        if article is None:
            if not stack:
                raise DraftParseError(f"无法归入任何条文的文字：“{line[:30]}”。", line_number)
            # A line under a heading but before its first article: part of the heading's title.
            stack[-1].heading = f"{stack[-1].heading} {line}".strip()
            continue
        article.paragraphs.append(line)
    return top


def _parse_items(body: list[tuple[int, str]]) -> list[Node]:
    items: list[Node] = []
    current: Node | None = None
    for line_number, line in body:
        match = ITEM_RE.match(line)
        if match:
            number = _number(match.group(1), line_number)
            expected = len(items) + 1
            if number != expected:
                problem = "重复出现" if number < expected else "编号不连续"
                raise DraftParseError(f"条目“{match.group(1)}、”{problem}（应为第{expected}项）。", line_number)
            current = Node(kind="item", number=number, label=f"{match.group(1)}、", line=line_number)
            current.paragraphs.append(match.group(2).strip())
            items.append(current)
        elif current is not None:
            current.paragraphs.append(line)
        elif HEADING_RE.match(line):
            continue
        else:
            raise DraftParseError(f"无法归入任何条目的文字：“{line[:30]}”。", line_number)
    return items


def count_paragraphs(node: Node) -> tuple[int, int]:
    """(款, 项) in an article: 项 are the （一）… paragraphs, 款 the others."""
    items = sum(1 for paragraph in node.paragraphs if SUBITEM_RE.match(paragraph))
    return len(node.paragraphs) - items, items
