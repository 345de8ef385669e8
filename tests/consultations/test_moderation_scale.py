"""Moderation at scale: the queue's filters, bulk approval of a campaign with a reason on each comment,
sensitive words, and the review screen's count of what waits."""

import pytest
from django.utils import timezone

from consultations.models import Campaign, Comment, CommentStatus, ModerationMode, SensitiveWord, Stance
from consultations.services import moderate_comments, submit_comment
from search.models import IndexOutbox
from tests.factories import UserFactory

QUEUE = "/admin/consultations/moderation/"
BULK = "/admin/consultations/moderation/bulk/"


def _comment(draft, text, *, provision=None, stance=Stance.AMEND, status=CommentStatus.PENDING, campaign=None):
    return Comment.objects.create(
        draft=draft,
        provision=provision,
        author=UserFactory(),
        text=text,
        text_hash=text,
        stance=stance,
        status=status,
        campaign=campaign,
    )


def _campaign(draft, size):
    now = timezone.now()
    campaign = Campaign.objects.create(
        draft=draft, key="k1", form_text="坚决反对第三条的规定。", size=size, first_seen=now, last_seen=now
    )
    members = [
        _comment(draft, f"坚决反对第三条的规定。{n}", stance=Stance.OPPOSE, campaign=campaign) for n in range(size)
    ]
    return campaign, members


@pytest.fixture
def world(article_3, make_draft):
    draft, article = article_3
    other = make_draft(moderation=ModerationMode.PRE)
    campaign, members = _campaign(draft, 4)
    loose = {
        "article": _comment(draft, "关于第三条的账目公开建议。", provision=article),
        "support": _comment(draft, "整体支持这部条例。", stance=Stance.SUPPORT),
        "approved": _comment(draft, "已经审核过的意见。", status=CommentStatus.APPROVED),
        "other": _comment(other, "另一部草案上的意见。"),
    }
    return draft, article, other, campaign, members, loose


def _listed(client, query=""):
    response = client.get(QUEUE + query)
    assert response.status_code == 200
    return response.content.decode()


def test_filters(client, world, beijing_legislator):
    draft, article, other, campaign, members, loose = world
    client.force_login(beijing_legislator)

    everything = _listed(client)
    assert everything.count('data-testid="moderation-item"') == 7  # waiting ones of both drafts, not the approved
    by_draft = _listed(client, f"?draft={other.pk}")
    assert by_draft.count('data-testid="moderation-item"') == 1 and "另一部草案上的意见" in by_draft
    by_article = _listed(client, f"?draft={draft.pk}&article={article.pk}")
    assert by_article.count('data-testid="moderation-item"') == 1 and "账目公开" in by_article
    by_stance = _listed(client, f"?stance={Stance.SUPPORT}")
    assert by_stance.count('data-testid="moderation-item"') == 1 and "整体支持" in by_stance
    by_campaign = _listed(client, f"?draft={draft.pk}&campaign={campaign.pk}")
    assert by_campaign.count('data-testid="moderation-item"') == 4 and 'data-testid="campaign-bulk"' in by_campaign
    by_status = _listed(client, f"?status={CommentStatus.APPROVED}")
    assert by_status.count('data-testid="moderation-item"') == 1 and "已经审核过" in by_status
    by_words = _listed(client, "?q=账目 公开")
    assert by_words.count('data-testid="moderation-item"') == 1


def test_a_stale_filter_is_dropped_not_an_error(client, world, beijing_legislator):
    client.force_login(beijing_legislator)
    assert _listed(client, "?draft=999999&article=abc&status=nonsense").count('data-testid="moderation-item"') == 7


def test_the_queue_shows_only_managed_drafts(client, world, hebei_legislator):
    client.force_login(hebei_legislator)
    assert client.get(QUEUE).content.decode().count('data-testid="moderation-item"') == 0


def test_bulk_approve_a_whole_campaign_with_a_reason_on_each(client, world, beijing_legislator):
    draft, article, other, campaign, members, loose = world
    IndexOutbox.objects.all().delete()
    client.force_login(beijing_legislator)

    response = client.post(
        BULK,
        {
            "campaign": campaign.pk,
            "do": "approve",
            "reason": "内容与草案相关",
            f"reason-{members[0].pk}": "附加了具体建议",
        },
    )

    assert response.status_code == 302
    approved = Comment.objects.filter(campaign=campaign)
    assert set(approved.values_list("status", flat=True)) == {CommentStatus.APPROVED}
    assert approved.get(pk=members[0].pk).rejection_reason == "附加了具体建议"
    assert set(approved.exclude(pk=members[0].pk).values_list("rejection_reason", flat=True)) == {"内容与草案相关"}
    assert set(approved.values_list("moderated_by", flat=True)) == {beijing_legislator.pk}
    assert set(IndexOutbox.objects.values_list("object_id", flat=True)) == {m.pk for m in members}
    assert Comment.objects.get(pk=loose["article"].pk).status == CommentStatus.PENDING  # not in the campaign


