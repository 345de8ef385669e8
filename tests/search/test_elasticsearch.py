"""What the Elasticsearch backend sends: the mapping, the query body, and the alias swap on rebuild."""

from __future__ import annotations

from datetime import date

from search.query import SearchQuery
from tests.search.test_backend_contract import CORPUS, doc


def test_the_mapping_indexes_segmented_text_with_the_whitespace_analyzer(es_backend):
    es_backend.index(CORPUS[:2])

    mapping = es_backend.client.indices.get_mapping(index=es_backend.alias("comment"))
    properties = next(iter(mapping.body.values()))["mappings"]["properties"]

    assert properties["all_seg"] == {"type": "text", "analyzer": "whitespace"}
    assert properties["title_seg"] == {"type": "text", "analyzer": "whitespace"}
    assert properties["region_path"]["type"] == "keyword"
    assert properties["text"]["index"] is False  # kept for display and highlighting only


def test_the_query_body(es_backend):
    query = SearchQuery(
        text="電子政務 听证",
        doc_types=("comment",),
        filters={"draft": 1, "region": "130000", "created_from": date(2026, 3, 1), "public": True},
        facets=("stance", "theme"),
        offset=20,
        limit=10,
    )

    body = es_backend.build_search(query, es_backend.query_words(query.text)).to_dict()

    must = body["query"]["bool"]["must"]
    assert must[0] == {
        "bool": {
            "should": [
                {"match": {"all_seg": {"query": "电子政务", "operator": "and"}}},
                {"match": {"all_seg": {"query": "电子 子政 政务", "operator": "and"}}},
            ],
            "minimum_should_match": 1,
        }
    }
    assert must[1] == {"match": {"all_seg": {"query": "听证", "operator": "and"}}}
    filters = body["query"]["bool"]["filter"]
    assert {"terms": {"doc_type": ["comment"]}} in filters
    assert {"terms": {"draft": ["1"]}} in filters
    assert {"terms": {"public": ["true"]}} in filters
    assert {"term": {"region_path": "130000"}} in filters
    assert {
        "range": {"created": {"gte": "2026-03-01T00:00:00+08:00"}}
    } in filters  # the site's days, as in the database
    assert body["aggs"] == {
        "stance": {"terms": {"field": "stance", "size": 50}},
        "theme": {"terms": {"field": "theme", "size": 50}},
    }
    assert body["highlight"]["fields"] == {
        "all_seg": {"number_of_fragments": 0, "pre_tags": ["\x02"], "post_tags": ["\x03"]}
    }
    assert (body["from"], body["size"]) == (20, 10)
    assert body["track_total_hits"] is True


def test_rebuild_fills_a_new_index_and_swaps_the_alias(es_backend):
    es_backend.index(CORPUS)
    alias = es_backend.alias("comment")
    before = set(es_backend.client.indices.get_alias(name=alias).body)

    es_backend.rebuild([doc("comment", 77, "重建后的意见")], ["comment"])

    after = set(es_backend.client.indices.get_alias(name=alias).body)
    assert len(before) == len(after) == 1
    assert before != after
    assert not es_backend.client.indices.exists(index=next(iter(before)))  # the old index is dropped
    assert es_backend.count("comment") == 1
    assert es_backend.count("petition") == 1  # other types untouched
