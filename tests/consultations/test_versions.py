"""Versions: articles matched across renumbering by content; comments follow them."""

import difflib
from pathlib import Path

import pytest

from consultations.matching import diff_segments, match_provisions
from consultations.models import Stance
from consultations.parsing import parse_draft
from consultations.selectors import comments_on_lineage, compare
from consultations.services import import_version, submit_comment
from search.similarity import normalise
from tests.conftest import require

LAWS = Path(__file__).resolve().parents[3] / "shared" / "data" / "laws"


def _articles(name: str):
    require((LAWS / name).exists(), f"{name} is missing")
    return parse_draft((LAWS / name).read_text(encoding="utf-8")).commentable


def test_carried_over_articles_of_the_administrative_review_law_are_matched_despite_renumbering():
    old, new = _articles("xingzheng_fuyi_fa_2017.md"), _articles("xingzheng_fuyi_fa_2023.md")

    matches = {
        m.old: m.new for m in match_provisions([a.text for a in old], [a.text for a in new]) if m.old is not None
    }

    # oracle: for each 2017 article, its closest 2023 article by difflib's ratio, where that ratio is high
    carried = {}
    for i, article in enumerate(old):
        ratios = [
            (difflib.SequenceMatcher(None, normalise(article.text), normalise(b.text), autojunk=False).ratio(), j)
            for j, b in enumerate(new)
        ]
        best, j = max(ratios)
        if best >= 0.6:
            carried[i] = j
    assert len(carried) >= 20
    for i, j in carried.items():
        assert matches.get(i) == j, f"2017 {old[i].label} should match 2023 {new[j].label}"
    renumbered = [(old[i].label, new[j].label) for i, j in carried.items() if old[i].number != new[j].number]
    assert ("第五条", "第十条") in renumbered and ("第四十一条", "第八十九条") in renumbered


def test_unrelated_articles_are_not_forced_into_pairs():
    matches = match_provisions(
        ["行政复议机关应当依法审理。"], ["本法自公布之日起施行。", "行政复议机关应当依法审理案件。"]
    )

    assert [(m.old, m.new) for m in matches] == [(None, 0), (0, 1)]


def test_diff_segments_rebuild_both_texts():
    old, new = "行政复议机关应当在六十日内作出决定。", "行政复议机关应当自受理申请之日起六十日内作出行政复议决定。"

    segments = diff_segments(old, new)

    assert "".join(text for op, text in segments if op != "insert") == old
    assert "".join(text for op, text in segments if op != "delete") == new
    assert ("insert", "自受理申请之日起") in segments


def test_a_second_reading_links_each_article_to_the_one_it_descends_from(make_draft, citizen):
    require(LAWS.exists(), "../shared/data/laws is missing")
    draft = make_draft(text=(LAWS / "xingzheng_fuyi_fa_2017.md").read_text(encoding="utf-8"))
    first = draft.current_version
    old_article_5 = first.provisions.get(kind="article", number=5)
    comment = submit_comment(
        draft=draft, author=citizen, provision=old_article_5, text="对一审稿第五条的意见。", stance=Stance.AMEND
    )

    second = import_version(
        draft=draft, label="二审稿", text=(LAWS / "xingzheng_fuyi_fa_2023.md").read_text(encoding="utf-8")
    )

    new_article_10 = second.provisions.get(kind="article", number=10)
    assert new_article_10.predecessor == old_article_5
    assert [p.version.label for p in new_article_10.lineage()] == ["二审稿", "一审稿"]
    # the comment still points at the article it was made on, and shows on its descendant
    comment.refresh_from_db()
    assert comment.provision == old_article_5
    assert list(comments_on_lineage(new_article_10)) == [comment]


def test_comparing_versions_article_by_article(make_draft):
    require(LAWS.exists(), "../shared/data/laws is missing")
    draft = make_draft(text=(LAWS / "xingzheng_fuyi_fa_2017.md").read_text(encoding="utf-8"))
    first = draft.current_version
    second = import_version(
        draft=draft, label="二审稿", text=(LAWS / "xingzheng_fuyi_fa_2023.md").read_text(encoding="utf-8")
    )

    changes = compare(first, second)

    kinds = [c.kind for c in changes]
    assert kinds.count("added") + sum(1 for c in changes if c.new is not None and c.old is not None) == 90
    assert sum(1 for c in changes if c.old is not None) == 43
    carried = next(c for c in changes if c.new and c.new.number == 89)
    assert carried.old.number == 41 and carried.renumbered


def test_a_failed_import_saves_nothing(make_draft):
    from consultations.models import DraftVersion, Provision
    from consultations.parsing import DraftParseError

    draft = make_draft()
    before = (DraftVersion.objects.count(), Provision.objects.count())

    with pytest.raises(DraftParseError):
        import_version(draft=draft, label="坏稿", text="第一条 甲。\n第一条 乙。")

    assert (DraftVersion.objects.count(), Provision.objects.count()) == before
