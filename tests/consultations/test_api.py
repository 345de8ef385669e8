"""The consultation JSON API: reads, and comment submission with validation."""

from consultations.models import Comment, Stance
from consultations.services import submit_comment


def test_list_and_structure(client, article_3):
    draft, article = article_3

    drafts = client.get("/api/consultations/drafts").json()
    structure = client.get(f"/api/consultations/drafts/{draft.pk}/structure").json()

    assert [d["id"] for d in drafts] == [draft.pk]
    assert drafts[0]["status"] == "open"
    assert drafts[0]["versions"][0]["structure"]["articles"] == 4
    chapter_two = structure["provisions"][1]
    assert (chapter_two["kind"], chapter_two["label"]) == ("chapter", "第二章")
    assert chapter_two["children"][0]["id"] == article.pk
    assert chapter_two["children"][0]["paragraphs"][1].startswith("（一）")


def test_comments_are_paginated_and_only_published_ones_are_listed(client, article_3, citizen, beijing_legislator):
    from consultations.services import reject_comment

    draft, article = article_3
    for n in range(3):
        submit_comment(
            draft=draft, author=citizen, provision=article, text=f"第{n}条公开的意见内容。", stance=Stance.AMEND
        )
    hidden = submit_comment(draft=draft, author=citizen, text="将被驳回的意见内容。", stance=Stance.AMEND)
    reject_comment(comment=hidden, moderator=beijing_legislator, reason="无关")

    page = client.get(f"/api/consultations/drafts/{draft.pk}/comments?page_size=2").json()

    assert (page["count"], page["pages"], len(page["results"])) == (3, 2, 2)
    assert all(c["article"] == "第三条" for c in page["results"])
    assert "author" not in page["results"][0]


def test_submitting_a_comment(client, article_3, citizen):
    draft, article = article_3
    client.force_login(citizen)

    response = client.post(
        f"/api/consultations/drafts/{draft.pk}/comments",
        {"text": "通过接口提交的意见。", "stance": "support", "provision": article.pk},
        content_type="application/json",
    )

    assert response.status_code == 201
    assert response.json()["visible"] is True
    assert Comment.objects.get().provision == article


def test_bad_input_gets_400_with_field_messages(client, article_3, citizen):
    draft, _ = article_3
    client.force_login(citizen)
    url = f"/api/consultations/drafts/{draft.pk}/comments"

    missing = client.post(url, {"stance": "support"}, content_type="application/json")
    wrong_type = client.post(
        url, {"text": "意见内容很充分", "stance": "support", "provision": "三"}, content_type="application/json"
    )
    broken_json = client.post(url, "{not json", content_type="application/json")
    rules = client.post(url, {"text": "短", "stance": "maybe", "region": "999999"}, content_type="application/json")
    unknown = client.post(
        url, {"text": "意见内容很充分", "stance": "support", "provision": 999999}, content_type="application/json"
    )

    assert missing.status_code == 400 and "text" in missing.json()["errors"]
    assert wrong_type.status_code == 400 and "provision" in wrong_type.json()["errors"]
    assert broken_json.status_code == 400
    assert rules.status_code == 400 and "region" in rules.json()["errors"]
    assert unknown.status_code == 400 and "provision" in unknown.json()["errors"]
    service_rules = client.post(url, {"text": "短", "stance": "maybe"}, content_type="application/json").json()[
        "errors"
    ]
    assert {"text", "stance"} <= set(service_rules)
    assert not Comment.objects.exists()


def test_submitting_needs_a_session_and_csrf(article_3, citizen):
    from django.test import Client

    draft, _ = article_3
    url = f"/api/consultations/drafts/{draft.pk}/comments"
    anonymous = Client(enforce_csrf_checks=True)
    assert anonymous.post(
        url, {"text": "匿名意见内容", "stance": "support"}, content_type="application/json"
    ).status_code in (401, 403)

    signed_in = Client(enforce_csrf_checks=True)
    signed_in.force_login(citizen)
    assert (
        signed_in.post(
            url, {"text": "没有令牌的意见", "stance": "support"}, content_type="application/json"
        ).status_code
        == 403
    )
    assert not Comment.objects.exists()


def test_the_schema_documents_the_consultation_endpoints(client, db):
    paths = client.get("/api/openapi.json").json()["paths"]

    assert "/api/consultations/drafts/{draft_id}/comments" in paths
    assert "post" in paths["/api/consultations/drafts/{draft_id}/comments"]
