"""The importer over every real text in ../shared/data/laws/, and over bad input."""

import re
from pathlib import Path

import pytest

from consultations.numerals import parse_chinese_number, to_chinese_number
from consultations.parsing import DraftParseError, count_paragraphs, parse_draft
from tests.conftest import require

LAWS = Path(__file__).resolve().parents[3] / "shared" / "data" / "laws"
LAW_FILES = sorted(path for path in LAWS.glob("*.md") if path.name != "README.md") if LAWS.exists() else []


@pytest.mark.parametrize(
    ("numeral", "value"),
    [
        ("一", 1),
        ("十", 10),
        ("十一", 11),
        ("二十", 20),
        ("一百零五", 105),
        ("二百六十六", 266),
        ("一千零一", 1001),
        ("266", 266),
    ],
)
def test_chinese_numerals(numeral, value):
    assert parse_chinese_number(numeral) == value


def test_numerals_round_trip():
    for value in range(1, 1200):
        assert parse_chinese_number(to_chinese_number(value)) == value


def test_the_corpus_is_there():
    require(len(LAW_FILES) == 10, "../shared/data/laws is not beside the checkout")


@pytest.mark.parametrize("path", LAW_FILES, ids=lambda p: p.stem)
def test_every_law_parses_to_as_many_articles_as_it_has_article_headings(path):
    text = path.read_text(encoding="utf-8")
    headings = re.findall(r"^第[一二三四五六七八九十百千零]+条", text, flags=re.M)
    chapters = re.findall(r"^#+ 第[一二三四五六七八九十百千零]+章", text, flags=re.M)
    sections = re.findall(r"^#+ 第[一二三四五六七八九十百千零]+节", text, flags=re.M)

    draft = parse_draft(text)

    summary = draft.summary()
    assert summary["articles"] == len(headings)
    assert summary["chapters"] == len(chapters)
    assert summary["sections"] == len(sections)
    articles = [node for node in draft.walk() if node.kind == "article"]
    assert [a.number for a in articles] == list(range(1, len(articles) + 1))
    assert all(article.paragraphs for article in articles)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("gongsi_fa_2023.md", {"parts": 0, "chapters": 15, "sections": 9, "articles": 266, "items": 0}),
        ("lifa_fa_2023.md", {"parts": 0, "chapters": 6, "sections": 7, "articles": 120, "items": 0}),
        ("xingzheng_fuyi_fa_2017.md", {"parts": 0, "chapters": 7, "sections": 0, "articles": 43, "items": 0}),
        ("xingzheng_fuyi_fa_2023.md", {"parts": 0, "chapters": 7, "sections": 9, "articles": 90, "items": 0}),
        ("xingfa_xiuzhengan_12_2023.md", {"parts": 0, "chapters": 0, "sections": 0, "articles": 0, "items": 8}),
    ],
)
def test_structure_summaries(name, expected):
    require((LAWS / name).exists(), f"{name} is missing")
    assert parse_draft((LAWS / name).read_text(encoding="utf-8")).summary() == expected


def test_sections_sit_inside_their_chapters_and_articles_inside_sections():
    require(LAWS.exists(), "../shared/data/laws is missing")
    draft = parse_draft((LAWS / "xingzheng_fuyi_fa_2023.md").read_text(encoding="utf-8"))

    chapter_two = draft.nodes[1]
    assert (chapter_two.kind, chapter_two.label, chapter_two.heading) == ("chapter", "第二章", "行政复议申请")
    sections = [child for child in chapter_two.children if child.kind == "section"]
    assert [s.label for s in sections] == ["第一节", "第二节", "第三节", "第四节"]
    assert sections[0].heading == "行政复议范围"
    assert sections[0].children[0].label == "第十一条"
    # the title of the law and its history are kept apart from the articles
    assert draft.title == "中华人民共和国行政复议法"
    assert draft.preamble[0].startswith("1999年4月29日")


def test_paragraphs_and_items_stay_inside_their_article():
    require(LAWS.exists(), "../shared/data/laws is missing")
    draft = parse_draft((LAWS / "xingzheng_fuyi_fa_2023.md").read_text(encoding="utf-8"))
    article_11 = next(node for node in draft.walk() if node.label == "第十一条")

    paragraphs, items = count_paragraphs(article_11)

    assert article_11.paragraphs[0].startswith("有下列情形之一的")
    assert items == 15 and paragraphs == 1


def test_the_amendment_act_becomes_commentable_items():
    require(LAWS.exists(), "../shared/data/laws is missing")
    draft = parse_draft((LAWS / "xingfa_xiuzhengan_12_2023.md").read_text(encoding="utf-8"))

    items = draft.commentable
    assert [item.label for item in items] == ["一、", "二、", "三、", "四、", "五、", "六、", "七、", "八、"]
    assert items[1].text.count("（") >= 3  # the quoted sub-items stay with item 二
    assert items[-1].text == "本修正案自2024年3月1日起施行。"


def test_plain_text_without_markdown():
    text = "某某市物业管理条例（草案）\n\n第一章　总则\n\n第一条　为了规范物业管理，制定本条例。\n第二条　本条例适用于本市。\n\n第二章　业主\n第三条　业主享有下列权利：\n（一）知情权；\n（二）监督权。\n"

    draft = parse_draft(text)

    assert draft.title == "某某市物业管理条例（草案）"
    assert draft.summary() == {"parts": 0, "chapters": 2, "sections": 0, "articles": 3, "items": 0}
    assert draft.nodes[1].children[0].paragraphs == ["业主享有下列权利：", "（一）知情权；", "（二）监督权。"]


def test_articles_with_a_suffix_number():
    draft = parse_draft("第一条 甲。\n第二条 乙。\n第二条之一 丙。\n第三条 丁。")

    assert [(a.number, a.sub_number, a.label) for a in draft.commentable] == [
        (1, 0, "第一条"),
        (2, 0, "第二条"),
        (2, 1, "第二条之一"),
        (3, 0, "第三条"),
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "文本为空"),
        ("   \n\u200b\n", "文本为空"),
        ("这是一段没有任何条文结构的文字。\n第二段也没有。", "未识别出条文结构"),
        ("第一条 甲。\n第二条 乙。\n第二条 丙。", "第3行：第二条重复出现（首次在第2行）"),
        ("第一条 甲。\n第三条 乙。", "第2行：条文编号不连续"),
        ("一、甲。\n二、乙。\n二、丙。", "第3行：条目“二、”重复出现"),
        ("第一章 总则\n第一条 甲。\n第一章 又一个总则\n第二条 乙。", "第3行：“第一章”重复出现"),
    ],
)
def test_bad_input_gets_a_clear_error(text, message):
    with pytest.raises(DraftParseError, match=re.escape(message)):
        parse_draft(text)
