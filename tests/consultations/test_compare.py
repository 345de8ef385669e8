"""Comparing two versions: word-level inline diffs for light edits, side by side for rewritten articles."""

from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from consultations.diffing import diff_article, diff_words, words
from consultations.parsing import parse_draft
from consultations.services import import_version

DEMO_DATA = Path(__file__).resolve().parents[2] / "consultations" / "demo_data"
OLD_LAW, NEW_LAW = "xingzheng_fuyi_fa_2017.md", "xingzheng_fuyi_fa_2023.md"


def _text(name: str) -> str:
    return (DEMO_DATA / name).read_text(encoding="utf-8")


def _article(name: str, label: str) -> str:
    return next(node.text for node in parse_draft(_text(name)).walk() if node.label == label)


def _word_boundaries(text: str) -> set[int]:
    offsets, position = {0}, 0
    for word in words(text):
        position += len(word)
        offsets.add(position)
    return offsets


def _visible_text(element) -> str:
    """The text a sighted reader sees: screen-reader-only words left out, line breaks kept."""
    element = BeautifulSoup(str(element), "html.parser")
    for hidden in element.select(".visually-hidden"):
        hidden.decompose()
    for br in element.find_all("br"):
        br.replace_with("\n")
    return element.get_text()


# --- the pure diff ------------------------------------------------------------------------


def test_a_lightly_edited_article_is_diffed_inline_in_whole_words():
    # given 2017 第四条, which the 2023 law keeps as 第三条 with a few words changed
    old, new = _article(OLD_LAW, "第四条"), _article(NEW_LAW, "第三条")

    # when
    diff = diff_article(old, new)

    # then: one running text, the changed words whole
    assert diff.layout == "inline"
    changed = [(p.op, p.text) for p in diff.inline if p.op != "equal"]
    assert ("delete", "及时") in changed and ("insert", "高效") in changed
    assert ("insert", "、为民") in changed
    assert "".join(p.text for p in diff.inline if p.op != "insert") == old
    assert "".join(p.text for p in diff.inline if p.op != "delete") == new


def test_changed_pieces_start_and_end_on_word_boundaries():
    old, new = _article(OLD_LAW, "第十九条"), _article(NEW_LAW, "第三十四条")
    old_bounds, new_bounds = _word_boundaries(old), _word_boundaries(new)

    pieces = diff_words(old, new)

    old_at = new_at = 0
    for piece in pieces:
        if piece.op in ("equal", "delete"):
            assert piece.op == "equal" or {old_at, old_at + len(piece.text)} <= old_bounds, piece
            old_at += len(piece.text)
        if piece.op in ("equal", "insert"):
            assert piece.op == "equal" or {new_at, new_at + len(piece.text)} <= new_bounds, piece
            new_at += len(piece.text)
    # 法规 → 行政法规 is shown as a word replaced, not as 行政 slipped in front of 法规
    assert any(p.op == "delete" and p.text == "法规" for p in pieces)
    assert any(p.op == "insert" and p.text == "行政法规" for p in pieces)


def test_a_heavily_rewritten_article_is_shown_side_by_side_with_both_texts_whole():
    # given 2017 第三条 (the review office's duties), rewritten as 2023 第四条
    old, new = _article(OLD_LAW, "第三条"), _article(NEW_LAW, "第四条")

    diff = diff_article(old, new)

    assert diff.layout == "side_by_side"
    assert diff.inline == ()
    assert "".join(p.text for p in diff.old) == old
    assert "".join(p.text for p in diff.new) == new
    assert {p.op for p in diff.old} == {"equal", "delete"}
    assert {p.op for p in diff.new} == {"equal", "insert"}


def test_additions_alone_stay_inline_however_long():
    old = "公民、法人或者其他组织认为行政行为侵犯其合法权益的，可以申请行政复议。"
    new = old + "\n行政机关作出行政行为时，未告知公民、法人或者其他组织申请行政复议的权利的，申请期限自知道之日起计算。"

    diff = diff_article(old, new)

    assert diff.layout == "inline"
    assert [p.op for p in diff.inline] == ["equal", "insert"]


