"""The pure planner of clustering runs (#13, #15): what a full run leaves for the next, and an incremental run
that reads and writes only what the new comments need."""

from __future__ import annotations

import numpy as np
import pytest

from search.clustering.campaigns import CampaignIndex, find_campaigns, link, probe
from search.clustering.pipeline import default_tokenizer
from search.clustering.runs import (
    ClusterState,
    CommentRows,
    KnownCampaign,
    KnownComment,
    diff_members,
    plan_full,
    plan_incremental,
    segments_to_merge,
)
from search.clustering.themes import Featuriser, fit_features
from tests.search.test_theme_plan import TWELVE

LETTER = "建议删除第三条中关于业主大会会议召开比例的规定，改为由业主自行协商确定，保障每一位业主的表决权利。"
OTHERS = [
    "食品安全事关每个人，建议加强对校园周边小摊贩的检查。",
    "行政复议机关应当在受理后六十日内作出决定，情况复杂的可以延长。",
    "建议明确行政复议委员会的组成和议事规则，保证专家学者的参与。",
    "复议期间不停止执行的规定过于绝对，应当允许申请人申请停止执行。",
]


def _rows(texts: list[str], *, first_id: int = 1, articles=None) -> CommentRows:
    ids = list(range(first_id, first_id + len(texts)))
    return CommentRows(
        ids=ids,
        texts=texts,
        articles=articles or [None] * len(texts),
        created=ids,
        campaign=[None] * len(texts),
        additions=[""] * len(texts),
    )


class Reader:
    """A reader over a dict of comments, recording what it was asked for."""

    def __init__(self, comments: dict[int, str], campaign_of: dict[int, int], theme_of: dict[int, int], campaigns):
        self.comments, self.campaign_of, self.theme_of, self.rows = comments, campaign_of, theme_of, campaigns
        self.asked: list[int] = []

    def known(self, ids):
        self.asked += ids
        return {
            pk: KnownComment(
                text=self.comments[pk], created=pk, campaign=self.campaign_of.get(pk), theme=self.theme_of.get(pk)
            )
            for pk in ids
        }

    def campaigns(self, ids):
        return {pk: self.rows[pk] for pk in ids if pk in self.rows}

    def waiting(self, ids):
        self.asked += ids
        return _rows([self.comments[pk] for pk in ids], first_id=ids[0]) if ids else _rows([])


def test_the_campaign_index_survives_storage_and_finds_a_copy_of_an_indexed_comment():
    # given: an index of earlier comments, stored and read back
    earlier = [LETTER, *OTHERS, LETTER + "我是第3号楼的业主。"]
    result = find_campaigns(earlier)
    index = CampaignIndex.from_bytes(CampaignIndex(np.arange(10, 10 + len(earlier)), result.keys).to_bytes())
    assert index.ids.tolist() == list(range(10, 16)) and (index.keys == result.keys).all()

    # when: a signer of the letter (a few characters changed) and an unrelated comment arrive
    new = [LETTER.replace("协商", "商量") + "希望采纳。", "公交站台应当增设无障碍坡道和语音报站。"]
    found = probe(index, new)

    # then: the probe proposes copies of the letter only, and checking them links the signer to them
    assert set(found.candidates) <= {10, 15} and found.candidates
    groups = link(index, found, new, {pk: earlier[pk - 10] for pk in found.candidates})
    signer, stranger = groups[0], groups[1]
    assert all(groups[len(new) + n] == signer for n in range(len(found.candidates)))
    assert stranger != signer


def test_the_features_fitted_once_put_new_texts_where_fitting_them_would():
    # given: features fitted on real-looking comments and stored
    texts = [text for _subject, text in TWELVE] * 3 + OTHERS * 3
    tokens = default_tokenizer(texts)
    featuriser, features = fit_features(tokens, None, None, texts)
    stored = Featuriser.from_bytes(featuriser.to_bytes())

    # when: the same texts are put in the fitted space again
    again = stored.transform(tokens, texts)

    # then: the same vectors and words
    assert np.allclose(again.vectors, features.vectors, atol=1e-4)
    assert (again.words != features.words).nnz == 0


