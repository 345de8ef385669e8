"""The importer over text as legislative-affairs offices paste it.

Every real text in ../shared/data/laws/ is rendered back the way it arrives from a web page or a word
processor — title given twice, amendment notes in brackets, a 目录, a preamble before 第一章,
full-width and non-breaking spaces, spaced numerals, Windows line endings — and must give the same
structure as the clean text. Text that cannot be placed is refused, naming the line and quoting it.
"""

import json
import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from consultations.parsing import DraftParseError, Node, ParsedDraft, parse_draft
from tests.conftest import require

SHARED_LAWS = Path(__file__).resolve().parents[3] / "shared" / "data" / "laws"
DEMO_TEXTS = Path(__file__).resolve().parents[2] / "consultations" / "demo_data"
LAW_NAMES = [
    "gongsi_fa_2023.md",
    "lifa_fa_2023.md",
    "shanghai_youhua_yingshang_huanjing_tiaoli_2024.md",
    "wuzhangai_huanjing_jianshe_fa_2023.md",
    "xingfa_xiuzhengan_12_2023.md",
    "xingzheng_fuyi_fa_2017.md",
    "xingzheng_fuyi_fa_2023.md",
    "zengzhishui_fa_2024.md",
    "zhengfu_xinxi_gongkai_tiaoli_2019.md",
    "zhongda_xingzheng_juece_chengxu_zanxing_tiaoli_2019.md",
]
# Article counts from the corpus README (counted there by regex, checked here by the parser).
ARTICLES = {
    "gongsi_fa_2023.md": 266,
    "lifa_fa_2023.md": 120,
    "shanghai_youhua_yingshang_huanjing_tiaoli_2024.md": 97,
    "wuzhangai_huanjing_jianshe_fa_2023.md": 72,
    "xingfa_xiuzhengan_12_2023.md": 0,
    "xingzheng_fuyi_fa_2017.md": 43,
    "xingzheng_fuyi_fa_2023.md": 90,
    "zengzhishui_fa_2024.md": 38,
    "zhengfu_xinxi_gongkai_tiaoli_2019.md": 56,
    "zhongda_xingzheng_juece_chengxu_zanxing_tiaoli_2019.md": 44,
}
CHINESE_NUMERAL = "零一二三四五六七八九十百千"


@pytest.fixture(autouse=True)
def _chinese():
    with translation.override("zh-hans"):
        yield


def law(name: str) -> str:
    path = SHARED_LAWS / name
    require(path.exists(), f"{path} is missing: ../shared/data/laws is not beside the checkout")
    return path.read_text(encoding="utf-8")


def shape(draft: ParsedDraft) -> list[tuple]:
    return [(n.kind, n.number, n.sub_number, n.label, n.heading, tuple(n.paragraphs)) for n in draft.walk()]


# --- rendering a parsed text back the way offices paste it ----------------------------------


def _spaced(label: str) -> str:
    """第十一条 → 第 十 一 条."""
    return " ".join(label)


def render_pasted(
    clean: ParsedDraft,
    *,
    title_twice: bool = False,
    notes: bool = False,
    toc: bool = False,
    toc_label: bool = True,
    preamble: bool = False,
    full_width: bool = False,
    nbsp: bool = False,
    spaced_numerals: bool = False,
    crlf: bool = False,
    markdown: bool = True,
) -> str:
    space = "\u3000" if full_width else ("\u00a0" if nbsp else " ")
    lines: list[str] = []
    lines.append(f"# {clean.title}" if markdown else clean.title)
    if title_twice:
        # the title as printed on the official page: split where the issuing country ends
        lines.append(
            clean.title.replace("中华人民共和国", "中华人民共和国 ", 1)
            if "中华人民共和国" in clean.title
            else " ".join(clean.title)
        )
    if notes and clean.preamble:
        lines.append("（" + "\u3000".join(clean.preamble) + "）")
    headings = [node for node in clean.walk() if node.kind in ("part", "chapter", "section")]
    if toc and headings:
        if toc_label:
            lines.append("目\u3000\u3000录")
        for node in headings:
            indent = "\u3000" if node.kind == "section" else ""
            lines.append(f"{indent}{node.label}{space}{_letter_spaced(node.heading, full_width)}")
    if preamble:
        lines.append("为了广泛听取社会各界意见，现将草案全文公布，欢迎提出修改意见。")

    def emit(nodes: list[Node]) -> None:
        for node in nodes:
            label = _spaced(node.label) if spaced_numerals and node.kind != "item" else node.label
            if node.kind in ("part", "chapter", "section"):
                prefix = "#" * (node_level(node) + 2) + " " if markdown and not full_width else ""
                lines.append(f"{prefix}{label}{space}{_letter_spaced(node.heading, full_width)}".rstrip())
            elif node.kind == "article":
                first, *rest = node.paragraphs
                lines.append(f"{space if full_width else ''}{label}{space}{first}")
                lines.extend(("\u3000\u3000" if full_width else "") + paragraph for paragraph in rest)
            else:
                lines.append(f"{node.label}{node.paragraphs[0]}")
                lines.extend(node.paragraphs[1:])
            emit(node.children)

    emit(clean.nodes)
    return ("\r\n" if crlf else "\n").join(lines) + ("\r\n" if crlf else "\n")


