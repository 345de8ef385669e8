"""The demo's consultations are coherent: each draft's comments are about its subject, dated inside its window,
with positions; the open Shanghai round shows themes at once; every page that shows the vTaiwan comments says
where they come from."""

import csv
import shutil
import subprocess
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from accounts.models import User
from consultations import exports
from consultations.demo import DATA, VTAIWAN_SPLIT, read_vtaiwan, rebase
from consultations.models import VISIBLE_STATUSES, Comment, DraftPage, DraftStatus, Stance, ThemeOrigin
from tests.conftest import require

FIRST, SECOND = "shanghai-youhua-yingshang-huanjing-tiaoli", "shanghai-youhua-yingshang-huanjing-tiaoli-2"
POLIS = "https://pol.is/3phdex2kjf"
NOTICE = "来自另一次公众讨论：vTaiwan"


def _draft(slug: str) -> DraftPage:
    return DraftPage.objects.get(slug=slug)


def test_rebase_keeps_order_and_spacing_and_fills_the_window():
    stamps = [datetime(2015, 7, 1, tzinfo=UTC), datetime(2015, 7, 2, tzinfo=UTC), datetime(2015, 7, 5, tzinfo=UTC)]
    start = datetime(2026, 1, 1, tzinfo=UTC)

    dates = rebase(stamps, start, start + timedelta(days=8))

    assert dates == [start, start + timedelta(days=2), start + timedelta(days=8)]


def test_every_vtaiwan_comment_has_a_position_label():
    with (DATA / "vtaiwan_uberx_stances.csv").open(encoding="utf-8", newline="") as handle:
        labels = {int(row["comment-id"]): row["stance"] for row in csv.DictReader(handle)}
    with (DATA / "vtaiwan_uberx_comments.csv").open(encoding="utf-8", newline="") as handle:
        ids = {int(row["comment-id"]) for row in csv.DictReader(handle)}

    assert set(labels) == ids and len(ids) == 197
    assert set(labels.values()) == set(Stance.values)  # all four positions occur


def test_every_comment_is_dated_inside_its_window_and_moderated_after_it_came(demo_content):
    now = timezone.now()
    comments = Comment.objects.select_related("draft")

    assert comments.count() == 197
    for comment in comments:
        draft = comment.draft
        assert draft.opens_at <= comment.created_at <= min(draft.closes_at, now), comment.pk
        if comment.moderated_at:
            assert comment.created_at <= comment.moderated_at <= min(draft.closes_at, now), comment.pk


def test_the_open_drafts_without_comments_opened_today(demo_content):
    today = timezone.localdate()
    for draft in DraftPage.objects.all():
        if draft.status == DraftStatus.OPEN and not draft.comments.exists():
            assert timezone.localtime(draft.opens_at).date() == today, draft.title
    assert _draft("xingfa-xiuzhengan-12").status == DraftStatus.UPCOMING


def test_the_shanghai_rounds_split_the_vtaiwan_comments_by_time(demo_content):
    first, second = _draft(FIRST), _draft(SECOND)
    rows = read_vtaiwan()

    # the first round: closed before the second opened, answered, its report out after the decisions
    assert first.closes_at < first.report_published_at < second.opens_at < timezone.now() < second.closes_at
    assert first.comments.count() == sum(1 for row in rows if row.stamp < VTAIWAN_SPLIT) == 85
    for theme in first.themes.all():
        assert first.closes_at < theme.decided_at < first.report_published_at
    # the second: open, with enough published comments for clustering to show themes
    assert second.comments.count() == 112
    assert second.comments.filter(status__in=VISIBLE_STATUSES).count() >= 60
    # the comments keep the order they were made in
    texts = {
        FIRST: [row.text for row in rows if row.stamp < VTAIWAN_SPLIT],
        SECOND: [row.text for row in rows if row.stamp >= VTAIWAN_SPLIT],
    }
    for slug, expected in texts.items():
        assert list(_draft(slug).comments.order_by("created_at", "pk").values_list("text", flat=True)) == expected


def test_the_comments_carry_sunshines_position_labels(demo_content):
    labelled = Counter(row.stance for row in read_vtaiwan())
    stored = Counter(Comment.objects.filter(draft__slug__in=[FIRST, SECOND]).values_list("stance", flat=True))

    assert stored == labelled
    for slug in (FIRST, SECOND):  # no round is all "not stated"
        assert _draft(slug).comments.exclude(stance=Stance.UNSTATED).count() > 50


def test_the_open_round_was_clustered_when_the_demo_loaded(demo_content):
    second = _draft(SECOND)
    themes = second.themes.filter(origin=ThemeOrigin.CLUSTER)

    assert themes.count() >= 2
    members = Comment.objects.filter(memberships__theme__in=themes)
    assert members.count() >= 40
    assert set(members.values_list("status", flat=True)) <= set(VISIBLE_STATUSES)


@pytest.mark.parametrize("slug", [FIRST, SECOND])
def test_the_draft_page_says_once_where_its_comments_come_from(client, demo_content, slug):
    html = client.get(_draft(slug).url).content.decode()

    assert html.count('data-testid="attribution"') == 1
    assert NOTICE in html and "CC BY 4.0" in html and f'href="{POLIS}"' in html


def test_an_article_page_lists_the_comments_and_says_once_where_they_come_from(client, demo_content):
    second = _draft(SECOND)
    article = second.current_version.provisions.get(kind="article", number=60, sub_number=0)

    html = client.get(f"{second.url}articles/{article.pk}/").content.decode()

    assert html.count('class="comment"') > 5
    assert html.count('data-testid="attribution"') == 1 and f'href="{POLIS}"' in html
    assert "The Computational Democracy Project —" not in html  # no raw source line under each comment


def test_a_draft_made_here_says_nothing_about_other_consultations(client, demo_content):
    html = client.get(_draft("wuzhangai-huanjing-jianshe-fa").url).content.decode()

    assert 'data-testid="attribution"' not in html


def test_the_report_its_pdf_and_its_open_data_name_the_source(client, demo_content):
    first = _draft(FIRST)

    html = client.get(f"{first.url}report/").content.decode()
    assert html.count('data-testid="attribution"') == 1 and f'href="{POLIS}"' in html
    rows = list(exports.published_rows(first))
    assert rows and all("CC BY 4.0" in row["source"] for row in rows)
    pdftotext = shutil.which("pdftotext")
    require(pdftotext is not None, "pdftotext (poppler-utils) is not installed")
    pdf = client.get(f"{first.url}report/pdf/").content
    text = subprocess.run([pdftotext, "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True).stdout  # noqa: S603
    assert POLIS in text.decode().replace("\n", "")


def test_the_review_screen_names_the_source_and_shows_the_themes(client, demo_content):
    client.force_login(User.objects.get(email="legislator@demo.sunshine.cn"))
    second = _draft(SECOND)

    html = client.get(f"/admin/consultations/drafts/{second.pk}/review/").content.decode()

    assert html.count('data-testid="attribution"') == 1
    assert html.count('data-testid="theme-row"') >= 2
