"""Segmentation: legal terms kept whole, traditional and full-width forms folded, jieba's output."""

from pathlib import Path

import pytest

from search.dictionary import terms_from_law_text
from search.tokenize import analyze, nfkc, normalize, plain_jieba, query_words, segment, tokens, user_terms
from tests.conftest import require

LAWS = Path(__file__).resolve().parents[3] / "shared" / "data" / "laws"
DEMO_LAWS = Path(__file__).resolve().parents[2] / "consultations" / "demo_data"


@pytest.mark.parametrize(
    "text", ["ＡＢＣ１２３，。", "㈱①ﬁ", "e\u0301 café", "Å\u212b", "电子政务，很好！", "\u3000全角空格"]
)
def test_fast_nfkc_is_exactly_nfkc(text):
    import unicodedata

    assert nfkc(text) == unicodedata.normalize("NFKC", text)


def test_traditional_and_full_width_forms_fold_to_simplified():
    assert normalize("電子政務") == "电子政务"
    assert normalize("ＡＢＣ１２３，") == "abc123,"
    assert tokens("電子政務") == tokens("电子政务") == ["电子政务"]


@pytest.mark.parametrize(
    "term", ["中华人民共和国行政复议法", "行政复议", "被申请人", "统一社会信用代码", "政府信息公开", "累积投票制"]
)
def test_legal_terms_are_kept_whole(term):
    assert term in user_terms()
    assert term in segment(f"根据{term}的规定提出意见")


def test_stop_words_punctuation_and_spaces_are_dropped():
    assert tokens("我们认为，这个条款的 规定！！很好。") == ["认为", "条款", "规定", "好"]
    assert analyze("政府信息公开  的范围") == "政府 信息 公开 政府信息公开 范围"  # search mode: words inside too


def test_query_words_carry_the_words_inside_them():
    assert query_words("行政复议法 的 电子政务") == [
        ("行政复议法", ("行政", "复议", "复议法")),
        ("电子政务", ("电子", "子政", "政务")),
    ]
    assert query_words("听证") == [("听证", ())]


def test_same_output_as_plain_jieba_on_real_law_text():
    # given the reference segmenter with the same dictionary
    reference = plain_jieba()
    text = (DEMO_LAWS / "xingzheng_fuyi_fa_2023.md").read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if line.strip()][:200]

    # then the fast segmenter agrees line by line
    for line in lines:
        assert segment(line) == reference.lcut(normalize(line), HMM=False)


def test_dictionary_terms_are_read_from_law_texts():
    text = (DEMO_LAWS / "xingzheng_fuyi_fa_2023.md").read_text(encoding="utf-8")

    terms = terms_from_law_text(text)

    assert {"中华人民共和国行政复议法", "行政复议法", "行政诉讼法"} <= terms
    assert "行政行为" in terms  # 本法所称行政行为，包括…


def test_the_shipped_dictionary_covers_every_shared_law():
    require(LAWS.exists(), "../shared/data/laws is not beside the checkout")
    shipped = set(user_terms())
    for path in LAWS.glob("*.md"):
        if path.name.lower() != "readme.md":
            assert terms_from_law_text(path.read_text(encoding="utf-8")) <= shipped, path.name
