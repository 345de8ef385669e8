"""The public pages of a draft, the admin screens, and the exports."""

import io

from openpyxl import load_workbook

from consultations.models import Comment, CommentStatus, Stance
from consultations.services import submit_comment


def test_the_draft_page_shows_articles_and_their_counts(client, article_3, citizen):
    draft, article = article_3
    submit_comment(draft=draft, author=citizen, provision=article, text="对第三条的意见。", stance=Stance.AMEND)

    html = client.get(draft.url).content.decode()

    assert "第一章 总则" in html and "第三条" in html
    assert "（一）按照物业服务合同的约定" in html
    assert f'data-count-for="{article.pk}">1 条意见' in html


def test_a_signed_in_citizen_comments_where_they_read(client, article_3, citizen):
    draft, article = article_3
    client.force_login(citizen)
    page = client.get(draft.url + f"articles/{article.pk}/").content.decode()
    assert 'id="comment-form"' in page and f'name="provision" value="{article.pk}"' in page
    assert "上一条" in page and "下一条" in page  # 第二条 ‹ 第三条 › 第四条
    draft_page = client.get(draft.url).content.decode()
    assert 'class="comment-form"' in draft_page and draft_page.count('class="comment-form"') == 1  # the whole draft's

    response = client.post(
        draft.url + "comment/",
        {"provision": article.pk, "stance": "amend", "text": "建议增加物业费公示。", "region": "110105"},
    )

    assert response.status_code == 302 and response["Location"].endswith(f"/articles/{article.pk}/")
    comment = Comment.objects.get()
    assert (comment.provision, comment.region_id, comment.author) == (article, "110105", citizen)