def test_bulk_writes_are_bounded(world, beijing_legislator, django_assert_max_num_queries):
    draft, article, other, campaign, members, loose = world
    more = [_comment(draft, f"批量意见{n}。") for n in range(40)]
    chosen = list(Comment.objects.filter(pk__in=[c.pk for c in more]).select_related("draft"))
    with django_assert_max_num_queries(12):
        result = moderate_comments(comments=chosen, moderator=beijing_legislator, action="reject", reason="重复")
    assert result.changed == 40


def test_bulk_reject_of_selected_needs_a_reason_and_records_it(client, world, beijing_legislator):
    draft, article, other, campaign, members, loose = world
    client.force_login(beijing_legislator)
    chosen = [loose["article"].pk, loose["support"].pk]

    client.post(BULK, {"comment": chosen, "do": "reject", "reason": ""})
    assert set(Comment.objects.filter(pk__in=chosen).values_list("status", flat=True)) == {CommentStatus.PENDING}

    client.post(BULK, {"comment": chosen, "do": "reject", "reason": "与本草案无关"})
    rows = Comment.objects.filter(pk__in=chosen)
    assert set(rows.values_list("status", "rejection_reason")) == {(CommentStatus.REJECTED, "与本草案无关")}


def test_one_row_button_moderates_only_that_comment(client, world, beijing_legislator):
    draft, article, other, campaign, members, loose = world
    client.force_login(beijing_legislator)
    client.post(BULK, {"comment": [loose["support"].pk], "do": f"approve:{loose['article'].pk}"})
    assert Comment.objects.get(pk=loose["article"].pk).status == CommentStatus.APPROVED
    assert Comment.objects.get(pk=loose["support"].pk).status == CommentStatus.PENDING


def test_bulk_refuses_comments_outside_the_jurisdiction(client, world, hebei_legislator):
    draft, article, other, campaign, members, loose = world
    client.force_login(hebei_legislator)
    client.post(BULK, {"campaign": campaign.pk, "do": "approve"})
    assert not Comment.objects.filter(campaign=campaign, status=CommentStatus.APPROVED).exists()


def test_a_sensitive_word_holds_a_comment_on_a_post_moderated_draft(article_3, citizen):
    draft, article = article_3
    SensitiveWord.objects.create(word="代开发票")

    held = submit_comment(draft=draft, author=citizen, text="专业代 开 发票，价格优惠。", stance=Stance.SUPPORT)
    plain = submit_comment(draft=draft, author=citizen, text="建议第三条增加公示期限。", stance=Stance.AMEND)

    assert held.status == CommentStatus.PENDING and "代开发票" in held.hold_reason
    assert plain.status == CommentStatus.PUBLISHED


def test_a_word_added_after_the_list_was_read_holds_the_next_comment(
    article_3, citizen, django_capture_on_commit_callbacks, django_assert_num_queries
):
    # given: the list read once (it is kept in the cache, not read again for every comment)
    from consultations.services import held_because

    draft, article = article_3
    assert held_because("专业代开发票。") == ""
    with django_assert_num_queries(0):
        assert held_because("专业代开发票。") == ""

    # when: an administrator adds a word (and later removes it)
    with django_capture_on_commit_callbacks(execute=True):
        word = SensitiveWord.objects.create(word="代开发票")

    # then: the next comment is held for it
    assert "代开发票" in held_because("专业代开发票。")
    with django_capture_on_commit_callbacks(execute=True):
        word.delete()
    assert held_because("专业代开发票。") == ""


def test_the_review_screen_counts_what_waits_and_links_to_it(client, world, beijing_legislator):
    draft, article, other, campaign, members, loose = world
    client.force_login(beijing_legislator)

    html = client.get(f"/admin/consultations/drafts/{draft.pk}/review/").content.decode()

    assert 'data-testid="review-waiting"' in html
    assert f"{QUEUE}?draft={draft.pk}&amp;status=waiting" in html
    assert "6" in html.split('data-testid="review-waiting"')[1][:400]  # 4 campaign + 2 loose waiting on this draft
    queue = _listed(client, f"?draft={draft.pk}&status=waiting")
    assert queue.count('data-testid="moderation-item"') == 6