def node_level(node: Node) -> int:
    return {"part": 0, "chapter": 0, "section": 1}[node.kind]


def _letter_spaced(heading: str, wide: bool) -> str:
    """总则 → 总　　则, as short headings are typeset."""
    return "\u3000\u3000".join(heading) if wide and len(heading) == 2 else heading


QUIRKS = {
    "title twice": {"title_twice": True},
    "amendment notes": {"notes": True},
    "目录": {"toc": True},
    "目录 without its label": {"toc": True, "toc_label": False},
    "preamble": {"preamble": True},
    "full-width spaces": {"full_width": True},
    "non-breaking spaces": {"nbsp": True},
    "第 一 条": {"spaced_numerals": True},
    "Windows line endings": {"crlf": True},
    "plain text": {"markdown": False},
    "all at once": {
        "title_twice": True,
        "notes": True,
        "toc": True,
        "preamble": True,
        "full_width": True,
        "spaced_numerals": True,
        "crlf": True,
        "markdown": False,
    },
}


# --- the corpus ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", LAW_NAMES, ids=lambda n: n.removesuffix(".md"))
def test_every_real_text_parses_with_its_known_article_count(name):
    draft = parse_draft(law(name))

    articles = [node for node in draft.walk() if node.kind == "article"]
    assert len(articles) == ARTICLES[name]
    if articles:
        assert articles[-1].number == len(articles)  # the last article's number is the count
        assert draft.summary()["items"] == 0
    else:
        assert [item.number for item in draft.commentable] == list(range(1, len(draft.commentable) + 1))
    assert draft.title and not draft.title.startswith("#")
    assert draft.preamble  # the adoption and amendment history


@pytest.mark.parametrize("path", sorted(DEMO_TEXTS.glob("*.md")), ids=lambda p: p.stem)
def test_the_demo_texts_parse(path):
    if path.name == "README.md":
        return
    assert parse_draft(path.read_text(encoding="utf-8")).commentable


def test_headings_lose_the_spaces_of_their_typesetting():
    draft = parse_draft(law("xingzheng_fuyi_fa_2023.md"))  # ## 第一章 总 则

    assert draft.nodes[0].heading == "总则"


# --- each quirk, on every text ------------------------------------------------------------


@pytest.mark.parametrize("quirk", list(QUIRKS), ids=list(QUIRKS))
@pytest.mark.parametrize("name", LAW_NAMES, ids=lambda n: n.removesuffix(".md"))
def test_a_pasted_text_gives_the_same_structure_as_the_clean_one(name, quirk):
    clean = parse_draft(law(name))
    pasted = render_pasted(clean, **QUIRKS[quirk])

    draft = parse_draft(pasted)

    assert shape(draft) == shape(clean)
    assert draft.title == clean.title


def test_the_title_given_twice_is_kept_once():
    text = "# 中华人民共和国行政复议法\n中华人民共和国 行政复议法\n第一章 总则\n第一条 为了防止和纠正违法的行政行为，制定本法。\n"

    draft = parse_draft(text)

    assert draft.title == "中华人民共和国行政复议法"
    assert draft.preamble == []


