"""The embedded backend: full-text search in the application's database.

SQLite: an FTS5 table over the segmented text, ranked by BM25. PostgreSQL: a generated tsvector
('simple' configuration, so the application's segmentation is kept as is) with a GIN index, ranked
by ts_rank_cd. Filters and facet counts are SQL over SearchFacet rows on both.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, time

from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from search.backends.base import SearchBackend
from search.documents import SearchDocument
from search.models import SearchEntry, SearchFacet
from search.query import SearchQuery, SearchResults

FTS_TABLE = "search_entry_fts"  # made by migration 0001


def _fts5_phrase(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def fts5_match(words: list[tuple[str, tuple[str, ...]]]) -> str:
    """An FTS5 query requiring every word (or all the words inside it), each quoted as a phrase so
    that nothing in it is read as query syntax."""
    clauses = []
    for word, parts in words:
        if parts:
            inner = " AND ".join(_fts5_phrase(part) for part in parts)
            clauses.append(f"({_fts5_phrase(word)} OR ({inner}))")
        else:
            clauses.append(_fts5_phrase(word))
    return " AND ".join(clauses)


def tsquery_sql(words: list[tuple[str, tuple[str, ...]]]) -> tuple[str, list[str]]:
    """The PostgreSQL tsquery for the same condition, built from plainto_tsquery so the words go
    through the same parser as the indexed text."""
    clauses, params = [], []
    for word, parts in words:
        if parts:
            clauses.append("(plainto_tsquery('simple', %s) || plainto_tsquery('simple', %s))")
            params += [word, " ".join(parts)]
        else:
            clauses.append("plainto_tsquery('simple', %s)")
            params.append(word)
    return "(" + " && ".join(clauses) + ")", params


class DatabaseBackend(SearchBackend):
    chunk_size = 1000

    # --- writing ---------------------------------------------------------------------------------

    def index(self, documents: Iterable[SearchDocument]) -> int:
        written = 0
        batch: list[SearchDocument] = []
        for document in documents:
            batch.append(document)
            if len(batch) >= self.chunk_size:
                written += self._write(batch)
                batch = []
        if batch:
            written += self._write(batch)
        return written

    @transaction.atomic
    def _write(self, documents: list[SearchDocument]) -> int:
        unique = {document.key: document for document in documents}
        documents = list(unique.values())
        self._delete_keys([(document.doc_type, document.pk) for document in documents])
        entries = SearchEntry.objects.bulk_create(
            [
                SearchEntry(
                    doc_type=document.doc_type,
                    object_id=document.pk,
                    title=document.title[:300],
                    text=document.text,
                    analyzed=f"{document.searched_title()} {document.analyzed_text()}".strip(),
                    url=document.url[:300],
                    created=document.created,
                    public=document.public,
                )
                for document in documents
            ]
        )
        facets = []
        for entry, document in zip(entries, documents, strict=True):
            for field, values in document.all_keywords().items():
                facets += [SearchFacet(entry=entry, field=field, value=value[:64]) for value in values]
            facets += [SearchFacet(entry=entry, field="region_path", value=code) for code in document.region_path()]
        SearchFacet.objects.bulk_create(facets, batch_size=2000)
        return len(entries)

    def _delete_keys(self, keys: list[tuple[str, int]]) -> None:
        by_type: dict[str, list[int]] = {}
        for doc_type, pk in keys:
            by_type.setdefault(doc_type, []).append(pk)
        for doc_type, pks in by_type.items():
            for start in range(0, len(pks), 500):
                SearchEntry.objects.filter(doc_type=doc_type, object_id__in=pks[start : start + 500]).delete()

    def delete(self, keys: Iterable[tuple[str, int]]) -> int:
        keys = list(keys)
        with transaction.atomic():
            self._delete_keys(keys)
        return len(keys)

    def rebuild(self, documents: Iterable[SearchDocument], doc_types: Iterable[str]) -> int:
        """One transaction: readers see the old index until the new one commits."""
        with transaction.atomic():
            SearchEntry.objects.filter(doc_type__in=list(doc_types)).delete()
            return self.index(documents)

    def count(self, doc_type: str | None = None) -> int:
        entries = SearchEntry.objects.all()
        return (entries.filter(doc_type=doc_type) if doc_type else entries).count()

    # --- reading ---------------------------------------------------------------------------------

    def _filtered(self, query: SearchQuery) -> QuerySet[SearchEntry]:
        entries = SearchEntry.objects.filter(doc_type__in=query.doc_types)
        for field, values in query.keyword_filters().items():
            entries = entries.filter(
                pk__in=SearchFacet.objects.filter(field=field, value__in=values).values("entry_id")
            )
        if region := query.filters.get("region"):
            entries = entries.filter(
                pk__in=SearchFacet.objects.filter(field="region_path", value=str(region)).values("entry_id")
            )
        zone = timezone.get_current_timezone()
        if start := query.filters.get("created_from"):
            entries = entries.filter(created__gte=datetime.combine(start, time.min, tzinfo=zone))
        if end := query.filters.get("created_to"):
            entries = entries.filter(created__lte=datetime.combine(end, time.max, tzinfo=zone))
        return entries

    def search(self, query: SearchQuery) -> SearchResults:
        words = self.query_words(query.text)
        terms = self.highlight_terms(words)
        filtered = self._filtered(query)
        if query.text.strip() and not words:
            return SearchResults(total=0, hits=[], facets={name: [] for name in query.facets}, terms=[])
        if not words:
            total = filtered.count()
            page = list(
                filtered.order_by("-created", "-pk").values_list("pk", flat=True)[
                    query.offset : query.offset + query.limit
                ]
            )
            scored = [(pk, 0.0) for pk in page]
            matching_sql, matching_params = filtered.values("pk").query.sql_with_params()
        else:
            scored, total, matching_sql, matching_params = self._match(filtered, words, query)
        entries = SearchEntry.objects.in_bulk([pk for pk, _ in scored])
        hits = [
            self.hit(
                entries[pk].doc_type,
                entries[pk].object_id,
                score,
                entries[pk].title,
                entries[pk].text,
                entries[pk].url,
                terms,
                {"created": entries[pk].created.isoformat(), "public": entries[pk].public},
            )
            for pk, score in scored
            if pk in entries
        ]
        return SearchResults(
            total=total,
            hits=hits,
            facets=self._facets(query.facets, matching_sql, matching_params),
            terms=[word for word, _ in words],
        )

    def _match(self, filtered: QuerySet, words: list[tuple[str, tuple[str, ...]]], query: SearchQuery):
        # The SQL below is built from constant table names and Django's own compiled SQL; every
        # value (the match expression, filter values, limits) is a parameter.
        inner_sql, inner_params = filtered.values("pk").query.sql_with_params()
        if connection.vendor == "postgresql":
            table = SearchEntry._meta.db_table
            tsquery, tsquery_params = tsquery_sql(words)
            where = f"e.vector @@ {tsquery} AND e.id IN ({inner_sql})"
            params = [*tsquery_params, *inner_params]
            ranked = (
                f"SELECT e.id, ts_rank_cd(e.vector, {tsquery}) AS score FROM {table} e "  # noqa: S608
                f"WHERE {where} ORDER BY score DESC, e.created DESC, e.id DESC LIMIT %s OFFSET %s"
            )
            ranked_params = [*tsquery_params, *params, query.limit, query.offset]
            count_sql = f"SELECT COUNT(*) FROM {table} e WHERE {where}"  # noqa: S608
            matching_sql = f"SELECT e.id FROM {table} e WHERE {where}"  # noqa: S608
        else:
            match = fts5_match(words)
            where = f"{FTS_TABLE} MATCH %s AND rowid IN ({inner_sql})"
            params = [match, *inner_params]
            ranked = (
                f"SELECT rowid, -bm25({FTS_TABLE}) AS score FROM {FTS_TABLE} WHERE {where} "  # noqa: S608
                f"ORDER BY score DESC, rowid DESC LIMIT %s OFFSET %s"
            )
            ranked_params = [*params, query.limit, query.offset]
            count_sql = f"SELECT COUNT(*) FROM {FTS_TABLE} WHERE {where}"  # noqa: S608
            matching_sql = f"SELECT rowid FROM {FTS_TABLE} WHERE {where}"  # noqa: S608
        with connection.cursor() as cursor:
            cursor.execute(ranked, ranked_params)
            scored = [(pk, float(score)) for pk, score in cursor.fetchall()]
            cursor.execute(count_sql, params)
            total = cursor.fetchone()[0]
        return scored, total, matching_sql, params

    def _facets(self, names: tuple[str, ...], matching_sql: str, params) -> dict[str, list[tuple[str, int]]]:
        if not names:
            return {}
        facets: dict[str, list[tuple[str, int]]] = {name: [] for name in names}
        table = SearchFacet._meta.db_table
        placeholders = ", ".join(["%s"] * len(names))
        sql = (
            f"SELECT field, value, COUNT(*) AS n FROM {table} WHERE field IN ({placeholders}) "  # noqa: S608
            f"AND entry_id IN ({matching_sql}) GROUP BY field, value ORDER BY n DESC, value"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [*names, *params])
            for field, value, count in cursor.fetchall():
                facets[field].append((value, count))
        return facets
