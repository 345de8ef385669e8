"""Full-text search within one draft's comments, in the review screens."""

import pytest
from django.urls import reverse

from consultations.models import Stance
from consultations.services import create_theme, submit_comment
from search.backends import get_backend
from search.documents import get
from tests.factories import UserFactory


@pytest.fixture
def indexed(make_draft, beijing_legislator, regions):
    draft, other = make_draft(), make_draft()
    article = draft.current_version.provisions.get(kind="article", number=3)
    texts = [
        (draft, article, "业主有权查阅物业服务账目。", Stance.AMEND, "110105"),
        (draft, article, "物业账目应当每季度公开一次。", Stance.SUPPORT, "110108"),
        (draft, None, "停车位的收费应当合理。", Stance.OPPOSE, "130602"),
        (other, None, "另一部草案的账目意见。", Stance.AMEND, "110105"),
    ]
    comments = [
        submit_comment(draft=d, author=UserFactory(), provision=p, text=t, stance=s, region=regions.get(code=code))
        for d, p, t, s, code in texts
    ]
    theme = create_theme(draft=draft, title="账目公开", comments=comments[:1], user=beijing_legislator)
    get_backend().index(get("comment").documents())
    return draft, article, theme, comments


def _url(draft):
    return reverse("consultations_admin:review_search", args=[draft.pk])


def test_search_finds_this_drafts_comments_with_highlights_and_facets(client, indexed, beijing_legislator):
    # given
    draft, article, theme, comments = indexed
    client.force_login(beijing_legislator)

    # when
    response = client.get(_url(draft), {"q": "账目"})

    # then only this draft's two comments on accounts come back, highlighted
    assert response.status_code == 200
    results = response.context["results"]
    assert results.total == 2
    assert sorted(item.comment.pk for item in results.found) == [comments[0].pk, comments[1].pk]
    assert all("<mark>" in item.highlight for item in results.found)
    html = response.content.decode()
    assert "<mark>账目</mark>" in html and "另一部草案" not in html
    stance = {value: count for value, _label, count in results.facets["stance"]}
    assert stance == {"amend": 1, "support": 1}
    provisions = {value: (label, count) for value, label, count in results.facets["provision"]}
    assert provisions == {str(article.pk): ("一审稿 第三条", 2)}
    assert [(value, count) for value, _label, count in results.facets["theme"]] == [(str(theme.pk), 1)]


def test_search_filters_by_stance_theme_article_and_region(client, indexed, beijing_legislator):
    draft, article, theme, comments = indexed
    client.force_login(beijing_legislator)

    def found(**params):
        response = client.get(_url(draft), params)
        assert response.status_code == 200, response.context["form"].errors
        return sorted(item.comment.pk for item in response.context["results"].found)

    assert found(q="账目", stance="support") == [comments[1].pk]
    assert found(theme=theme.pk) == [comments[0].pk]
    assert found(provision=article.pk) == [comments[0].pk, comments[1].pk]
    assert found(region="13") == [comments[2].pk]
    assert found(region="130600") == [comments[2].pk]
    assert found(region="110105") == [comments[0].pk]
    assert found() == sorted(c.pk for c in comments[:3])


def test_bad_filters_answer_400_and_search_nothing(client, indexed, beijing_legislator):
    draft, *_ = indexed
    client.force_login(beijing_legislator)

    for params in (
        {"created_from": "2024-02-01", "created_to": "2024-01-01"},
        {"created_from": "not a date"},
        {"region": "北京"},
        {"region": "110"},
        {"stance": "maybe"},
        {"provision": "999999"},
    ):
        response = client.get(_url(draft), params)
        assert response.status_code == 400, params
        assert response.context["results"] is None


def test_search_is_refused_outside_the_jurisdiction(client, indexed, hebei_legislator, citizen):
    draft, *_ = indexed
    for user in (hebei_legislator, citizen):
        client.force_login(user)
        response = client.get(_url(draft), {"q": "账目"})
        assert response.status_code in (302, 403)
        assert "账目" not in response.content.decode()


def test_a_word_in_too_many_comments_says_its_counts_are_estimated(client, indexed, beijing_legislator, monkeypatch):
    # given a backend that ranks one match at most, and a sample that saw one match in half the index
    from search.backends import bounded

    draft, *_ = indexed
    monkeypatch.setattr(bounded, "CANDIDATES", 1)
    monkeypatch.setattr(bounded, "_sample", lambda matching: (list(matching.values_list("pk", flat=True))[:1], 0.5))
    client.force_login(beijing_legislator)

    # when
    response = client.get(_url(draft), {"q": "账目"})

    # then the page gives the estimate as one, marks the facet counts, and pages through what was ranked
    results = response.context["results"]
    assert results.estimated and results.ranked == 1 and results.total == 2
    html = response.content.decode()
    assert 'data-estimated="true"' in html and 'data-testid="estimate-note"' in html
    assert "≈" in html
    assert response.context["pages"] == 1
