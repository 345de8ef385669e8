"""The issue's legislator journey, in one go: on a draft whose post-moderated comments nobody has approved yet, a
legislator starts clustering and watches its progress arrive live, follows the review screen to what waits for
moderation, approves a whole campaign with one reason, and, once the window has closed, records a decision on a
theme."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.roles import Role
from consultations.models import Campaign, Comment, CommentStatus, Decision, DraftPage, Stance, Theme
from tests.conftest import require
from tests.consultations.conftest import make_draft as make_draft  # noqa: F401  (a fixture)
from tests.consultations.test_clustering_adapter import FORM_LETTER, SHOPPING, _comment, _reviews
from tests.e2e.test_clustering_live import WATCH
from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

REASON = "集中意见内容与草案第三条相关，予以公开。"


@pytest.fixture
def commented_draft(make_draft):
    require(SHOPPING.exists(), "../shared/data/text/online_shopping_10_cats.csv is missing")
    draft = make_draft()
    for label in ("酒店", "书籍", "水果"):
        for text in _reviews(label, 12):
            _comment(draft, text, status=CommentStatus.PUBLISHED)
    for number in range(10):  # a campaign: the same letter, some signers add a sentence
        suffix = f"我是第{number}号楼的业主，希望采纳。" if number % 3 == 0 else ""
        _comment(draft, FORM_LETTER + suffix, status=CommentStatus.PUBLISHED, stance=Stance.AMEND)
    return draft


def test_a_legislator_clusters_approves_a_campaign_and_records_a_decision(browser, asgi_live_server, commented_draft):
    draft = commented_draft
    legislator = UserFactory(email="journey@example.cn", role=Role.LEGISLATOR, jurisdiction_id="110000")
    base = asgi_live_server
    context = browser.new_context(locale="zh-CN")
    watcher = context.new_page()
    watcher.set_default_timeout(30_000)
    watcher.goto(base + "/admin/login/")
    watcher.fill("input[name=username]", legislator.email)
    watcher.fill("input[name=password]", PASSWORD)
    watcher.locator("form button[type=submit]").click()
    watcher.wait_for_url(base + "/admin/")

    # starts clustering on one tab and watches its progress arrive live on another
    review = base + f"/admin/consultations/drafts/{draft.pk}/review/"
    watcher.goto(review)
    watcher.evaluate(WATCH)
    watcher.wait_for_timeout(1500)  # the socket connects
    starter = context.new_page()
    starter.goto(review)
    starter.get_by_role("button", name="开始归类").click()
    starter.wait_for_load_state()
    starter.close()
    # the run imports scikit-learn and reads the comments in the server's process: on a busy machine, a while
    watcher.wait_for_function("() => (sessionStorage.getItem('seen') || '').includes('done|')", timeout=90_000)
    seen = watcher.evaluate("JSON.parse(sessionStorage.getItem('seen'))")
    assert any(line.startswith("running|正在归类…") for line in seen)
    watcher.wait_for_function("() => document.querySelectorAll('[data-testid=theme-row]').length > 1")
    campaign = Campaign.objects.get(draft=draft)
    assert campaign.size == 10

    # the review screen says how many wait; the queue, filtered by campaign, approves it in one action with one reason
    page = watcher
    page.get_by_test_id("review-waiting").get_by_role("link").click()
    page.wait_for_url(re.compile(rf"/admin/consultations/moderation/\?draft={draft.pk}&status=waiting$"))
    filters = page.get_by_test_id("moderation-filters")
    filters.locator("select[name=campaign]").select_option(str(campaign.pk))
    filters.get_by_role("button", name="筛选").click()
    page.wait_for_url(re.compile(rf"campaign={campaign.pk}"))
    assert page.get_by_test_id("moderation-count").inner_text() == "共10条意见。"
    bulk = page.get_by_test_id("campaign-bulk")
    bulk.get_by_label("理由（记录在每条意见上）").fill(REASON)
    bulk.get_by_role("button", name="通过整组集中意见").click()
    page.wait_for_load_state()
    members = Comment.objects.filter(campaign=campaign)
    assert set(members.values_list("status", "rejection_reason", "moderated_by")) == {
        (CommentStatus.APPROVED, REASON, legislator.pk)
    }
    assert Comment.objects.filter(draft=draft, status=CommentStatus.PUBLISHED).count() == 36  # the rest still wait

    # the window closes; the legislator opens a theme and records its decision
    DraftPage.objects.filter(pk=draft.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    page.goto(review)
    theme = Theme.objects.filter(draft=draft).order_by("position").first()
    page.get_by_test_id("theme-row").filter(has_text=theme.title).get_by_test_id("theme-link").click()
    page.wait_for_url(base + f"/admin/consultations/review/themes/{theme.pk}/")
    form = page.get_by_test_id("decision-form")
    assert form.locator("select[name$=decision]").input_value() == Decision.PENDING  # the default
    form.locator("select[name$=decision]").select_option(Decision.NOT_ADOPTED.value)
    form.locator("textarea[name$=reason]").fill("与本条例调整的事项无关。")
    form.get_by_test_id("record-decision").click()
    page.wait_for_url(base + f"/admin/consultations/review/themes/{theme.pk}/")
    assert page.get_by_test_id("decision-state").get_attribute("data-decision") == Decision.NOT_ADOPTED
    theme.refresh_from_db()
    assert (theme.decision, theme.decided_by_id) == (Decision.NOT_ADOPTED, legislator.pk)
    page.screenshot(path="test-results/legislator-journey-decision.png", full_page=True)
    context.close()
