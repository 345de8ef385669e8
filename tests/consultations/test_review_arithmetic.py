"""The pure arithmetic of the review screens: campaign-aware counts, representatives (charts: tests/site/core)."""

from consultations import review


def test_a_campaign_counts_once_however_many_signed():
    assert review.campaign_aware_count([None, None, 7, 7, 7, 9]) == 4
    assert review.campaign_aware_count([]) == 0
    assert review.campaign_sizes([None, 7, 9, 7, 7, 9, 3]) == [(7, 3), (9, 2), (3, 1)]


def test_split_lists_every_key_in_order():
    assert review.split(["amend", "support", "amend"], ["support", "oppose", "amend"]) == {
        "support": 1,
        "oppose": 0,
        "amend": 2,
    }


def test_representatives_prefer_the_centre_and_one_per_campaign():
    candidates = [
        review.Candidate(pk=1, similarity=None, campaign=None, order=0),
        review.Candidate(pk=2, similarity=0.95, campaign=5, order=1),
        review.Candidate(pk=3, similarity=0.97, campaign=5, order=2),
        review.Candidate(pk=4, similarity=0.60, campaign=None, order=3),
        review.Candidate(pk=5, similarity=None, campaign=None, order=4),
    ]
    assert review.representatives(candidates, 3) == [3, 4, 1]
    assert review.representatives(candidates, 10) == [3, 4, 1, 5]


def test_campaigns_collapse_where_their_first_member_appears():
    rows = review.collapse_campaigns([(1, None), (2, 8), (3, None), (4, 8), (5, 9)])
    assert rows == [("comment", 1, [1]), ("campaign", 8, [2, 4]), ("comment", 3, [3]), ("campaign", 9, [5])]
