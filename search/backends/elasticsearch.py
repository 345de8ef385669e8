"""The Elasticsearch backend (client and DSL major version 8), for clusters beyond one machine.

Chinese is segmented in the application (search.tokenize), at index and at query time, and indexed
with the `whitespace` analyzer, so no server plugin is needed and both backends see the same words.
The original text is kept for display; highlighting is done on it in Python, using the words the
server's highlighter reports as matched.

One index per document type, reached through an alias (`<prefix>-<type>`); `rebuild` fills a new
index and swaps the alias atomically, then drops the old index.

Writes go in bulk requests of at most `bulk_documents` documents and `bulk_bytes` bytes (Elastic's guidance:
a few MB to 15 MB a request). A rebuild keeps `bulk_threads` requests in flight at once (helpers.parallel_bulk:
about one per data node's write threads) into an index that neither refreshes nor replicates while it fills;
its shards and replicas are set after, from `shards` and `replicas`. All are options of SEARCH_BACKEND, sized
for the cluster (docs/scale.md).
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Iterator
from contextlib import suppress
from datetime import datetime
from datetime import time as day_time

from django.utils import timezone
from elastic_transport import ConnectionError as TransportConnectionError
from elastic_transport import ConnectionTimeout
from elasticsearch import ApiError, Elasticsearch, helpers
from elasticsearch import ConnectionError as ClientConnectionError
from elasticsearch.dsl import Boolean, Date, Document, Index, Keyword, Long, Q, Search, Text

from search.backends.base import SearchBackend, SearchUnavailable
from search.documents import SearchDocument
from search.query import DOC_TYPES, FACETS, SearchQuery, SearchResults

UNAVAILABLE = (TransportConnectionError, ClientConnectionError, ConnectionTimeout)
MARK_START, MARK_END = "\u0002", "\u0003"  # highlighter tags that cannot occur in segmented text
MARKED = re.compile(f"{MARK_START}(.*?){MARK_END}")
FACET_SIZE = 50
# Answers after which indexing is retried later: overloaded, unavailable, or a read-only index (full disk).
RETRYABLE_STATUS = {403, 429, 502, 503, 504}
BULK_DOCUMENTS = 1000  # documents per bulk request
BULK_BYTES = 8 * 2**20  # and at most this many bytes per request
BULK_THREADS = 2  # bulk requests in flight at once during a rebuild
BULK_RETRIES = 3  # an incremental bulk request refused as too many (429) is sent again, after a back-off


class SunshineDocument(Document):
    """The mapping shared by every document type's index."""

    doc_type = Keyword()
    object_id = Long()
    title = Keyword(index=False, doc_values=False)
    text = Text(index=False)
    url = Keyword(index=False, doc_values=False)
    title_seg = Text(analyzer="whitespace")
    all_seg = Text(analyzer="whitespace")  # title and text, segmented: what queries match
    created = Date()
    public = Keyword()
    draft = Keyword()
    provision = Keyword()
    stance = Keyword()
    status = Keyword()
    theme = Keyword()
    region = Keyword()
    region_path = Keyword()
    indexed = Boolean()

    @classmethod
    def from_search_document(cls, document: SearchDocument) -> SunshineDocument:
        """The document as the DSL's object (the reference `source` must equal; `source` is what is sent)."""
        keywords = document.all_keywords()
        title_seg = document.searched_title()
        return cls(
            meta={"id": str(document.pk)},
            doc_type=document.doc_type,
            object_id=document.pk,
            title=document.title,
            text=document.text,
            url=document.url,
            title_seg=title_seg,
            all_seg=f"{title_seg} {document.analyzed_text()}".strip(),
            created=document.created,
            public=keywords["public"][0],
            draft=keywords.get("draft", []),
            provision=keywords.get("provision", []),
            stance=keywords.get("stance", []),
            status=keywords.get("status", []),
            theme=keywords.get("theme", []),
            region=document.region or None,
            region_path=document.region_path(),
            indexed=True,
        )


def source(document: SearchDocument) -> dict:
    """The `_source` Elasticsearch stores for a document: what SunshineDocument.from_search_document(…).to_dict()
    gives (empty lists and None left out), built as a plain dict, a tenth of the time the DSL object takes."""
    title_seg = document.searched_title()
    body = {
        "doc_type": document.doc_type,
        "object_id": document.pk,
        "title": document.title,
        "text": document.text,
        "url": document.url,
        "title_seg": title_seg,
        "all_seg": f"{title_seg} {document.analyzed_text()}".strip(),
        "created": document.created,
        "public": "true" if document.public else "false",
    }
    for name in ("draft", "provision", "stance", "status", "theme"):
        if values := document.keywords.get(name):
            body[name] = list(values)
    if document.region:
        body["region"] = document.region
    if path := document.region_path():
        body["region_path"] = path
    body["indexed"] = True
    return body


