"""The rules a comment must pass, and moderation."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings

from consultations.models import Comment, CommentStatus, ModerationMode, Stance
from consultations.selectors import visible_counts_by_provision
from consultations.services import CommentRejected, approve_comment, reject_comment, submit_comment
from tests.factories import UserFactory


def test_a_comment_on_an_article_is_stored_and_counted(article_3, citizen):
    draft, article = article_3

    comment = submit_comment(
        draft=draft, author=citizen, provision=article, text="建议增加业主查阅账目的权利。", stance=Stance.AMEND
    )

    assert Comment.objects.get(pk=comment.pk).status == CommentStatus.PUBLISHED
    assert visible_counts_by_provision(draft.current_version) == {article.pk: 1}


def test_quoting_a_passage_of_the_article(article_3, citizen):
    draft, article = article_3

    comment = submit_comment(
        draft=draft,
        author=citizen,
        provision=article,
        text="这一项应当写得更具体。",
        stance=Stance.AMEND,
        quote="提议召开业主大会会议",
    )

    assert comment.quote == "提议召开业主大会会议"
    with pytest.raises(CommentRejected) as rejected:
        submit_comment(
            draft=draft,
            author=citizen,
            provision=article,
            text="引用的话不在条文里。",
            stance=Stance.AMEND,
            quote="不存在的句子",
        )
    assert "quote" in rejected.value.message_dict


@pytest.mark.parametrize("state", ["upcoming", "closed"])
def test_comments_only_while_the_window_is_open(make_draft, citizen, state):
    draft = make_draft(state=state)

    with pytest.raises(CommentRejected) as rejected:
        submit_comment(draft=draft, author=citizen, text="窗口之外的意见。", stance=Stance.SUPPORT)

    assert "__all__" in rejected.value.message_dict
    assert not Comment.objects.exists()


@pytest.mark.parametrize(("text", "field"), [("太短", "text"), ("长" * 5001, "text")])
def test_length_limits(article_3, citizen, text, field):
    draft, _ = article_3

    with pytest.raises(CommentRejected) as rejected:
        submit_comment(draft=draft, author=citizen, text=text, stance=Stance.SUPPORT)

    assert field in rejected.value.message_dict


def test_a_stance_is_required(article_3, citizen):
    draft, _ = article_3

    with pytest.raises(CommentRejected) as rejected:
        submit_comment(draft=draft, author=citizen, text="没有表明立场的意见。", stance="unstated")

    assert "stance" in rejected.value.message_dict


def test_the_same_comment_twice_from_the_same_person_is_refused(article_3, citizen):
    draft, article = article_3
    submit_comment(draft=draft, author=citizen, provision=article, text="建议删除第三条第二项。", stance=Stance.OPPOSE)

    with pytest.raises(CommentRejected, match="相同的意见"):
        # the same words, differently spaced and punctuated
        submit_comment(
            draft=draft, author=citizen, provision=article, text="建议删除 第三条第二项！", stance=Stance.OPPOSE
        )

    assert Comment.objects.count() == 1


def test_two_people_may_say_the_same_thing(article_3, citizen):
    draft, _ = article_3
    submit_comment(draft=draft, author=citizen, text="完全赞成这个草案。", stance=Stance.SUPPORT)

    submit_comment(draft=draft, author=UserFactory(), text="完全赞成这个草案。", stance=Stance.SUPPORT)

    assert Comment.objects.count() == 2


@override_settings(CONSULTATION_COMMENT_RATE=(3, 600))
def test_a_person_commenting_too_quickly_is_slowed_down(article_3, citizen):
    draft, _ = article_3
    for n in range(3):
        submit_comment(draft=draft, author=citizen, text=f"第{n}条不同的意见内容。", stance=Stance.AMEND)

    with pytest.raises(CommentRejected, match="过于频繁"):
        submit_comment(draft=draft, author=citizen, text="第四条不同的意见内容。", stance=Stance.AMEND)

    submit_comment(draft=draft, author=UserFactory(), text="其他人不受影响的意见。", stance=Stance.AMEND)
    assert Comment.objects.count() == 4


def test_an_article_of_an_older_version_cannot_be_commented(make_draft, citizen):
    from consultations.services import import_version
    from tests.consultations.conftest import SAMPLE

    draft = make_draft()
    old_article = draft.current_version.provisions.get(kind="article", number=1)
    import_version(draft=draft, label="二审稿", text=SAMPLE.replace("制定本条例", "根据有关法律，制定本条例"))

    with pytest.raises(CommentRejected) as rejected:
        submit_comment(draft=draft, author=citizen, provision=old_article, text="对一审稿的意见。", stance=Stance.AMEND)
    assert "provision" in rejected.value.message_dict


def test_anonymous_people_cannot_comment(article_3):
    from django.contrib.auth.models import AnonymousUser

    draft, _ = article_3
    with pytest.raises(PermissionDenied):
        submit_comment(draft=draft, author=AnonymousUser(), text="匿名的意见内容。", stance=Stance.SUPPORT)


def test_pre_moderation_hides_a_comment_until_approved(make_draft, citizen, beijing_legislator):
    draft = make_draft(moderation=ModerationMode.PRE)
    article = draft.current_version.provisions.get(kind="article", number=1)

    comment = submit_comment(
        draft=draft, author=citizen, provision=article, text="先审后发的意见。", stance=Stance.SUPPORT
    )
    assert comment.status == CommentStatus.PENDING
    assert visible_counts_by_provision(draft.current_version) == {}

    approve_comment(comment=comment, moderator=beijing_legislator)
    assert visible_counts_by_provision(draft.current_version) == {article.pk: 1}


def test_a_rejected_comment_is_kept_with_its_reason(article_3, citizen, beijing_legislator):
    draft, article = article_3
    comment = submit_comment(
        draft=draft, author=citizen, provision=article, text="与本条无关的广告内容。", stance=Stance.SUPPORT
    )

    reject_comment(comment=comment, moderator=beijing_legislator, reason="与草案内容无关")

    comment.refresh_from_db()
    assert comment.status == CommentStatus.REJECTED
    assert comment.rejection_reason == "与草案内容无关"
    assert comment.moderated_by == beijing_legislator
    assert visible_counts_by_provision(draft.current_version) == {}


def test_rejecting_needs_a_reason(article_3, citizen, beijing_legislator):
    draft, _ = article_3
    comment = submit_comment(draft=draft, author=citizen, text="需要审核的一条意见。", stance=Stance.SUPPORT)

    with pytest.raises(ValidationError):
        reject_comment(comment=comment, moderator=beijing_legislator, reason="  ")


def test_the_public_and_other_jurisdictions_cannot_moderate(article_3, citizen, hebei_legislator):
    draft, _ = article_3
    comment = submit_comment(draft=draft, author=citizen, text="需要审核的一条意见。", stance=Stance.SUPPORT)

    for outsider in (citizen, hebei_legislator):
        with pytest.raises(PermissionDenied):
            approve_comment(comment=comment, moderator=outsider)
        with pytest.raises(PermissionDenied):
            reject_comment(comment=comment, moderator=outsider, reason="越权")

    comment.refresh_from_db()
    assert comment.status == CommentStatus.PUBLISHED


def test_a_comment_is_committed_before_its_side_effects_run(article_3, citizen, django_capture_on_commit_callbacks):
    draft, _ = article_3

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        comment = submit_comment(draft=draft, author=citizen, text="先落库，再通知。", stance=Stance.SUPPORT)
        # the notifications and the indexing wait for the commit; the row is already there
        assert Comment.objects.filter(pk=comment.pk).exists()

    assert len(callbacks) == 4  # two live events, one run of the search outbox, one of clustering (published at once)
