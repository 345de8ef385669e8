"""The embedded backend: full-text search in the application's database.

SQLite: an FTS5 table over the segmented text, ranked by BM25. PostgreSQL: a generated tsvector
('simple' configuration, so the application's segmentation is kept as is) with a GIN index, ranked
by ts_rank_cd. Filters and facet counts are SQL over SearchFacet rows and the entry's own columns (type,
public, region) on both.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime, time
from itertools import islice

from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from regions.codes import NATIONAL_CODE, is_region_code
from search.backends.base import SearchBackend
from search.documents import SearchDocument
from search.models import SearchEntry, SearchFacet
from search.query import SearchQuery, SearchResults

FTS_TABLE = "search_entry_fts"  # made by migration 0001
GIN_INDEX = "search_entry_vector"  # made by migration 0001 (PostgreSQL)
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
ENTRY_COLUMNS = ("doc_type", "object_id", "title", "text", "analyzed", "url", "created", "public", "region")


def _chunks(documents: Iterable[SearchDocument], size: int) -> Iterator[list[SearchDocument]]:
    iterator = iter(documents)
    while batch := list(islice(iterator, size)):
        yield batch


def _copy_text(value: str) -> str:
    """A value in PostgreSQL's COPY text format (backslash, tab, newline and carriage return escaped)."""
    return value.translate(_COPY_ESCAPES)


def _unique(documents: list[SearchDocument]) -> list[SearchDocument]:
    """The last document given for each key (a batch may repeat one)."""
    return list({document.key: document for document in documents}.values())


def _raw_delete(queryset: QuerySet) -> None:
    """One DELETE statement. Django's delete() would load every row first, to send post_delete (which
    search.indexing listens to for every model) and to cascade; the facets are deleted before their entries."""
    queryset._raw_delete(queryset.db)


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


def region_prefix(code: str) -> str | None:
    """The prefix every region inside `code` (and `code` itself) starts with: the code without its trailing
    levels of 00 (110000 → 11, 110100 → 1101, 110105 → 110105; the country, 000000 → ''), as
    `regions.codes.ancestors` nests them. None for what is not a region code."""
    if not is_region_code(code):
        return None
    if code == NATIONAL_CODE:
        return ""
    if code.endswith("0000"):
        return code[:2]
    return code[:4] if code.endswith("00") else code


# Keyword fields kept in SearchEntry's own columns rather than as SearchFacet rows.
COLUMN_FIELDS = {"doc_type", "public", "region"}