def test_bad_input_is_shown_back_with_messages_and_nothing_is_stored(client, article_3, citizen):
    draft, article = article_3
    client.force_login(citizen)

    response = client.post(
        draft.url + "comment/", {"provision": article.pk, "stance": "", "text": "短", "region": "999999"}
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "您的意见未能提交" in html and "没有代码为 999999 的地区" in html
    assert 'id="comment-form"' in html and "短" in html  # shown back on the article's page, the text kept
    assert not Comment.objects.exists()


def test_commenting_needs_a_sign_in(client, article_3):
    draft, article = article_3

    response = client.post(
        draft.url + "comment/", {"provision": article.pk, "stance": "support", "text": "匿名提交的意见"}
    )

    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not Comment.objects.exists()


def test_comment_text_is_escaped(client, article_3, citizen):
    draft, article = article_3
    submit_comment(
        draft=draft, author=citizen, provision=article, text="<script>alert(1)</script>意见", stance=Stance.AMEND
    )

    html = client.get(draft.url + f"articles/{article.pk}/").content.decode()

    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;意见" in html


def test_the_report_is_hidden_until_published(client, article_3, beijing_legislator):
    draft, _ = article_3

    assert client.get(draft.url + "report/").status_code == 404
    client.force_login(beijing_legislator)
    assert client.get(draft.url + "report/").status_code == 200  # a preview for those who publish it


def test_excel_export_of_all_comments_for_legislators(client, article_3, citizen, beijing_legislator, hebei_legislator):
    draft, article = article_3
    submit_comment(
        draft=draft, author=citizen, provision=article, text='=HYPERLINK("http://x")注入', stance=Stance.AMEND
    )
    submit_comment(draft=draft, author=citizen, text="对整部草案的意见。", stance=Stance.SUPPORT)

    client.force_login(hebei_legislator)
    assert client.get(draft.url + "export/").status_code == 403
    client.force_login(beijing_legislator)
    response = client.get(draft.url + "export/")

    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 3
    articles = {row[2] for row in rows[1:]}
    assert "第三条" in articles
    assert all(not str(row[4]).startswith("=") for row in rows[1:])  # no formula injection


def test_report_pdf(client, article_3, beijing_legislator):
    draft, _ = article_3
    client.force_login(beijing_legislator)

    response = client.get(draft.url + "report/pdf/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_moderation_in_the_admin(client, article_3, citizen, beijing_legislator):
    draft, _ = article_3
    comment = submit_comment(draft=draft, author=citizen, text="需要审核的一条意见。", stance=Stance.SUPPORT)
    client.force_login(beijing_legislator)

    queue = client.get("/admin/consultations/moderation/")
    assert "需要审核的一条意见" in queue.content.decode()
    client.post(f"/admin/consultations/comments/{comment.pk}/moderate/", {"action": "reject", "reason": "重复"})

    comment.refresh_from_db()
    assert (comment.status, comment.rejection_reason) == (CommentStatus.REJECTED, "重复")


def test_moderation_does_not_redirect_off_the_site(client, article_3, citizen, beijing_legislator):
    draft, _ = article_3
    comment = submit_comment(draft=draft, author=citizen, text="另一条需要审核的意见。", stance=Stance.SUPPORT)
    client.force_login(beijing_legislator)

    response = client.post(
        f"/admin/consultations/comments/{comment.pk}/moderate/", {"action": "approve", "next": "https://evil.example/"}
    )

    assert response.status_code == 302
    assert response["Location"] == "/admin/consultations/moderation/"


def test_the_public_cannot_reach_moderation(client, article_3, citizen):
    draft, _ = article_3
    comment = submit_comment(draft=draft, author=citizen, text="需要审核的一条意见。", stance=Stance.SUPPORT)
    client.force_login(citizen)

    response = client.post(f"/admin/consultations/comments/{comment.pk}/moderate/", {"action": "reject", "reason": "x"})

    assert response.status_code in (302, 403)
    comment.refresh_from_db()
    assert comment.status == CommentStatus.PUBLISHED


def test_importing_a_version_in_the_admin_reports_errors_and_saves_nothing(client, article_3, beijing_legislator):
    draft, _ = article_3
    client.force_login(beijing_legislator)

    bad = client.post(
        f"/admin/consultations/drafts/{draft.pk}/import/", {"label": "二审稿", "text": "第一条 甲。\n第三条 乙。"}
    )
    assert bad.status_code == 200 and "条文编号不连续" in bad.content.decode()
    assert draft.versions.count() == 1

    good = client.post(
        f"/admin/consultations/drafts/{draft.pk}/import/", {"label": "二审稿", "text": "第一条 甲。\n第二条 乙。"}
    )
    assert good.status_code == 302
    assert draft.versions.count() == 2


def test_a_legislator_of_another_jurisdiction_cannot_edit_the_draft(client, article_3, hebei_legislator):
    draft, _ = article_3
    client.force_login(hebei_legislator)

    assert client.get(f"/admin/pages/{draft.pk}/edit/").status_code in (302, 403)
    assert client.get(f"/admin/consultations/drafts/{draft.pk}/import/").status_code in (302, 403)
    assert client.post(
        f"/admin/consultations/drafts/{draft.pk}/import/", {"label": "x", "text": "第一条 甲。"}
    ).status_code in (302, 403)
    assert draft.versions.count() == 1


def test_comments_on_the_whole_draft_are_listed_on_its_page_newest_first_and_paged(client, article_3, citizen):
    draft, article = article_3
    Comment.objects.bulk_create(
        Comment(
            draft=draft,
            text=f"对草案整体的第{i}条意见。",
            text_hash=f"w{i}",
            stance=Stance.SUPPORT,
            status=CommentStatus.PUBLISHED,
        )
        for i in range(25)
    )
    Comment.objects.create(draft=draft, text="尚待审核的整体意见。", text_hash="held", status=CommentStatus.PENDING)
    Comment.objects.create(
        draft=draft, provision=article, text="对第三条的意见。", text_hash="a3", status=CommentStatus.PUBLISHED
    )
    first = client.get(draft.url).content.decode()
    second = client.get(draft.url + "?page=2").content.decode()

    assert first.count('class="comment"') == 20 and second.count('class="comment"') == 5
    assert "对草案整体的第24条意见。" in first and "对草案整体的第0条意见。" in second  # newest first
    assert "尚待审核" not in first + second and "对第三条的意见。" not in first + second
    assert 'href="?page=2#whole-draft"' in first