class ElasticsearchBackend(SearchBackend):
    def __init__(self, *, url: str | None = None, index_prefix: str = "sunshine", refresh: bool = False, **options):
        super().__init__(url=url, index_prefix=index_prefix)
        if not url:
            raise ValueError("ElasticsearchBackend needs a URL (ELASTICSEARCH_URL)")
        self.refresh = refresh
        self.bulk_documents = int(options.get("bulk_documents", BULK_DOCUMENTS))
        self.bulk_bytes = int(options.get("bulk_bytes", BULK_BYTES))
        self.bulk_threads = int(options.get("bulk_threads", BULK_THREADS))
        self.shards = int(options.get("shards", 1))
        self.replicas = int(options.get("replicas", 0))
        self.client = Elasticsearch(url, request_timeout=options.get("timeout", 10), max_retries=0)
        self._ready: set[str] = set()

    # --- indices ---------------------------------------------------------------------------------

    def alias(self, doc_type: str) -> str:
        return f"{self.index_prefix}-{doc_type}"

    def _new_index(self, doc_type: str, *, loading: bool = False) -> str:
        """A new index for a type; `loading`: one a rebuild fills, which neither refreshes nor replicates yet."""
        name = f"{self.alias(doc_type)}-{time.time_ns()}"
        index = Index(name, using=self.client)
        if loading:
            index.settings(number_of_shards=self.shards, number_of_replicas=0, refresh_interval="-1")
        else:
            index.settings(number_of_shards=self.shards, number_of_replicas=self.replicas)
        index.document(SunshineDocument)
        index.create()
        return name

    def _ensure(self, doc_type: str) -> str:
        alias = self.alias(doc_type)
        if alias in self._ready:
            return alias
        with self._available():
            if not self.client.indices.exists_alias(name=alias):
                name = self._new_index(doc_type)
                self.client.indices.update_aliases(actions=[{"add": {"index": name, "alias": alias}}])
        self._ready.add(alias)
        return alias

    def _available(self):
        backend = self

        class Guard:
            def __enter__(self):
                return backend

            def __exit__(self, kind, error, traceback):
                if isinstance(error, helpers.BulkIndexError):
                    raise SearchUnavailable(
                        f"Elasticsearch refused {len(error.errors)} documents: {error.errors[:1]}"
                    ) from error
                if isinstance(error, UNAVAILABLE) or (
                    isinstance(error, ApiError) and getattr(error, "status_code", 0) in RETRYABLE_STATUS
                ):
                    raise SearchUnavailable(f"Elasticsearch at {backend.url} is unreachable: {error}") from error
                return False

        return Guard()

    # --- writing ---------------------------------------------------------------------------------

    def _actions(self, documents: Iterable[SearchDocument], target) -> Iterator[dict]:
        for document in documents:
            yield {"_index": target(document.doc_type), "_id": str(document.pk), "_source": source(document)}

    def index(self, documents: Iterable[SearchDocument]) -> int:
        documents = list(documents)
        if not documents:
            return 0
        for doc_type in {document.doc_type for document in documents}:
            self._ensure(doc_type)
        with self._available():
            written, _ = helpers.bulk(
                self.client,
                self._actions(documents, self.alias),
                chunk_size=self.bulk_documents,
                max_chunk_bytes=self.bulk_bytes,
                max_retries=BULK_RETRIES,
                refresh=self._refresh_flag(),
            )
        return written

    def delete(self, keys: Iterable[tuple[str, int]]) -> int:
        keys = list(keys)
        if not keys:
            return 0
        for doc_type in {doc_type for doc_type, _ in keys}:
            self._ensure(doc_type)
        actions = [{"_op_type": "delete", "_index": self.alias(doc_type), "_id": str(pk)} for doc_type, pk in keys]
        with self._available():
            helpers.bulk(
                self.client,
                actions,
                chunk_size=self.bulk_documents,
                max_chunk_bytes=self.bulk_bytes,
                max_retries=BULK_RETRIES,
                raise_on_error=False,
                refresh=self._refresh_flag(),
            )
        return len(keys)

    def _refresh_flag(self):
        return "wait_for" if self.refresh else False

    def rebuild(self, documents: Iterable[SearchDocument], doc_types: Iterable[str]) -> int:
        doc_types = list(doc_types)
        with self._available():
            fresh = {doc_type: self._new_index(doc_type, loading=True) for doc_type in doc_types}
            try:
                written = self._fill(fresh, documents)
            except BaseException:
                with suppress(Exception):  # the half-built indices, if the server still answers
                    self.client.indices.delete(index=list(fresh.values()), ignore_unavailable=True)
                raise
            actions, old = [], []
            for doc_type, name in fresh.items():
                alias = self.alias(doc_type)
                if self.client.indices.exists_alias(name=alias):
                    current = list(self.client.indices.get_alias(name=alias))
                    old += current
                    actions += [{"remove": {"index": index, "alias": alias}} for index in current]
                actions.append({"add": {"index": name, "alias": alias}})
            self.client.indices.update_aliases(actions=actions)  # one atomic swap for every type
            for index in old:
                self.client.indices.delete(index=index, ignore_unavailable=True)
        self._ready.update(self.alias(doc_type) for doc_type in doc_types)
        return written

    def _fill(self, fresh: dict[str, str], documents: Iterable[SearchDocument]) -> int:
        """Bulk requests into the new indices, `bulk_threads` at a time; then their settings for searching."""
        written = 0
        for ok, _item in helpers.parallel_bulk(
            self.client,
            self._actions(documents, fresh.__getitem__),
            thread_count=self.bulk_threads,
            queue_size=self.bulk_threads,
            chunk_size=self.bulk_documents,
            max_chunk_bytes=self.bulk_bytes,
        ):
            written += ok  # a refused document raises BulkIndexError (see _available)
        self.client.indices.put_settings(
            index=list(fresh.values()),
            settings={"index": {"refresh_interval": None, "number_of_replicas": self.replicas}},
        )
        self.client.indices.refresh(index=list(fresh.values()))
        return written

    def count(self, doc_type: str | None = None) -> int:
        names = [doc_type] if doc_type else list(DOC_TYPES)
        total = 0
        with self._available():
            for name in names:
                alias = self.alias(name)
                if self.client.indices.exists_alias(name=alias):
                    self.client.indices.refresh(index=alias)
                    total += self.client.count(index=alias)["count"]
        return total

    # --- reading ---------------------------------------------------------------------------------

    def build_search(self, query: SearchQuery, words: list[tuple[str, tuple[str, ...]]]) -> Search:
        """The request for a query: exposed so tests can check what is sent to the server."""
        search = Search(using=self.client, index=[self.alias(doc_type) for doc_type in query.doc_types])
        search = search.params(ignore_unavailable=True, allow_no_indices=True)
        filters = [Q("terms", doc_type=list(query.doc_types))]
        for field, values in query.keyword_filters().items():
            filters.append(Q("terms", **{field: values}))
        if region := query.filters.get("region"):
            filters.append(Q("term", region_path=str(region)))
        dates = {}
        zone = timezone.get_current_timezone()  # days as the site (and the database backend) counts them
        if start := query.filters.get("created_from"):
            dates["gte"] = datetime.combine(start, day_time.min, tzinfo=zone).isoformat()
        if end := query.filters.get("created_to"):
            dates["lte"] = datetime.combine(end, day_time.max, tzinfo=zone).isoformat()
        if dates:
            filters.append(Q("range", created=dates))
        if words:
            must = []
            for word, parts in words:
                clause = Q("match", all_seg={"query": word, "operator": "and"})
                if parts:
                    either = [clause, Q("match", all_seg={"query": " ".join(parts), "operator": "and"})]
                    clause = Q("bool", should=either, minimum_should_match=1)
                must.append(clause)
            text = " ".join(word for word, _ in words)
            should = [Q("match", title_seg={"query": text, "boost": 2.0})]
            search = search.query(Q("bool", must=must, should=should, filter=filters))
            search = search.sort("_score", {"created": {"order": "desc"}})
            search = search.highlight("all_seg", number_of_fragments=0, pre_tags=[MARK_START], post_tags=[MARK_END])
        else:
            search = search.query(Q("bool", filter=filters)).sort({"created": {"order": "desc"}})
        for name in query.facets:
            search.aggs.bucket(name, "terms", field=name, size=FACET_SIZE)
        search = search.extra(track_total_hits=True)
        return search[query.offset : query.offset + query.limit]

    def search(self, query: SearchQuery) -> SearchResults:
        words = self.query_words(query.text)
        terms = self.highlight_terms(words)
        if query.text.strip() and not words:
            return SearchResults(total=0, hits=[], facets={name: [] for name in query.facets}, terms=[])
        search = self.build_search(query, words)
        with self._available():
            try:
                response = search.execute()
            except ApiError as error:
                if getattr(error, "status_code", None) == 404:
                    facets: dict[str, list[tuple[str, int]]] = {name: [] for name in query.facets}
                    return SearchResults(total=0, hits=[], facets=facets, terms=[word for word, _ in words])
                raise
        hits = []
        for hit in response:
            matched = terms
            fragments = getattr(getattr(hit.meta, "highlight", None), "all_seg", None)
            if fragments:
                matched = list(dict.fromkeys(word for fragment in fragments for word in MARKED.findall(fragment)))
            hits.append(
                self.hit(
                    hit.doc_type,
                    int(hit.object_id),
                    float(hit.meta.score or 0.0),
                    hit.title,
                    hit.text,
                    hit.url,
                    matched or terms,
                    {"created": str(hit.created), "public": hit.public == "true"},
                )
            )
        facets = {}
        for name in query.facets:
            if name in FACETS and hasattr(response.aggregations, name):
                buckets = getattr(response.aggregations, name).buckets
                facets[name] = [(str(bucket.key), int(bucket.doc_count)) for bucket in buckets]
            else:
                facets[name] = []
        # The hits list carries the total (elasticsearch.dsl types `hits` as a plain list of hits).
        total = response.hits.total.value if hasattr(response.hits.total, "value") else int(response.hits.total)  # type: ignore[attr-defined]
        return SearchResults(total=total, hits=hits, facets=facets, terms=[word for word, _ in words])
