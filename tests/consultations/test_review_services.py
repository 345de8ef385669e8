"""Reviewing themes: rename, merge, split and remove a member, with decisions kept sane."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from wagtail.models import ModelLogEntry

from consultations.models import Decision, Stance, Theme, ThemeMembership, ThemeOrigin
from consultations.services import (
    THEME_MERGED,
    create_theme,
    decide_theme,
    merge_themes,
    remove_from_theme,
    rename_theme,
    split_theme,
    submit_comment,
)
from tests.factories import UserFactory


@pytest.fixture
def closed_draft_with_comments(make_draft):
    draft = make_draft()
    article = draft.current_version.provisions.get(kind="article", number=3)
    texts = ["业主应当有权查阅账目。", "账目公开需要细化。", "物业费标准应当公示。", "维修资金使用要透明。"]
    comments = [
        submit_comment(draft=draft, author=UserFactory(), provision=article, text=text, stance=Stance.AMEND)
        for text in texts
    ]
    draft.closes_at = draft.opens_at.replace(year=draft.opens_at.year - 1)
    draft.opens_at = draft.opens_at.replace(year=draft.opens_at.year - 2)
    draft.save()
    return draft, article, comments


def test_rename_changes_the_title_and_is_logged(closed_draft_with_comments, beijing_legislator):
    # given
    draft, _article, comments = closed_draft_with_comments
    theme = create_theme(draft=draft, title="主题一", comments=comments[:2], user=beijing_legislator)

    # when
    rename_theme(theme=theme, title="  账目公开  ", summary="业主查阅账目", user=beijing_legislator)

    # then
    theme.refresh_from_db()
    assert (theme.title, theme.summary) == ("账目公开", "业主查阅账目")
    entry = ModelLogEntry.objects.get(object_id=str(theme.pk), action="consultations.theme.rename")
    assert entry.user == beijing_legislator and entry.data == {"from": "主题一", "to": "账目公开"}


def test_rename_needs_a_title_and_the_right_jurisdiction(
    closed_draft_with_comments, beijing_legislator, hebei_legislator
):
    draft, _article, comments = closed_draft_with_comments
    theme = create_theme(draft=draft, title="主题一", comments=comments[:1], user=beijing_legislator)

    with pytest.raises(ValidationError) as error:
        rename_theme(theme=theme, title="   ", user=beijing_legislator)
    assert "title" in error.value.message_dict
    with pytest.raises(PermissionDenied):
        rename_theme(theme=theme, title="越权", user=hebei_legislator)
    theme.refresh_from_db()
    assert theme.title == "主题一"


def test_merge_moves_comments_once_and_keeps_the_targets_decision(closed_draft_with_comments, beijing_legislator):
    # given a decided target and a source sharing one comment with it
    draft, article, comments = closed_draft_with_comments
    target = create_theme(draft=draft, title="账目", comments=comments[:2], user=beijing_legislator)
    source = create_theme(draft=draft, title="公示", comments=comments[1:3], user=beijing_legislator)
    ThemeMembership.objects.filter(theme=source, comment=comments[1]).update(similarity=0.9)
    decide_theme(theme=target, decision=Decision.ADOPTED, reason="采纳", adopted_in=article, user=beijing_legislator)

    source_pk = source.pk

    # when
    merged = merge_themes(source=source, target=target, user=beijing_legislator)

    # then
    merged.refresh_from_db()
    assert not Theme.objects.filter(pk=source_pk).exists()
    assert sorted(merged.comments.values_list("pk", flat=True)) == sorted(c.pk for c in comments[:3])
    assert ThemeMembership.objects.get(theme=merged, comment=comments[1]).similarity == 0.9
    assert (merged.decision, merged.reason, merged.adopted_in) == (Decision.ADOPTED, "采纳", article)
    entry = ModelLogEntry.objects.get(object_id=str(merged.pk), action=THEME_MERGED)
    assert entry.data["merged"] == source_pk and entry.data["comments_moved"] == 1


def test_merge_refuses_itself_and_other_drafts(closed_draft_with_comments, make_draft, beijing_legislator, citizen):
    draft, _article, comments = closed_draft_with_comments
    theme = create_theme(draft=draft, title="账目", comments=comments[:1], user=beijing_legislator)
    other_draft = make_draft()
    other = create_theme(draft=other_draft, title="别的草案", comments=[], user=beijing_legislator)

    with pytest.raises(ValidationError):
        merge_themes(source=theme, target=theme, user=beijing_legislator)
    with pytest.raises(ValidationError):
        merge_themes(source=other, target=theme, user=beijing_legislator)
    with pytest.raises(PermissionDenied):
        merge_themes(source=theme, target=other, user=citizen)
    assert Theme.objects.filter(pk__in=[theme.pk, other.pk]).count() == 2


def test_split_moves_the_selected_members_into_a_pending_theme(closed_draft_with_comments, beijing_legislator):
    # given a decided clustered theme
    draft, article, comments = closed_draft_with_comments
    theme = create_theme(
        draft=draft,
        title="账目与公示",
        comments=comments,
        user=beijing_legislator,
        provision=article,
        origin=ThemeOrigin.CLUSTER,
        cluster_key="k1",
    )
    decide_theme(theme=theme, decision=Decision.PARTLY_ADOPTED, reason="部分", user=beijing_legislator)

    # when
    new = split_theme(theme=theme, comments=comments[2:], title="维修资金", user=beijing_legislator)

    # then
    assert (new.decision, new.origin, new.cluster_key, new.provision) == (
        Decision.PENDING,
        ThemeOrigin.MANUAL,
        "",
        article,
    )
    assert sorted(new.comments.values_list("pk", flat=True)) == sorted(c.pk for c in comments[2:])
    assert sorted(theme.comments.values_list("pk", flat=True)) == sorted(c.pk for c in comments[:2])
    theme.refresh_from_db()
    assert theme.decision == Decision.PARTLY_ADOPTED and new.position > theme.position


def test_split_needs_a_strict_subset_of_the_members(closed_draft_with_comments, beijing_legislator):
    draft, _article, comments = closed_draft_with_comments
    theme = create_theme(draft=draft, title="账目", comments=comments[:2], user=beijing_legislator)

    for chosen in ([], comments[:2], [comments[3]]):
        with pytest.raises(ValidationError) as error:
            split_theme(theme=theme, comments=chosen, title="新主题", user=beijing_legislator)
        assert "comments" in error.value.message_dict
    with pytest.raises(ValidationError):
        split_theme(theme=theme, comments=comments[:1], title=" ", user=beijing_legislator)
    assert draft.themes.count() == 1 and theme.comments.count() == 2


def test_removing_a_member_keeps_the_comment(closed_draft_with_comments, beijing_legislator, hebei_legislator):
    draft, _article, comments = closed_draft_with_comments
    theme = create_theme(draft=draft, title="账目", comments=comments[:2], user=beijing_legislator)

    with pytest.raises(PermissionDenied):
        remove_from_theme(theme=theme, comment=comments[0], user=hebei_legislator)
    remove_from_theme(theme=theme, comment=comments[0], user=beijing_legislator)

    assert list(theme.comments.values_list("pk", flat=True)) == [comments[1].pk]
    comments[0].refresh_from_db()
    with pytest.raises(ValidationError):
        remove_from_theme(theme=theme, comment=comments[0], user=beijing_legislator)


def _bulk_comments(draft, count: int):
    from consultations.models import Comment, CommentStatus
    from consultations.services import comment_hash

    author = UserFactory()
    texts = [f"第{n}条意见：账目应当公开。" for n in range(count)]
    return Comment.objects.bulk_create(
        [
            Comment(draft=draft, author=author, text=text, text_hash=comment_hash(text), status=CommentStatus.APPROVED)
            for text in texts
        ]
    )


@pytest.mark.parametrize("size", [3, 60])
def test_merge_asks_as_many_questions_for_a_large_theme_and_reindexes_every_member(
    closed_draft_with_comments, beijing_legislator, size
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from search.models import IndexOutbox

    draft, _article, _comments = closed_draft_with_comments
    many = _bulk_comments(draft, size)
    target = create_theme(draft=draft, title="账目", comments=many[:1], user=beijing_legislator)
    source = create_theme(draft=draft, title="公开", comments=many, user=beijing_legislator)
    IndexOutbox.objects.all().delete()

    with CaptureQueriesContext(connection) as queries:
        merge_themes(source=source, target=target, user=beijing_legislator)

    assert len(queries) <= 25  # the same with 3 members and with 60 (one per member before)
    assert target.memberships.count() == size
    assert {int(pk) for pk in IndexOutbox.objects.values_list("object_id", flat=True)} == {c.pk for c in many}


def test_a_full_run_deletes_themes_without_loading_their_memberships(closed_draft_with_comments, beijing_legislator):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from consultations.memberships import delete_themes

    draft, _article, _comments = closed_draft_with_comments
    many = _bulk_comments(draft, 40)
    theme = create_theme(draft=draft, title="账目", comments=many, user=beijing_legislator)

    with CaptureQueriesContext(connection) as queries:
        members = delete_themes(Theme.objects.filter(pk=theme.pk))

    assert members == {c.pk for c in many}
    assert not ThemeMembership.objects.filter(comment__in=many).exists()
    assert len(queries) < 15  # not one per membership