def test_amendment_notes_and_preamble_are_kept_in_order_and_the_contents_are_not():
    text = (
        "中华人民共和国行政复议法\r\n"
        "（1999年4月29日第九届全国人民代表大会常务委员会第九次会议通过　根据2017年9月1日第十二届全国人民代表大会"
        "常务委员会第二十九次会议《关于修改〈中华人民共和国法官法〉等八部法律的决定》第二次修正）\r\n"
        "\r\n"
        "目　　录\r\n"
        "第一章　总　　则\r\n"
        "第二章　行政复议范围\r\n"
        "\r\n"
        "为了广泛听取社会各界意见，现将草案全文公布。\r\n"
        "\r\n"
        "第一章　总　　则\r\n"
        "第一条　为了防止和纠正违法的或者不当的具体行政行为，制定本法。\r\n"
        "第二章　行政复议范围\r\n"
        "第 二 条\u00a0有下列情形之一的，公民可以申请行政复议：\r\n"
        "（一）对警告不服的；\r\n"
    )

    draft = parse_draft(text)

    assert draft.title == "中华人民共和国行政复议法"
    assert draft.preamble[0].startswith("（1999年4月29日") and draft.preamble[0].endswith("第二次修正）")
    assert draft.preamble[1] == "为了广泛听取社会各界意见，现将草案全文公布。"
    assert len(draft.preamble) == 2  # the 目录 is not kept
    assert [(n.label, n.heading) for n in draft.nodes] == [("第一章", "总则"), ("第二章", "行政复议范围")]
    assert draft.nodes[1].children[0].label == "第二条"
    assert draft.nodes[1].children[0].paragraphs == ["有下列情形之一的，公民可以申请行政复议：", "（一）对警告不服的；"]


def test_a_constitution_like_preamble_with_its_label_is_kept():
    text = "中华人民共和国宪法\n目录\n序言\n第一章 总纲\n第二章 国家机构\n序言\n中国是世界上历史最悠久的国家之一。\n第一章 总纲\n第一条 甲。\n第二章 国家机构\n第二条 乙。"

    draft = parse_draft(text)

    assert draft.preamble == ["序言", "中国是世界上历史最悠久的国家之一。"]
    assert draft.summary()["chapters"] == 2


@pytest.mark.parametrize(
    "line",
    [
        "第一条为了规范物业管理，制定本条例。",  # glued label
        "第１条　为了规范物业管理，制定本条例。",  # full-width digit
        "第一条\u2003为了规范物业管理，制定本条例。",  # em space
        "\u3000\u3000第一条　为了规范物业管理，制定本条例。",  # indented
        "\ufeff第一条 为了规范物业管理，制定本条例。",  # byte-order mark
    ],
)
def test_article_labels_as_word_processors_leave_them(line):
    draft = parse_draft(f"某某市物业管理条例\n{line}\n第二条 本条例适用于本市。")

    assert [(a.label, a.text) for a in draft.commentable][0][1] == "为了规范物业管理，制定本条例。"
    assert len(draft.commentable) == 2


def test_a_heading_glued_to_its_title_or_broken_over_two_lines():
    draft = parse_draft("第一章总则\n第一条 甲。\n第二章\n业主和业主组织\n第二条 乙。")

    assert [(n.label, n.heading) for n in draft.nodes] == [("第一章", "总则"), ("第二章", "业主和业主组织")]


def test_a_reference_to_an_article_at_the_start_of_a_paragraph_stays_a_paragraph():
    draft = parse_draft("第一条 甲。\n第二条 乙：\n第一条规定的情形，不适用本条。\n第三条 丙。")

    assert [a.label for a in draft.commentable] == ["第一条", "第二条", "第三条"]
    assert draft.commentable[1].paragraphs[1] == "第一条规定的情形，不适用本条。"


def test_a_state_council_decree_pasted_above_the_title_is_preamble():
    text = (
        "中华人民共和国国务院令\n"
        "第713号\n"
        "《重大行政决策程序暂行条例》已经2019年4月3日国务院第46次常务会议通过，现予公布，自2019年9月1日起施行。\n"
        "总理　李克强\n"
        "2019年4月20日\n"
        "重大行政决策程序暂行条例\n"
        "第一章　总　　则\n"
        "第一条　为了健全科学、民主、依法决策机制，制定本条例。\n"
    )

    draft = parse_draft(text)

    assert draft.title == "重大行政决策程序暂行条例"
    assert draft.preamble[0] == "中华人民共和国国务院令" and draft.preamble[-1] == "2019年4月20日"


def test_a_decision_quoting_articles_without_quotation_marks_stays_a_list_of_items():
    text = (
        "全国人民代表大会常务委员会关于修改《中华人民共和国某某法》的决定\n"
        "第十四届全国人民代表大会常务委员会第七次会议决定对《中华人民共和国某某法》作如下修改：\n"
        "一、将第十条修改为：\n"
        "第十条　国家建立某某制度。\n"
        "二、将第二十条第二款修改为：\n"
        "第二十条　……\n"
        "三、本决定自2024年1月1日起施行。\n"
    )

    draft = parse_draft(text)

    assert [item.label for item in draft.commentable] == ["一、", "二、", "三、"]
    assert draft.commentable[0].paragraphs == ["将第十条修改为：", "第十条　国家建立某某制度。"]
    assert draft.preamble == ["第十四届全国人民代表大会常务委员会第七次会议决定对《中华人民共和国某某法》作如下修改："]


