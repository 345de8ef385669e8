# ruff: noqa: F811  (fixtures imported from other test packages are used as arguments)
"""The comment form's address is found without Wagtail's walk down the page tree, and serves exactly as before:
view restrictions, unpublished drafts and pages that are not drafts included."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import PageViewRestriction

from consultations.models import Comment

FORM = {"stance": "amend", "text": "建议增加物业费公示的具体期限。", "region": "110105"}


def _post(client, draft, article):
    return client.post(draft.url + "comment/", {**FORM, "provision": article.pk})


def test_a_comment_is_accepted_in_few_queries(client, article_3, citizen):
    draft, article = article_3
    client.force_login(citizen)
    _post(client, draft, article)  # the site's root paths cached

    with CaptureQueriesContext(connection) as queries:
        response = client.post(
            draft.url + "comment/", {**FORM, "text": "另一条意见：公示期限应为三十日。", "provision": article.pk}
        )

    assert response.status_code == 302 and response["Location"] == f"{draft.url}articles/{article.pk}/"
    assert Comment.objects.count() == 2
    # site, draft (with its report publication), session, user, article, version, region, duplicate, BEGIN,
    # comment, outbox, live event, COMMIT; no page-by-page routing, no task rows, and while no page has a view
    # restriction and the sensitive words are cached, no query for either
    assert len(queries) <= 13, [q["sql"][:80] for q in queries]


def test_a_restriction_added_once_the_site_had_none_holds_at_the_next_comment(
    client, article_3, citizen, django_capture_on_commit_callbacks
):
    draft, article = article_3
    client.force_login(citizen)
    assert _post(client, draft, article).status_code == 302  # "no page is restricted", read and cached

    with django_capture_on_commit_callbacks(execute=True):
        PageViewRestriction.objects.create(page=draft, restriction_type=PageViewRestriction.PASSWORD, password="s")
    response = client.post(draft.url + "comment/", {**FORM, "text": "第二条意见。", "provision": article.pk})

    assert response.status_code == 200 and b"password" in response.content.lower()
    assert Comment.objects.count() == 1


def test_a_draft_behind_a_password_takes_no_comment_from_who_has_not_given_it(client, article_3, citizen):
    draft, article = article_3
    PageViewRestriction.objects.create(page=draft, restriction_type=PageViewRestriction.PASSWORD, password="secret")
    client.force_login(citizen)

    response = _post(client, draft, article)

    assert response.status_code == 200 and b"password" in response.content.lower()
    assert not Comment.objects.exists()


def test_a_draft_for_signed_in_people_sends_others_to_sign_in(client, article_3):
    draft, article = article_3
    PageViewRestriction.objects.create(page=draft, restriction_type=PageViewRestriction.LOGIN)

    response = _post(client, draft, article)

    assert response.status_code == 302 and "login" in response["Location"]
    assert not Comment.objects.exists()


def test_an_unpublished_draft_or_a_page_that_is_no_draft_has_no_comment_address(client, article_3, citizen):
    draft, article = article_3
    client.force_login(citizen)
    index = draft.get_parent()
    draft.unpublish()

    assert _post(client, draft, article).status_code == 404
    assert client.post(index.url + "comment/", FORM).status_code == 404
    assert not Comment.objects.exists()