class DatabaseBackend(SearchBackend):
    """Writes in batches: incremental indexing replaces each batch's entries (deleted by id, then inserted);
    a rebuild deletes the types' entries once and only inserts, with the vendor's bulk path (COPY on
    PostgreSQL; on SQLite the full-text table is rebuilt once at the end instead of row by row)."""

    chunk_size = 2000

    # --- writing ---------------------------------------------------------------------------------

    def index(self, documents: Iterable[SearchDocument]) -> int:
        written = 0
        for batch in _chunks(documents, self.chunk_size):
            with transaction.atomic():
                batch = _unique(batch)
                self._delete_keys([(document.doc_type, document.pk) for document in batch])
                written += self._insert(batch)
        return written

    def delete(self, keys: Iterable[tuple[str, int]]) -> int:
        keys = list(keys)
        with transaction.atomic():
            self._delete_keys(keys)
        return len(keys)

    def rebuild(self, documents: Iterable[SearchDocument], doc_types: Iterable[str]) -> int:
        """One transaction: readers see the old index until the new one commits. The documents must
        be distinct (as `DocumentType.document_batches` gives them)."""
        doc_types = list(doc_types)
        written = 0
        with transaction.atomic(), self._bulk_load():
            entries = SearchEntry.objects.filter(doc_type__in=doc_types)
            _raw_delete(SearchFacet.objects.filter(entry__in=entries))
            _raw_delete(entries)
            for batch in _chunks(documents, self.chunk_size):
                written += self._insert(_unique(batch))
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            # Committed: the new rows go from the GIN index's pending list into the index proper (readers
            # go on meanwhile), and the planner learns about them.
            with connection.cursor() as cursor:
                cursor.execute("SET maintenance_work_mem = '256MB'")
                cursor.execute("SELECT gin_clean_pending_list(%s::regclass)", [GIN_INDEX])
                cursor.execute("RESET maintenance_work_mem")
                cursor.execute(f"ANALYZE {SearchEntry._meta.db_table}, {SearchFacet._meta.db_table}")
        return written

    def _delete_keys(self, keys: list[tuple[str, int]]) -> None:
        """The entries' ids first, then their facets and themselves by id: a plan the database cannot get wrong
        (a join from a few keys would, with stale statistics, read every facet row)."""
        by_type: dict[str, list[int]] = {}
        for doc_type, pk in keys:
            by_type.setdefault(doc_type, []).append(pk)
        for doc_type, pks in by_type.items():
            for start in range(0, len(pks), self.chunk_size):
                chunk = pks[start : start + self.chunk_size]
                ids = list(
                    SearchEntry.objects.filter(doc_type=doc_type, object_id__in=chunk).values_list("pk", flat=True)
                )
                if ids:
                    _raw_delete(SearchFacet.objects.filter(entry_id__in=ids))
                    _raw_delete(SearchEntry.objects.filter(pk__in=ids))

    @staticmethod
    def _entry_values(document: SearchDocument) -> tuple:
        """SearchEntry's columns (ENTRY_COLUMNS) for a document."""
        return (
            document.doc_type,
            document.pk,
            document.title[:300],
            document.text,
            f"{document.searched_title()} {document.analyzed_text()}".strip(),
            document.url[:300],
            document.created,
            document.public,
            document.region if is_region_code(document.region) else "",
        )

    @staticmethod
    def _facet_values(document: SearchDocument) -> Iterator[tuple[str, str]]:
        for field, values in document.keywords.items():
            if field not in COLUMN_FIELDS:
                for value in values:
                    yield field, value[:64]

    def _insert(self, documents: list[SearchDocument]) -> int:
        if not documents:
            return 0
        if connection.vendor == "postgresql":
            return self._copy(documents)
        return self._insert_many(documents)

    def _insert_many(self, documents: list[SearchDocument]) -> int:
        """SQLite: the entries' ids follow the table's highest (the transaction holds SQLite's one write lock, as
        every transaction does here: `transaction_mode` IMMEDIATE), then one executemany for the entries and one
        for their facets, values adapted as Django would."""
        entry_table, facet_table = SearchEntry._meta.db_table, SearchFacet._meta.db_table
        adapt = connection.ops.adapt_datetimefield_value
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT MAX(COALESCE((SELECT MAX(id) FROM {entry_table}), 0), "  # noqa: S608
                "COALESCE((SELECT seq FROM sqlite_sequence WHERE name = %s), 0))",
                [entry_table],
            )
            first = cursor.fetchone()[0] + 1
            entries, facets = [], []
            for pk, document in enumerate(documents, start=first):
                values = self._entry_values(document)
                entries.append((pk, *values[:6], adapt(values[6]), *values[7:]))
                facets += [(pk, field, value) for field, value in self._facet_values(document)]
            placeholders = ", ".join(["%s"] * (len(ENTRY_COLUMNS) + 1))
            cursor.executemany(
                f"INSERT INTO {entry_table} (id, {', '.join(ENTRY_COLUMNS)}) VALUES ({placeholders})",  # noqa: S608
                entries,
            )
            cursor.executemany(f"INSERT INTO {facet_table} (entry_id, field, value) VALUES (%s, %s, %s)", facets)  # noqa: S608
        return len(documents)

    def _copy(self, documents: list[SearchDocument]) -> int:
        """PostgreSQL: ids from the sequence in one query, then one COPY of the entries and one of their
        facets, written as COPY text here (far cheaper than a call per value)."""
        entry_table, facet_table = SearchEntry._meta.db_table, SearchFacet._meta.db_table
        entries, facets = [], []
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [entry_table, len(documents)],
            )
            for (pk,), document in zip(cursor.fetchall(), documents, strict=True):
                doc_type, object_id, title, text, analyzed, url, created, public, region = self._entry_values(document)
                entries.append(
                    f"{pk}\t{_copy_text(doc_type)}\t{object_id}\t{_copy_text(title)}\t{_copy_text(text)}\t"
                    f"{_copy_text(analyzed)}\t{_copy_text(url)}\t{created.isoformat()}\t{'t' if public else 'f'}\t"
                    f"{_copy_text(region)}\n"
                )
                facets += [
                    f"{pk}\t{_copy_text(field)}\t{_copy_text(value)}\n" for field, value in self._facet_values(document)
                ]
            raw = cursor.cursor
            with raw.copy(f"COPY {entry_table} (id, {', '.join(ENTRY_COLUMNS)}) FROM STDIN") as copy:
                copy.write("".join(entries))
            if facets:
                with raw.copy(f"COPY {facet_table} (entry_id, field, value) FROM STDIN") as copy:
                    copy.write("".join(facets))
        return len(documents)

    @contextmanager
    def _bulk_load(self):
        """Inside a rebuild's transaction: the vendor's way of loading many rows at once."""
        if connection.vendor == "postgresql":
            # New rows' words wait in the GIN index's pending list (a cheap append) for this transaction,
            # rather than being merged into the index row by row; `rebuild` merges them after commit.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL gin_pending_list_limit = '2GB'")
            yield
            return
        if connection.vendor != "sqlite":
            yield
            return
        # SQLite: the full-text table follows SearchEntry through triggers, row by row. For a rebuild they
        # are dropped (and made again, as they were, before commit) and the full-text index is rebuilt once.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s",
                [SearchEntry._meta.db_table],
            )
            triggers = cursor.fetchall()
            for name, _sql in triggers:
                cursor.execute(f'DROP TRIGGER "{name}"')
        yield
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')")  # noqa: S608
            for _name, sql in triggers:
                cursor.execute(sql)

    def count(self, doc_type: str | None = None) -> int:
        entries = SearchEntry.objects.all()
        return (entries.filter(doc_type=doc_type) if doc_type else entries).count()

    # --- reading ---------------------------------------------------------------------------------

    def _filtered(self, query: SearchQuery) -> QuerySet[SearchEntry]:
        entries = SearchEntry.objects.filter(doc_type__in=query.doc_types)
        for field, values in query.keyword_filters().items():
            if field == "doc_type":
                entries = entries.filter(doc_type__in=values)
            elif field == "public":
                entries = entries.filter(public__in=[value == "true" for value in values])
            else:
                entries = entries.filter(
                    pk__in=SearchFacet.objects.filter(field=field, value__in=values).values("entry_id")
                )
        if region := query.filters.get("region"):
            prefix = region_prefix(str(region))  # the region and every region inside it
            entries = entries.none() if prefix is None else entries.exclude(region="").filter(region__startswith=prefix)
        zone = timezone.get_current_timezone()
        if start := query.filters.get("created_from"):
            entries = entries.filter(created__gte=datetime.combine(start, time.min, tzinfo=zone))
        if end := query.filters.get("created_to"):
            entries = entries.filter(created__lte=datetime.combine(end, time.max, tzinfo=zone))
        return entries

    def search(self, query: SearchQuery) -> SearchResults:
        """The most recent matches ranked, counts exact or estimated past them (search.backends.bounded)."""
        from search.backends.bounded import bounded_search

        return bounded_search(self, query)

    def _facets(self, names: tuple[str, ...], matching_sql: str, params) -> dict[str, list[tuple[str, int]]]:
        if not names:
            return {}
        facets: dict[str, list[tuple[str, int]]] = {name: [] for name in names}
        entry_table, facet_table = SearchEntry._meta.db_table, SearchFacet._meta.db_table
        with connection.cursor() as cursor:
            for column in sorted(COLUMN_FIELDS & set(names) - {"public"}):  # doc_type, region: columns
                cursor.execute(
                    f"SELECT {column}, COUNT(*) AS n FROM {entry_table} WHERE {column} <> '' "  # noqa: S608
                    f"AND id IN ({matching_sql}) GROUP BY {column} ORDER BY n DESC, {column}",
                    params,
                )
                facets[column] = [(value, count) for value, count in cursor.fetchall()]
            if keywords := [name for name in names if name not in COLUMN_FIELDS]:
                placeholders = ", ".join(["%s"] * len(keywords))
                cursor.execute(
                    f"SELECT field, value, COUNT(*) AS n FROM {facet_table} WHERE field IN ({placeholders}) "  # noqa: S608
                    f"AND entry_id IN ({matching_sql}) GROUP BY field, value ORDER BY n DESC, value",
                    [*keywords, *params],
                )
                for field, value, count in cursor.fetchall():
                    facets[field].append((value, count))
        return facets