def test_page_numbers_copied_from_a_pdf_are_dropped():
    text = "某某条例\n第一条 甲。\n— 1 —\n第二条 乙。\n第 2 页 共 3 页\n第三条 丙。\n-3-"

    draft = parse_draft(text)

    assert [a.paragraphs for a in draft.commentable] == [["甲。"], ["乙。"], ["丙。"]]


# --- what cannot be placed is refused, naming the line ------------------------------------


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        (
            "某某条例\n第一条 甲。\n第二条 乙。\n第三条 丙。\n第二条 丁。",
            5,
            "第5行：条文编号倒退：第三条之后又出现第二条（第二条已在第3行）。该行原文：“第二条 丁。”",
        ),
        ("某某条例\n第一条 甲。\n第三条 丙。", 3, "第3行：条文编号不连续：第一条之后是第三条。该行原文：“第三条 丙。”"),
        ("某某条例\n第二条 甲。", 2, "第2行：条文编号不连续：第一个条文是第二条，应为第一条"),
        (
            "某某条例\n第一章 总则\n本章规定基本原则。\n第一条 甲。",
            3,
            "第3行：这段文字位于标题“第一章 总则”与其第一条之间，不属于任何条文。该行原文：“本章规定基本原则。”",
        ),
        ("某某条例\n（一）知情权；\n第一条 甲。", 2, "第2行：第一条之前出现了“（一）”式的项，它不属于任何条文"),
        ("一、甲。\n三、乙。", 2, "第2行：条目“三、”编号不连续（应为第2项）"),
    ],
)
def test_text_that_cannot_be_placed_is_refused_naming_and_quoting_its_line(text, line, message):
    with pytest.raises(DraftParseError) as caught:
        parse_draft(text)

    assert caught.value.line == line
    assert message in str(caught.value)


def test_the_line_number_counts_blank_lines_and_windows_line_endings():
    text = "# 某某条例\r\n\r\n目录\r\n第一章 总则\r\n\r\n第一章 总则\r\n第一条 甲。\r\n\r\n第一条 乙。\r\n"

    with pytest.raises(DraftParseError) as caught:
        parse_draft(text)

    assert caught.value.line == 9
    assert caught.value.quote == "第一条 乙。"


def test_a_long_line_is_quoted_shortened():
    body = "这是一段很长的说明文字，" * 10
    with pytest.raises(DraftParseError) as caught:
        parse_draft(f"某某条例\n第一章 总则\n{body}\n第一条 甲。")

    assert len(caught.value.quote) == 40 and caught.value.quote.endswith("…")


def test_the_message_is_in_english_for_an_english_reader():
    with translation.override("en"), pytest.raises(DraftParseError) as caught:
        parse_draft("第一条 甲。\n第三条 乙。")

    assert str(caught.value) == (
        "Line 2: articles are not numbered in sequence: 第一条 is followed by 第三条. The line reads: “第三条 乙。”"
    )


# --- the command, on files as offices save them -------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "gb18030"])
def test_import_draft_reads_a_pasted_file_in_the_encodings_offices_save(tmp_path, encoding, db):
    clean = parse_draft(law("xingzheng_fuyi_fa_2017.md"))
    path = tmp_path / "pasted.txt"
    path.write_bytes(render_pasted(clean, **QUIRKS["all at once"]).encode(encoding))
    out = StringIO()

    call_command("import_draft", str(path), "--dry-run", "--json", stdout=out)

    assert json.loads(out.getvalue().strip().splitlines()[-1])["articles"] == 43


def test_import_draft_names_the_line_it_cannot_place(tmp_path, db):
    path = tmp_path / "broken.txt"
    path.write_bytes(
        "某某条例\r\n目录\r\n第一章 总则\r\n第一章 总则\r\n第一条 甲。\r\n第三条 乙。\r\n".encode("gb18030")
    )

    with pytest.raises(
        CommandError, match=re.escape("第6行：条文编号不连续：第一条之后是第三条。该行原文：“第三条 乙。”")
    ):
        call_command("import_draft", str(path), "--dry-run")
