"""Every rule explains its evidence: a sentence with the numbers in words and units, the basis as law and article,
the comparison behind a population rule; never a raw key, a Python literal or an ISO timestamp."""

import re

import pytest
from django.utils import translation

from core.charts import distribution_strip
from monitoring.explain import EXPLAINERS, explain
from monitoring.explain.text import article, chinese_numeral
from monitoring.rules import registry
from tests.monitoring.evidence_samples import POPULATION_RULES, SAMPLES, TENDERER_FLAG

RAW = [
    (re.compile(r"\b[A-Za-z]+_[A-Za-z_]+\b"), "an identifier with an underscore"),
    (re.compile(r"[\[\]{}]"), "a bracket or brace"),
    (re.compile(r"\b(True|False|None|nan|NaN)\b"), "a Python literal"),
    (re.compile(r"\d{4}-\d{2}-\d{2}"), "an ISO date"),
    (re.compile(r"Q1 − k·IQR|cardinal-rs"), "a formula or a program as a reason"),
]


def words(explanation) -> str:
    return " ".join(
        [
            explanation.summary,
            *explanation.items,
            *map(str, explanation.basis),
            explanation.method,
            *(
                [explanation.distribution.caption, *explanation.distribution.labels.values()]
                if explanation.distribution
                else []
            ),
        ]
    )


def assert_readable(text: str) -> None:
    for pattern, what in RAW:
        assert not pattern.search(text), f"{what} in {text!r}"


def test_every_registered_rule_has_an_explanation_and_a_sample():
    codes = {rule.code for rule in registry.ALL_RULES}
    assert codes == set(EXPLAINERS) == set(SAMPLES)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("code", sorted(SAMPLES))
def test_each_rule_reads_as_a_sentence_with_its_basis(code, language):
    with translation.override(language):
        explanation = explain(code, SAMPLES[code], lambda i: {"T1": "甲公司", "T2": "乙公司", "T3": "丙公司"}.get(i, i))
        text = words(explanation)

    assert_readable(text)
    assert explanation.summary and explanation.basis
    assert (explanation.distribution is not None) == (code in POPULATION_RULES)
    if language == "zh-hans":
        assert not re.search(
            r"[A-Za-z]{4,}", text.replace("Open Contracting Partnership", "").replace("Cardinal", "")
        ), text


def test_a_population_rule_gives_the_numbers_in_context_with_units():
    with translation.override("zh-hans"):
        a006 = explain("A006", SAMPLES["A006"])
        l002 = explain("L002", SAMPLES["L002"], lambda i: "河北省" if i == "region:130000" else i)

    assert "0.4 个办公小时" in a006.summary and "1,283" in a006.summary and "2.1 个办公小时" in a006.summary
    assert "食品经营许可" in a006.summary
    assert "15 元/m²" in l002.summary and "133.2 元/m²" in l002.summary and "河北省" in l002.summary
    assert "第一四分位数减去 2 倍四分位距" in a006.method


def test_the_legal_basis_is_a_law_and_an_article():
    with translation.override("zh-hans"):
        r028 = [str(b) for b in explain("R028", SAMPLES["R028"]).basis]
        a004 = [str(b) for b in explain("A004", SAMPLES["A004"]).basis]
        l001 = [str(b) for b in explain("L001", SAMPLES["L001"]).basis]
    with translation.override("en"):
        r028_en = [str(b) for b in explain("R028", SAMPLES["R028"]).basis]

    assert any("《中华人民共和国招标投标法实施条例》第四十条第（四）项" in b for b in r028)
    assert any("Cardinal" in b and "R028" in b for b in r028)
    assert "《中华人民共和国行政许可法》第三十二条第一款第（四）项" in a004
    assert any(b.startswith("《招标拍卖挂牌出让国有建设用地使用权规定") and b.endswith("第四条") for b in l001)
    assert any("Regulation on the Implementation of the Bidding Law, art. 40(4)" in b for b in r028_en)


def test_a_tenderer_flagged_through_processes_and_an_unknown_rule_read_in_words():
    for code in ("R024", "R028", "R030", "R035", "R058"):
        with translation.override("zh-hans"):
            explanation = explain(code, TENDERER_FLAG)
        assert "1 个采购项目" in explanation.summary
        assert_readable(words(explanation))
    assert explain("X999", {"a_b": 1}).summary


def test_chinese_article_numbers():
    assert [chinese_numeral(n) for n in (1, 10, 14, 40, 82, 100, 105, 110, 266)] == [
        "一",
        "十",
        "十四",
        "四十",
        "八十二",
        "一百",
        "一百零五",
        "一百一十",
        "二百六十六",
    ]
    with translation.override("zh-hans"):
        assert article(32, 1, 4) == "第三十二条第一款第（四）项"


def test_the_comparison_strip_puts_the_value_beyond_the_fence():
    lower = distribution_strip(0.4, 2.1, 9.2, 30.5, side="lower", log=True).geometry
    upper = distribution_strip(0.6, 0.3, 0.02, 0.13, side="upper").geometry

    assert 0 <= lower["value_x"] < lower["fence_x"] < lower["box_x"] <= lower["width"]
    assert lower["zone_x"] == 0 and lower["zone_width"] == lower["fence_x"]
    assert upper["box_x"] < upper["fence_x"] < upper["value_x"] <= upper["width"]
