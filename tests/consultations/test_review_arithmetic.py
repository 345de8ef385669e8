"""The pure arithmetic of the review screens: campaign-aware counts, representatives, buckets, charts."""

from datetime import date

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


def test_day_buckets_fill_empty_days_and_widen_over_long_windows():
    days = [date(2024, 1, 1), date(2024, 1, 1), date(2024, 1, 3)]
    assert review.day_buckets(days) == [
        (date(2024, 1, 1), date(2024, 1, 1), 2),
        (date(2024, 1, 2), date(2024, 1, 2), 0),
        (date(2024, 1, 3), date(2024, 1, 3), 1),
    ]
    long = [date(2024, 1, 1), date(2024, 4, 30)]
    buckets = review.day_buckets(long, max_buckets=60)
    assert all((end - start).days + 1 <= 7 for start, end, _n in buckets)
    assert len(buckets) <= 60 and sum(n for *_d, n in buckets) == 2
    assert buckets[0][0] == date(2024, 1, 1) and buckets[-1][1] == date(2024, 4, 30)
    assert review.day_buckets([]) == []


def test_bars_are_proportional_to_the_largest_value():
    bars, height = review.horizontal_bars([("甲", 10), ("乙", 5), ("丙", 0)], width=200, bar_height=10, gap=5)
    assert [b.width for b in bars] == [200, 100, 0]
    assert [b.y for b in bars] == [0, 15, 30] and height == 40
    segments = review.stacked_bar([("a", "支持", 1), ("b", "反对", 3)], width=100)
    assert [(s.x, s.width) for s in segments] == [(0, 25), (25, 75)]
    cols = review.columns([("1", 2), ("2", 4)], width=100, height=50, gap=0)
    assert [(c.x, c.y, c.height) for c in cols] == [(0, 25, 25), (50, 0, 50)]