def test_a_renumbered_item_shows_its_number_replaced_whole():
    old = "（九）申请行政机关履行法定职责，行政机关没有依法履行的；"
    new = "（十一）申请行政机关履行法定职责，行政机关没有依法履行的；"

    pieces = diff_words(old, new)

    assert [(p.op, p.text) for p in pieces[:2]] == [("delete", "（九）"), ("insert", "（十一）")]
    assert "".join(words("1.主要事实不清(3)")) == "1.主要事实不清(3)"


def test_unchanged_added_and_removed_articles():
    assert diff_article("甲。", "甲。").layout == "same"
    assert diff_article(None, "乙。").layout == "added"
    assert diff_article("丙。", None).layout == "removed"


# --- the page -------------------------------------------------------------------------------


@pytest.fixture
def administrative_review_law(make_draft):
    draft = make_draft(text=_text(OLD_LAW))
    import_version(draft=draft, label="二审稿", text=_text(NEW_LAW))
    return draft


def _page(client, draft, query=""):
    response = client.get(f"{draft.url}compare/{query}")
    assert response.status_code == 200
    return BeautifulSoup(response.content.decode(), "html.parser")


def _tally(page) -> list[int]:
    return [int(strong.get_text()) for strong in page.select(".compare-tally strong")]


def test_the_comparison_page_on_the_administrative_review_law(client, administrative_review_law):
    page = _page(client, administrative_review_law)

    # the header's counts agree with what the page lists: changed, added, removed, unchanged, renumbered
    changed, added, removed, unchanged, renumbered = _tally(page)
    assert changed == len(page.select("li.change-changed"))
    assert added == len(page.select("li.change-added"))
    assert removed == len(page.select("li.change-removed"))
    assert unchanged == len(page.select("li.change-unchanged h2"))
    assert changed + unchanged + added == 90  # every article of the 2023 law
    assert changed + unchanged + removed == 43  # every article of the 2017 law
    assert renumbered == len(page.select("li.change .badge-renumbered")) + sum(
        1 for h in page.select("li.change-unchanged h2") if h.select(".was")
    )
    assert "大幅改写" in page.select_one(".compare-tally").get_text()

    # a rewritten article: old and new text each whole, in their own column
    rewritten = page.select("li.change-rewritten")
    assert rewritten
    for item in rewritten:
        assert not item.select(".diff-inline")
        label = item.select_one(".side-old h3").get_text().split()[-1]
        new_label = item.select_one(".side-new h3").get_text().split()[-1]
        assert _visible_text(item.select_one(".diff-old")) == _article(OLD_LAW, label)
        assert _visible_text(item.select_one(".diff-new")) == _article(NEW_LAW, new_label)
        assert not item.select(".diff-old ins") and not item.select(".diff-new del")

    # a light edit: one running text, removals and additions marked, with words for screen readers
    article_3 = next(li for li in page.select("li.change-changed") if "第三条" in li.h2.get_text())
    assert "原一审稿第四条" in article_3.h2.get_text()
    assert [d.get_text() for d in article_3.select(".diff-inline del")] == ["［删去：及时删去结束］"]
    assert "［新增：高效新增结束］" in [i.get_text() for i in article_3.select(".diff-inline ins")]

    # the article carried over word for word is folded away, and can be opened
    folded = page.select_one("li.change-unchanged details")
    assert "1条未修改：" in folded.summary.get_text() and "第八十九条" in folded.summary.get_text()
    assert "原一审稿第四十一条" in folded.get_text()

    # added and removed articles say so in words
    assert "新增条文" in page.select_one("li.change-added").get_text()
    assert "二审稿已删除" in page.select_one("li.change-removed").get_text()


def test_only_the_articles_that_changed(client, administrative_review_law):
    page = _page(client, administrative_review_law, "?from=1&to=2&only=changed")

    assert not page.select("li.change-unchanged")
    assert "另有1条未修改的条文未显示" in page.get_text()
    assert page.select_one("input[name=only]").has_attr("checked")
    assert _tally(page)[3] == 1  # the header still counts it
