"""One contract, two backends: the embedded database backend and Elasticsearch (over the real wire
protocol, against the noida-db emulator). Every test here runs on both."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from search.documents import SearchDocument
from search.query import QueryError, SearchQuery


def doc(doc_type, pk, text, *, title="", created=(2026, 3, 1), public=True, region="", title_searched=True, **keywords):
    return SearchDocument(
        doc_type=doc_type,
        pk=pk,
        title=title,
        text=text,
        url=f"/{doc_type}/{pk}/",
        created=datetime(*created, 9, 0, tzinfo=UTC),
        public=public,
        keywords={
            key: [str(v) for v in (value if isinstance(value, list) else [value])] for key, value in keywords.items()
        },
        region=region,
        title_searched=title_searched,
    )


CORPUS = [
    doc(
        "article",
        11,
        "公民、法人或者其他组织认为行政机关的行政行为侵犯其合法权益，可以依照本法申请行政复议。",
        title="行政复议法 第二条",
        draft=1,
        provision=11,
        created=(2026, 1, 5),
    ),
    doc(
        "comment",
        1,
        "建议扩大政府信息公开的范围，電子政務平台应当公开办事指南。",
        draft=1,
        provision=11,
        stance="support",
        status="approved",
        theme=[5],
        region="130626",
        created=(2026, 3, 2),
    ),
    doc(
        "comment",
        2,
        "电子政务系统经常无法登录，希望改进电子政务的服务。",
        draft=1,
        provision=12,
        stance="oppose",
        status="published",
        theme=[5, 6],
        region="110105",
        created=(2026, 3, 10),
    ),
    doc(
        "comment",
        3,
        "反对增加收费项目，收费标准应当听证。",
        draft=2,
        provision=21,
        stance="oppose",
        status="pending",
        public=False,
        region="130600",
        created=(2026, 4, 1),
    ),
    doc(
        "comment",
        4,
        "<script>alert(1)</script> 政府信息公开要及时",
        draft=1,
        provision=11,
        stance="neutral",
        status="approved",
        region="110000",
        created=(2026, 3, 20),
    ),
    doc("petition", 7, "请公开本市年度预算和政府信息公开工作报告。", title="公开预算", status="open", region="110000"),
    doc("report", 9, "某局在政府采购中收受回扣。", title="某局", status="received", public=False, region="130626"),
]


@pytest.fixture
def indexed(backend):
    assert backend.index(CORPUS) == len(CORPUS)
    return backend


def pks(results):
    return [hit.pk for hit in results.hits]


def test_traditional_query_finds_simplified_text_and_marks_the_original(indexed):
    results = indexed.search(SearchQuery(text="電子政務", doc_types=("comment",)))

    assert sorted(pks(results)) == [1, 2]
    marked = {hit.pk: str(hit.highlight) for hit in results.hits}
    assert "<mark>電子政務</mark>" in marked[1]
    assert marked[2].count("<mark>电子政务</mark>") == 2
    assert results.terms == ["电子政务"]


def test_every_word_must_match(indexed):
    assert indexed.search(SearchQuery(text="电子政务 收费")).total == 0
    assert pks(indexed.search(SearchQuery(text="电子政务 登录"))) == [2]


def test_ranking_puts_the_denser_match_first(backend):
    backend.index(
        [
            doc("comment", 1, "建议明确听证程序的具体期限，并公开听证笔录，同时规定听证主持人的回避情形。" * 3),
            doc("comment", 2, "收费标准应当听证，收费项目应当公示，不得擅自增加收费。"),
            doc("comment", 3, "关于收费的意见：" + "建议完善监督机制，明确各部门的职责分工。" * 4),
        ]
    )

    results = backend.search(SearchQuery(text="收费"))

    assert pks(results) == [2, 3]
    assert results.hits[0].score > results.hits[1].score


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"draft": 1}, [1, 2, 4]),
        ({"provision": 11}, [1, 4]),
        ({"stance": "oppose"}, [2, 3]),
        ({"status": ["approved", "published"]}, [1, 2, 4]),
        ({"theme": 6}, [2]),
        ({"theme": 5}, [1, 2]),
        ({"region": "130000"}, [1, 3]),  # Hebei: a county of Baoding and Baoding itself
        ({"region": "110000"}, [2, 4]),
        ({"public": True}, [1, 2, 4]),
        ({"created_from": date(2026, 3, 10), "created_to": date(2026, 3, 31)}, [2, 4]),
    ],
)
def test_filters(indexed, filters, expected):
    results = indexed.search(SearchQuery(doc_types=("comment",), filters=filters))

    assert sorted(pks(results)) == expected
    assert results.total == len(expected)


def test_facets_count_within_the_matches(indexed):
    results = indexed.search(
        SearchQuery(filters={"draft": 1}, facets=("stance", "provision", "theme", "status", "region"))
    )

    assert dict(results.facets["stance"]) == {"support": 1, "oppose": 1, "neutral": 1}
    assert dict(results.facets["provision"]) == {"11": 2, "12": 1}
    assert dict(results.facets["theme"]) == {"5": 2, "6": 1}
    assert dict(results.facets["region"]) == {"130626": 1, "110105": 1, "110000": 1}


def test_facets_with_text(indexed):
    results = indexed.search(SearchQuery(text="电子政务", facets=("stance",)))

    assert dict(results.facets["stance"]) == {"support": 1, "oppose": 1}


def test_without_text_newest_first_and_paged(indexed):
    first = indexed.search(SearchQuery(doc_types=("comment",), limit=2))
    second = indexed.search(SearchQuery(doc_types=("comment",), offset=2, limit=2))

    assert first.total == second.total == 4
    assert pks(first) + pks(second) == [3, 4, 2, 1]


def test_document_types_are_kept_apart(indexed):
    assert pks(indexed.search(SearchQuery(text="政府采购", doc_types=("comment",)))) == []
    assert pks(indexed.search(SearchQuery(text="政府采购", doc_types=("report",)))) == [9]
    both = indexed.search(SearchQuery(text="行政复议", doc_types=("article", "comment"), facets=("doc_type",)))
    assert pks(both) == [11]
    assert dict(both.facets["doc_type"]) == {"article": 1}


def test_html_in_text_is_escaped_in_highlights(indexed):
    hit = indexed.search(SearchQuery(text="政府信息公开", filters={"provision": 11})).hits[0]

    assert hit.pk == 4
    assert "<script>" not in str(hit.highlight)
    assert "&lt;script&gt;" in str(hit.highlight)


def test_stop_words_alone_match_nothing(indexed):
    assert indexed.search(SearchQuery(text="的 了")).total == 0


def test_reindexing_replaces_and_deleting_removes(indexed):
    changed = doc("comment", 2, "服务大厅排队时间太长", draft=1, stance="oppose", status="published")

    indexed.index([changed, changed])
    indexed.delete([("comment", 3), ("comment", 999)])

    assert indexed.count("comment") == 3
    assert indexed.search(SearchQuery(text="登录")).total == 0
    assert pks(indexed.search(SearchQuery(text="排队"))) == [2]


def test_rebuild_replaces_one_type_and_keeps_the_others(indexed):
    written = indexed.rebuild([doc("comment", 50, "新的意见：加强无障碍设施建设", draft=3)], ["comment"])

    assert written == 1
    assert indexed.count("comment") == 1
    assert indexed.count("petition") == 1
    assert pks(indexed.search(SearchQuery(text="无障碍设施"))) == [50]


def test_bad_queries_are_refused():
    with pytest.raises(QueryError, match="filters"):
        SearchQuery(filters={"colour": "red"})
    with pytest.raises(QueryError, match="limit"):
        SearchQuery(limit=1000)
    with pytest.raises(QueryError, match="doc_types"):
        SearchQuery(doc_types=("secret",))


def test_a_word_matches_the_long_words_that_contain_it(backend):
    backend.index(
        [
            doc("article", 1, "为了防止和纠正违法的或者不当的行政行为，根据宪法，制定中华人民共和国行政复议法。"),
            doc("article", 2, "国家采取措施推进无障碍设施建设。"),
        ]
    )

    assert pks(backend.search(SearchQuery(text="行政复议", doc_types=("article",)))) == [1]
    assert pks(backend.search(SearchQuery(text="无障碍设施", doc_types=("article",)))) == [2]
    hit = backend.search(SearchQuery(text="行政复议法", doc_types=("article",))).hits[0]
    assert "<mark>" in str(hit.highlight)


def test_a_comment_is_not_found_by_its_drafts_title(backend):
    # a comment's title is its draft's: shown, not searched (consultations/search.py says so)
    backend.index(
        [
            doc("comment", 1, "建议延长公示时间。", title="物业管理条例（草案） 第三条", title_searched=False, draft=1),
            doc("petition", 2, "请公开预算。", title="物业费公开"),
        ]
    )

    assert pks(backend.search(SearchQuery(text="物业管理", doc_types=("comment",)))) == []
    assert pks(backend.search(SearchQuery(text="物业费", doc_types=("petition",)))) == [2]  # other titles are searched
