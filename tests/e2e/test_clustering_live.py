"""A legislator starts clustering from the review screen and, on another tab of the same screen, watches its
progress arrive over the live socket; the screen then shows the themes."""

import pytest

from accounts.roles import Role
from consultations.models import CommentStatus, Theme
from tests.consultations.conftest import make_draft as make_draft  # noqa: F401  (a fixture)
from tests.consultations.test_clustering_adapter import _comment, _reviews
from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WATCH = """() => { const s = document.querySelector('[data-testid=cluster-status]');
  new MutationObserver(() => { const seen = JSON.parse(sessionStorage.getItem('seen') || '[]');
    seen.push(s.getAttribute('data-state') + '|' + s.textContent); sessionStorage.setItem('seen', JSON.stringify(seen)); })
  .observe(s, {childList: true, subtree: true, characterData: true, attributes: true}); }"""


def test_a_legislator_starts_clustering_and_watches_its_progress(browser, asgi_live_server, make_draft):
    # given an open draft with post-moderated comments nobody approved by hand
    draft = make_draft()
    for label in ("酒店", "书籍", "水果"):
        for text in _reviews(label, 12):
            _comment(draft, text, status=CommentStatus.PUBLISHED)
    legislator = UserFactory(email="cluster@example.cn", role=Role.LEGISLATOR, jurisdiction_id="110000")
    base = asgi_live_server
    context = browser.new_context(locale="zh-CN")
    watcher = context.new_page()
    watcher.set_default_timeout(30_000)
    watcher.goto(base + "/admin/login/")
    watcher.fill("input[name=username]", legislator.email)
    watcher.fill("input[name=password]", PASSWORD)
    watcher.locator("form button[type=submit]").click()
    watcher.wait_for_url(base + "/admin/")
    review = base + f"/admin/consultations/drafts/{draft.pk}/review/"
    watcher.goto(review)
    watcher.evaluate(WATCH)
    watcher.wait_for_timeout(1500)  # the socket connects

    # when they press the button, visible and labelled as a verb, on another tab
    starter = context.new_page()
    starter.goto(review)
    starter.get_by_role("button", name="开始归类").click()
    starter.wait_for_load_state()

    # then the watching tab saw the steps live, then reloaded with the themes
    watcher.wait_for_function("() => (sessionStorage.getItem('seen') || '').includes('done|')")
    watcher.wait_for_load_state()
    seen = watcher.evaluate("JSON.parse(sessionStorage.getItem('seen'))")
    assert any(line.startswith("running|正在归类…") for line in seen)
    watcher.wait_for_function("() => document.querySelectorAll('[data-testid=theme-row]').length > 1")
    assert "归类完成" in watcher.get_by_test_id("cluster-status").inner_text()
    assert Theme.objects.filter(draft=draft).count() >= 2
    watcher.screenshot(path="test-results/clustering-live.png", full_page=True)
    context.close()
