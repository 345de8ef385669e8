"""The scale benchmark's pure parts: its texts (distinct, 30 % copies of five form letters, which the platform's
campaign detection finds), where they come from, and its list of steps. The benchmark itself
(python -m bench.scale) is run by people, not by the test suite."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from pathlib import Path

from bench.corpus import FORM_LETTERS, SHARED_TEXTS, CommentTexts, clauses
from bench.scale_steps import SCREENS, STEPS
from search.clustering.campaigns import find_campaigns
from tests.conftest import require

ROOT = Path(__file__).resolve().parents[2]


def demo_texts(count: int, seed: int = 1) -> tuple[CommentTexts, list[tuple[str, int | None]]]:
    pieces, _origin = clauses(Path("/nonexistent"))  # the demo's comments: in every checkout
    texts = CommentTexts(pieces, seed=seed)
    return texts, [texts.next() for _ in range(count)]


def test_without_the_shared_texts_the_clauses_come_from_the_demo_comments(tmp_path):
    pieces, origin = clauses(tmp_path)

    assert origin == "vtaiwan_uberx_comments.csv"
    assert len(pieces) > 300
    assert all(4 <= len(piece) <= 60 and "，" not in piece and "。" not in piece for piece in pieces)


def test_the_shared_texts_are_used_when_present():
    require(SHARED_TEXTS.exists(), "../shared/data/text/ is not here")

    pieces, origin = clauses()

    assert origin == "gov_messages_dev.csv, online_shopping_10_cats.csv"
    assert len(pieces) > 100_000


def test_every_text_is_distinct_and_about_30_percent_copy_a_form_letter():
    _texts, made = demo_texts(3000)

    assert len({text for text, _ in made}) == 3000
    letters = Counter(letter for _, letter in made if letter is not None)
    assert 0.27 < sum(letters.values()) / 3000 < 0.33
    assert set(letters) == set(range(FORM_LETTERS))


def test_the_same_seed_gives_the_same_texts():
    assert demo_texts(50, seed=7)[1] == demo_texts(50, seed=7)[1]
    assert demo_texts(50, seed=7)[1] != demo_texts(50, seed=8)[1]


def test_the_copies_are_what_campaign_detection_finds_and_the_rest_is_not():
    # given 1,500 texts from the shared texts' clauses (the demo's few hundred clauses recombine into
    # look-alikes), 30 % of them lightly edited copies of five letters
    require(SHARED_TEXTS.exists(), "../shared/data/text/ is not here")
    texts = CommentTexts(clauses()[0], seed=1)
    made = [texts.next() for _ in range(1500)]

    # when the platform's campaign detection reads them
    found = find_campaigns([text for text, _ in made]).campaign_of()

    # then each letter's copies are (almost all) one campaign, and the comments of their own are in none
    for letter in range(FORM_LETTERS):
        campaigns = Counter(found[i] for i, (_, copied) in enumerate(made) if copied == letter)
        campaign, members = campaigns.most_common(1)[0]
        assert campaign >= 0 and members / sum(campaigns.values()) > 0.9
    own = [found[i] for i, (_, copied) in enumerate(made) if copied is None]
    assert sum(number >= 0 for number in own) / len(own) < 0.02


def test_the_steps_are_listed_in_the_order_they_run():
    listed = subprocess.run(  # noqa: S603 - our own module
        [sys.executable, "-m", "bench.scale", "--list"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.splitlines()

    assert [line.split()[0] for line in listed] == [step.name for step in STEPS]
    assert [step.name for step in STEPS][:2] == ["index_full", "index_full_es"]
    assert {"cluster_full", "add_comments", "cluster_incremental", "screens", "report", "export_xlsx"} <= {
        step.name for step in STEPS
    }


def test_the_screens_cover_the_legislators_and_the_public_pages():
    names = {screen.name: screen.who for screen in SCREENS}

    assert {name for name, who in names.items() if who == "legislator"} == {
        "review_overview",
        "review_articles",
        "review_campaigns",
        "themes",
        "theme_members_page_2",
        "review_search_facets",
        "moderation_queue",
    }
    assert {"draft_page", "article_page", "public_search"} <= {
        name for name, who in names.items() if who == "anonymous"
    }
