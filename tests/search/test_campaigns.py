"""Campaign detection on characters: injected campaigns in real reviews, form text and additions."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from search.clustering.campaigns import addition, find_campaigns, near_duplicate_groups
from search.clustering.evaluation import inject_campaign, pair_scores
from tests.conftest import require

SHOPPING = Path(__file__).resolve().parents[3] / "shared" / "data" / "text" / "online_shopping_10_cats.csv"
LETTER = "我们坚决反对草案第二十条关于延长试用期的规定，试用期最长不应超过三个月，请保护新入职劳动者的合法权益。"


@pytest.fixture(scope="module")
def reviews() -> list[str]:
    require(SHOPPING.exists(), "../shared/data/text/online_shopping_10_cats.csv is missing")
    with SHOPPING.open(encoding="utf-8") as handle:
        return [row["text"] for row in csv.DictReader(handle)][::10]  # 6,278 reviews of every category


def test_injected_campaigns_are_found_in_real_texts(reviews):
    # given: 400 light edits of 100 reviews mixed into 5,000 reviews
    injection = inject_campaign(reviews, background=5000, bases=100, edits=400, seed=3)

    # when
    groups = near_duplicate_groups(injection.texts)

    # then (measured on 20,000 texts: precision 0.988, recall 0.999)
    precision, recall = pair_scores(injection.origin, groups)
    assert precision >= 0.97
    assert recall >= 0.98


def test_a_campaign_is_shown_once_with_its_form_text_and_what_signers_added():
    # given: 40 signers of one letter; some fix a character, some add a sentence of their own
    texts = [LETTER] * 25
    texts += [LETTER.replace("坚决", "坚定") for _ in range(5)]
    texts += [LETTER + f"我在工厂工作了{n}年，深有体会。" for n in range(10)]
    texts += ["物业费应当公示，收支要透明。", "支持这个草案"]

    # when
    result = find_campaigns(texts)

    # then
    assert len(result.campaigns) == 1
    campaign = result.campaigns[0]
    assert campaign.size == 40 and sorted(campaign.members) == list(range(40))
    assert campaign.form_text == LETTER
    added = [campaign.additions.get(i, "") for i in campaign.members]
    assert sum("深有体会" in text for text in added) == 10
    assert all(not campaign.additions.get(i) for i in range(30))  # a changed word is an edit, not an addition
    assert result.campaign_of()[40:].tolist() == [-1, -1]


def test_a_short_comment_inside_a_long_one_is_not_a_copy():
    texts = ["支持草案第二十条的规定", LETTER + "支持草案第二十条的规定，但是需要细化。"]
    groups = near_duplicate_groups(texts)
    assert groups[0] != groups[1]


def test_detection_works_on_characters_whatever_the_punctuation_or_width():
    full_width = LETTER.replace("，", "、").replace("三", "３")
    spaced = " ".join(LETTER)
    groups = near_duplicate_groups([LETTER, full_width, spaced, "完全不同的一条意见，讲的是垃圾分类的事情。"])
    assert groups[0] == groups[1] == groups[2] != groups[3]


def test_traditional_and_simplified_copies_are_one_campaign():
    simplified = "建议删除第三条关于业主大会表决比例的规定，改由业主自行协商确定。"
    traditional = "建議刪除第三條關於業主大會表決比例的規定，改由業主自行協商確定。"
    groups = near_duplicate_groups([simplified, traditional])
    assert groups[0] == groups[1]


def test_repeated_phrases_keep_their_weight():
    # "很好" forty times and forty-one times are copies; "很好" twice is not a copy of them
    groups = near_duplicate_groups(["很好" * 40, "很好" * 41 + "！", "很好很好，推荐购买这款"])
    assert groups[0] == groups[1] != groups[2]


def test_addition_lists_the_passages_a_signer_wrote():
    assert addition("甲乙丙丁戊己庚辛", "甲乙丙丁戊己庚辛，我是一名退休教师") == "，我是一名退休教师"
    assert addition("甲乙丙丁戊己庚辛", "甲乙丙X丁戊己庚辛") == ""


def test_pair_scores_count_pairs_exactly():
    origin = np.array([0, 0, 0, 1, 1, -1, -1])
    perfect = np.array([5, 5, 5, 6, 6, 7, 8])
    assert pair_scores(origin, perfect) == (1.0, 1.0)
    # group 1 split, one background text pulled into group 0
    predicted = np.array([5, 5, 5, 6, 9, 5, 8])
    precision, recall = pair_scores(origin, predicted)
    assert precision == pytest.approx(3 / 6) and recall == pytest.approx(3 / 4)


def test_verification_skips_pairs_already_joined_and_groups_the_same(reviews):
    # given: candidate pairs of real reviews with injected campaigns (many pairs within each campaign)
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    from search.clustering.campaigns import CampaignParams, _signed, _verified, candidate_pairs, normalise, verify

    injection = inject_campaign(reviews, background=3000, bases=60, edits=600, seed=5)
    params = CampaignParams()
    texts = sorted({normalise(text) for text in injection.texts if len(normalise(text)) >= params.min_chars})
    hashes, offsets, signatures = _signed(texts, params)
    pairs = candidate_pairs(signatures, params.bands)

    def shingles(i):
        return set(hashes[offsets[i] : offsets[i + 1]].tolist())

    every = [(i, j) for i, j in pairs.tolist() if verify(shingles(i), shingles(j), params) > 0]

    # when
    spanning = _verified(pairs, signatures, hashes, offsets, params)

    # then: fewer pairs, the same groups
    def components(edges):
        rows, cols = zip(*edges, strict=True) if edges else ((), ())
        graph = coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(texts), len(texts)))
        return connected_components(graph, directed=False)[1]

    assert set(spanning) <= set(every) and len(spanning) < len(every) * 0.8
    assert (components(spanning) == components(every)).all()