def test_segments_are_merged_as_they_grow_so_a_few_remain():
    sizes: list[int] = [100_000]
    for _run in range(500):
        sizes.append(7)
        merge = segments_to_merge(sizes)
        sizes = sizes[: len(sizes) - merge] + [sum(sizes[len(sizes) - merge :])]
        assert len(sizes) <= 8
    assert sizes[0] == 100_000 and sum(sizes) == 100_000 + 7 * 500


def test_a_membership_cosine_that_barely_moved_is_not_rewritten():
    add, remove, update = diff_members({1: 0.5, 2: 0.3, 3: None}, {1: 0.505, 2: 0.4, 3: 0.2, 4: 0.9})
    assert add == {4: 0.9} and remove == [] and update == {2: 0.4, 3: 0.2}
    assert diff_members({1: 0.5}, {})[1] == [1]


@pytest.fixture
def earlier_run():
    """A full plan over 20 comments (the twelve on accessibility, four others and a campaign) and its state."""
    texts = [text for _subject, text in TWELVE] + OTHERS + [LETTER] * 3 + [LETTER + "我家有老人，希望尽快修改。"]
    rows = _rows(texts)
    plan = plan_full(rows, themes=[], campaigns=[], by_hand=set(), scope=7)
    theme_ids = [100 + number for number in range(len(plan.themes))]
    return rows, plan, plan.state(theme_ids), theme_ids


def test_a_full_plan_leaves_an_index_of_every_comment_and_a_centroid_per_theme(earlier_run):
    rows, plan, state, theme_ids = earlier_run
    assert plan.index.ids.tolist() == rows.ids
    assert set(state.centroids) == set(theme_ids) and plan.themes
    pairs = zip(theme_ids, plan.themes, strict=True)
    assert all(state.centroids[pk].weight == len(change.members) for pk, change in pairs)
    assert ClusterState.from_bytes(state.to_bytes()).waiting == state.waiting
    [campaign] = plan.campaigns
    assert campaign.size == 4 and campaign.form_text == LETTER
    assert plan.summary.read == len(rows) == plan.summary.comments


def test_an_incremental_plan_reads_only_the_copies_the_index_proposes(earlier_run):
    # given: the earlier run's index, state and themes; the campaign written as row 500
    rows, plan, state, theme_ids = earlier_run
    letter_ids = [pk for pk, text in zip(rows.ids, rows.texts, strict=True) if text.startswith(LETTER)]
    theme_of = {pk: pk_theme for pk_theme, change in zip(theme_ids, plan.themes, strict=True) for pk in change.members}
    campaign = KnownCampaign(id=500, key="c1", form_text=LETTER, size=4, first_seen=17, last_seen=20)
    reader = Reader(
        dict(zip(rows.ids, rows.texts, strict=True)), dict.fromkeys(letter_ids, 500), theme_of, {500: campaign}
    )
    featuriser = Featuriser.from_bytes(plan.featuriser.to_bytes())

    # when: another signer and a comment on lifts arrive
    new = _rows([LETTER + "希望立法机关重视。", "电梯加装以后的维护费用，应当由受益的业主按楼层分摊。"], first_id=1000)
    incremental = plan_incremental(
        new,
        state=state,
        featuriser=featuriser,
        index=plan.index,
        themes=set(theme_ids),
        placed=set(),
        reader=reader,
        scope=7,
    )

    # then: it read only what the index proposed (the letter's copies, a comment on lifts), never the whole
    # draft, and wrote only the new comments
    text_of = dict(zip(rows.ids, rows.texts, strict=True))
    assert set(letter_ids) <= set(reader.asked) and len(set(reader.asked)) < len(rows) / 2
    assert all(pk in letter_ids or "电梯" in text_of[pk] for pk in reader.asked)
    assert set(incremental.links) == {1000}
    [grown] = incremental.campaigns
    assert grown.existing == 500 and grown.size == 5
    assert incremental.links[1000] == (0, "希望立法机关重视。")
    added = {pk for members in incremental.additions.values() for pk in members}
    assert added | set(incremental._state.waiting) >= {1000, 1001}
    assert not added & set(rows.ids)
    # the signer joins the theme its campaign is in
    assert 1000 in incremental.additions.get(theme_of[letter_ids[0]], {})
    assert incremental.segment.ids.tolist() == [1000, 1001]
    assert incremental.summary.read == 2 + len(set(reader.asked))
