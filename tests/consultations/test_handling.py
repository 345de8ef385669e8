"""Themes, decisions and the public report."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from consultations.models import Decision, DraftStatus, Stance
from consultations.selectors import build_report, receipts_for
from consultations.services import create_theme, decide_theme, publish_report, reject_comment, submit_comment
from tests.factories import UserFactory


@pytest.fixture
def commented_draft(make_draft, beijing_legislator):
    """An open draft with three comments from two people, then closed."""
    draft = make_draft()
    article = draft.current_version.provisions.get(kind="article", number=3)
    alice, bob = UserFactory(), UserFactory()
    comments = [
        submit_comment(
            draft=draft, author=alice, provision=article, text="应当保障业主的知情权。", stance=Stance.AMEND
        ),
        submit_comment(draft=draft, author=bob, provision=article, text="业主的知情权需要细化。", stance=Stance.AMEND),
        submit_comment(draft=draft, author=alice, text="总体上赞成这部条例。", stance=Stance.SUPPORT),
    ]
    spam = submit_comment(draft=draft, author=bob, text="推销广告，与草案无关。", stance=Stance.SUPPORT)
    reject_comment(comment=spam, moderator=beijing_legislator, reason="广告")
    draft.closes_at = draft.opens_at.replace(year=draft.opens_at.year - 1)
    draft.opens_at = draft.opens_at.replace(year=draft.opens_at.year - 2)
    draft.save()
    return draft, article, alice, comments


def test_legislators_answer_a_theme_and_publish_the_report(commented_draft, beijing_legislator):
    draft, article, alice, comments = commented_draft
    theme = create_theme(draft=draft, title="业主知情权", comments=comments[:2], user=beijing_legislator)

    decide_theme(
        theme=theme,
        decision=Decision.PARTLY_ADOPTED,
        reason="增加查阅账目的规定。",
        adopted_in=article,
        user=beijing_legislator,
    )
    publish_report(draft=draft, user=beijing_legislator)

    assert draft.status == DraftStatus.REPORT_PUBLISHED
    report = build_report(draft)
    assert (report.commenters, report.comments, report.rejected) == (2, 3, 1)
    assert report.stance_split == {"support": 1, "oppose": 0, "amend": 2, "unstated": 0}
    assert [(p.label, n) for p, n in report.per_article] == [("第三条", 2)]
    assert report.whole_draft == 1 and report.unthemed == 1
    assert [(t.theme.title, t.size, t.theme.decision) for t in report.themes] == [("业主知情权", 2, "partly_adopted")]


def test_each_commenter_sees_what_became_of_their_comment(commented_draft, beijing_legislator):
    draft, article, alice, comments = commented_draft
    theme = create_theme(draft=draft, title="业主知情权", comments=comments[:2], user=beijing_legislator)
    decide_theme(theme=theme, decision=Decision.ADOPTED, reason="采纳。", adopted_in=article, user=beijing_legislator)

    receipts = receipts_for(draft=draft, user=alice)

    by_text = {r.comment.text: r for r in receipts}
    assert [t.decision for t in by_text["应当保障业主的知情权。"].themes] == ["adopted"]
    assert by_text["总体上赞成这部条例。"].themes == []


def test_decisions_wait_for_the_window_to_close(make_draft, beijing_legislator, citizen):
    draft = make_draft()
    comment = submit_comment(draft=draft, author=citizen, text="窗口开放时的意见。", stance=Stance.SUPPORT)
    theme = create_theme(draft=draft, title="总体意见", comments=[comment], user=beijing_legislator)

    with pytest.raises(ValidationError):
        decide_theme(theme=theme, decision=Decision.ADOPTED, reason="太早了", user=beijing_legislator)


def test_a_decision_needs_a_reason_and_a_not_adopted_theme_names_no_article(commented_draft, beijing_legislator):
    draft, article, _, comments = commented_draft
    theme = create_theme(draft=draft, title="业主知情权", comments=comments[:2], user=beijing_legislator)

    with pytest.raises(ValidationError) as missing:
        decide_theme(theme=theme, decision=Decision.ADOPTED, reason="", user=beijing_legislator)
    assert "reason" in missing.value.message_dict
    with pytest.raises(ValidationError) as contradiction:
        decide_theme(
            theme=theme, decision=Decision.NOT_ADOPTED, reason="不采纳", adopted_in=article, user=beijing_legislator
        )
    assert "adopted_in" in contradiction.value.message_dict


def test_the_report_waits_for_every_theme_to_be_answered(commented_draft, beijing_legislator):
    draft, _, _, comments = commented_draft
    create_theme(draft=draft, title="未答复的主题", comments=comments[:1], user=beijing_legislator)

    with pytest.raises(ValidationError, match="没有处理结果"):
        publish_report(draft=draft, user=beijing_legislator)
    assert draft.status == DraftStatus.CLOSED


def test_only_legislators_of_the_jurisdiction_handle_comments(commented_draft, hebei_legislator, citizen):
    draft, _, _, comments = commented_draft

    for outsider in (citizen, hebei_legislator):
        with pytest.raises(PermissionDenied):
            create_theme(draft=draft, title="越权", comments=comments, user=outsider)
        with pytest.raises(PermissionDenied):
            publish_report(draft=draft, user=outsider)


def test_a_theme_groups_comments_of_its_own_draft_only(commented_draft, make_draft, beijing_legislator, citizen):
    draft, _, _, _ = commented_draft
    other = make_draft()
    stray = submit_comment(draft=other, author=citizen, text="另一部草案的意见。", stance=Stance.SUPPORT)

    with pytest.raises(ValidationError):
        create_theme(draft=draft, title="混杂", comments=[stray], user=beijing_legislator)
