"""A legislator signs in, opens a closed draft's themes, opens one theme, records the handling
decision and sees it recorded, on the theme's page and in the overview."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.roles import Role
from consultations.demo import ensure_index
from consultations.models import Comment, CommentStatus, Decision, DraftPage, Stance, Theme, ThemeOrigin
from consultations.services import comment_hash, create_theme, import_version
from home.services import ensure_home_page
from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TEXT = """# 某市养犬管理条例（草案）

## 第一章 总则

第一条 为了规范养犬行为，保障公民健康和人身安全，制定本条例。

第二条 本条例适用于本市行政区域内的养犬及相关管理活动。

第三条 养犬人应当为犬只办理登记，并携带犬只登记证明。
"""

COMMENTS = [
    ("犬只登记应当可以在网上办理。", Stance.AMEND),
    ("建议登记手续全部线上完成，减少跑腿。", Stance.AMEND),
    ("反对收取过高的登记费用。", Stance.OPPOSE),
]


@pytest.fixture
def closed_draft_with_theme(transactional_db, regions):
    home = ensure_home_page()
    index = ensure_index(home)
    now = timezone.now()
    draft = DraftPage(
        title="养犬管理条例（草案）",
        slug="yangquan",
        drafting_body="市人大常委会法工委",
        opens_at=now - timedelta(days=40),
        closes_at=now - timedelta(days=1),
        jurisdiction_id="110000",
    )
    index.add_child(instance=draft)
    draft.save_revision().publish()
    version = import_version(draft=draft, label="一审稿", text=TEXT)
    article = version.provisions.get(kind="article", number=3)
    comments = [
        Comment.objects.create(
            draft=draft,
            provision=article,
            text=text,
            text_hash=comment_hash(text),
            stance=stance,
            status=CommentStatus.PUBLISHED,
        )
        for text, stance in COMMENTS
    ]
    legislator = UserFactory(email="reviewer@example.cn", role=Role.LEGISLATOR, jurisdiction_id="110000")
    theme = create_theme(
        draft=DraftPage.objects.get(pk=draft.pk),
        title="网上办理登记",
        comments=comments,
        user=legislator,
        provision=article,
        origin=ThemeOrigin.CLUSTER,
        cluster_key="e2e-1",
    )
    return draft, theme, article, legislator


def test_a_legislator_records_a_decision_on_a_theme(page, live_server, closed_draft_with_theme):
    draft, theme, article, legislator = closed_draft_with_theme
    base = live_server.url

    # the legislator signs in to the admin
    page.goto(base + "/admin/login/")
    page.fill("input[name=username]", legislator.email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit]").click()
    page.wait_for_url(base + "/admin/")

    # opens the draft's themes and sees the theme, pending, with its size
    page.goto(base + f"/admin/consultations/drafts/{draft.pk}/review/")
    row = page.get_by_test_id("theme-row").filter(has_text="网上办理登记")
    assert row.get_by_test_id("size").inner_text() == "3"
    assert row.get_by_test_id("decision").get_attribute("data-decision") == Decision.PENDING

    # opens the theme and sees its members
    row.get_by_test_id("theme-link").click()
    page.wait_for_url(base + f"/admin/consultations/review/themes/{theme.pk}/")
    assert page.get_by_test_id("member").count() == 3

    # records the decision: partly adopted in article 3, with the reason
    form = page.get_by_test_id("decision-form")
    form.locator("select[name$=decision]").select_option(Decision.PARTLY_ADOPTED.value)
    form.locator("textarea[name$=reason]").fill("增加网上办理登记的规定，登记费用另行规定。")
    form.locator("select[name$=adopted_in]").select_option(str(article.pk))
    form.get_by_test_id("record-decision").click()
    page.wait_for_load_state()

    # sees it recorded on the theme's page and in the overview
    page.wait_for_url(base + f"/admin/consultations/review/themes/{theme.pk}/")
    state = page.get_by_test_id("decision-state")
    assert state.get_attribute("data-decision") == Decision.PARTLY_ADOPTED
    assert "增加网上办理登记的规定" in state.inner_text()
    page.screenshot(path="test-results/review-theme.png", full_page=True)
    theme = Theme.objects.get(pk=theme.pk)
    assert (theme.decision, theme.adopted_in_id, theme.decided_by_id) == (
        Decision.PARTLY_ADOPTED,
        article.pk,
        legislator.pk,
    )
    page.goto(base + f"/admin/consultations/drafts/{draft.pk}/review/")
    decision = page.get_by_test_id("theme-row").filter(has_text="网上办理登记").get_by_test_id("decision")
    assert decision.get_attribute("data-decision") == Decision.PARTLY_ADOPTED
    page.screenshot(path="test-results/review-themes.png", full_page=True)
