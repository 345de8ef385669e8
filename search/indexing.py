"""Reliable indexing through a transactional outbox.

A change to an indexed object writes an IndexOutbox row in the same transaction (signals below, and
`record_change` for writes that send none), and schedules `process_outbox` after commit. Processing reads
each object's current state and writes it to the search backend (or removes it), then deletes the rows:
idempotent, and safe to run again. When the search server is down the rows stay, with the error, and are
processed on the next run (the next change, `manage.py index_pending`, or the worker's retry).

What is indexed comes from the registry in `search.documents`; this module never names an app.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from queue import Full, Queue

from django.core.cache import cache
from django.db import connection, connections, transaction
from django.db.models import F, Max
from django.db.models.signals import post_delete, post_save
from django_tasks import task

from core.bulk import insert_rows
from core.tasks import enqueue_once_pending_on_commit, started_pending
from search.backends import get_backend
from search.backends.base import SearchUnavailable
from search.documents import BATCH_SIZE, SearchDocument, document_type_for, get, registered
from search.models import IndexOutbox

logger = logging.getLogger(__name__)

BATCH = 500


@dataclass
class OutboxRun:
    indexed: int = 0
    deleted: int = 0
    failed: int = 0
    error: str = ""


# --- writing the outbox --------------------------------------------------------------------------


def record_change(doc_type: str, object_id: int) -> None:
    """Write an outbox row (in the caller's transaction) and schedule processing after commit.

    `doc_type` is a registered document type, or a name some type declares in `changed_by` ("draft").
    """
    IndexOutbox.objects.create(doc_type=doc_type, object_id=object_id)
    _schedule_after_commit()


def record_changes(doc_type: str, object_ids: Iterable[int]) -> None:
    """The same for many objects at once, for writes that send no signals (bulk_create, update)."""
    ids = sorted(set(object_ids))
    if ids:  # plain rows (core.bulk): a full clustering run queues every comment of the draft
        insert_rows(IndexOutbox, ["doc_type", "object_id"], ((doc_type, pk) for pk in ids))
        _schedule_after_commit()


OUTBOX_RUN = "search.process_outbox"


def _schedule_after_commit() -> None:
    # One run drains every row written before it starts: one per transaction at most, and none while a run
    # is already queued and not started (a burst of submissions queues a few runs, not one each).
    enqueue_once_pending_on_commit(OUTBOX_RUN, process_search_outbox)


@task()
def process_search_outbox() -> dict:
    started_pending(OUTBOX_RUN)
    run = process_outbox()
    return {"indexed": run.indexed, "deleted": run.deleted, "failed": run.failed, "error": run.error}


# --- draining the outbox -------------------------------------------------------------------------


def _expand(rows: list[IndexOutbox]) -> dict[str, set[int]]:
    """Outbox rows as object ids per document type; a row under a name a type is `changed_by` (a draft)
    stands for the documents of that type the type's function returns."""
    kinds = registered()
    wanted: dict[str, set[int]] = {name: set() for name in kinds}
    others: dict[str, set[int]] = {}
    for row in rows:
        if row.doc_type in wanted:
            wanted[row.doc_type].add(row.object_id)
        else:
            others.setdefault(row.doc_type, set()).add(row.object_id)
    for name, kind in kinds.items():
        for source, ids in others.items():
            if (expand := kind.changed_by.get(source)) is not None:
                wanted[name].update(expand(ids))
    return wanted


def documents_for(doc_type: str, ids: Iterable[int]) -> tuple[list[SearchDocument], list[int]]:
    """The current documents of these objects, and the ids that no longer have one (to remove)."""
    ids = set(ids)
    documents = [document for batch in get(doc_type).document_batches(ids) for document in batch]
    present = {document.pk for document in documents}
    return documents, sorted(ids - present)


def _batches_for(doc_type: str, ids: Iterable[int]) -> Iterator[tuple[list[SearchDocument], list[int]]]:
    """documents_for, a batch at a time: a change that reaches every comment of a 400,000-comment draft (its
    title, its publication) is indexed in bounded memory."""
    kind = get(doc_type)
    for batch_ids in _slices(sorted(set(ids)), BATCH_SIZE):
        documents = [document for batch in kind.document_batches(batch_ids) for document in batch]
        present = {document.pk for document in documents}
        yield documents, [pk for pk in batch_ids if pk not in present]


def _slices(items: list[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


REBUILDING = "search:rebuilding"
REBUILD_TIMEOUT = 6 * 3600  # a crashed rebuild stops holding the outbox after this long


def process_outbox(*, batch: int = BATCH, max_batches: int | None = None) -> OutboxRun:
    """Index what the outbox records, batch by batch, until it is empty or the server is down.

    While a rebuild runs the rows wait: written to the old index, they would be lost at the swap.
    A batch that fails (server down, or any error building or writing a document) keeps its rows,
    with the error and one more attempt, for the next run.
    """
    run = OutboxRun()
    if cache.get(REBUILDING):
        run.error = "a rebuild is running; changes wait for it"
        return run
    backend = get_backend()
    batches = 0
    while max_batches is None or batches < max_batches:
        batches += 1
        with transaction.atomic():
            rows = list(IndexOutbox.objects.select_for_update(skip_locked=True).order_by("pk")[:batch])
            if not rows:
                break
            try:
                for doc_type, ids in _expand(rows).items():
                    if not ids:
                        continue
                    for documents, gone in _batches_for(doc_type, ids):
                        run.indexed += backend.index(documents)
                        if gone:
                            run.deleted += backend.delete((doc_type, pk) for pk in gone)
            except Exception as error:  # noqa: BLE001 - kept for retry, never lost; logged
                run.failed += len(rows)
                run.error = str(error) or type(error).__name__
                IndexOutbox.objects.filter(pk__in=[row.pk for row in rows]).update(
                    attempts=F("attempts") + 1, last_error=run.error[:2000]
                )
                if isinstance(error, SearchUnavailable):
                    logger.warning("search server unavailable; %d outbox rows kept for retry", len(rows))
                else:
                    logger.exception("indexing failed; %d outbox rows kept for retry", len(rows))
                break
            IndexOutbox.objects.filter(pk__in=[row.pk for row in rows]).delete()
    return run


Progress = Callable[[str, int, int], None]  # (document type, documents so far, objects in all)


def rebuild(doc_types: Iterable[str] | None = None, progress: Progress | None = None) -> int:
    """Re-index every object of these types from the database (an atomic swap on Elasticsearch).

    Documents are built in keyset batches (`DocumentType.document_batches`) and streamed to the backend,
    which writes them in bulk: memory does not grow with the number of documents. `progress` is called
    after each batch is built. Outbox rows written before the rebuild began are covered by it and
    removed; rows written during it are kept for the next run.
    """
    kinds = registered()
    names = list(doc_types or kinds)
    covered = IndexOutbox.objects.aggregate(last=Max("pk"))["last"]
    cache.set(REBUILDING, True, REBUILD_TIMEOUT)

    def batches():
        for name in names:
            kind = get(name)
            total, done = kind.count(), 0
            for batch in kind.document_batches():
                yield batch
                done += len(batch)
                if progress and done < total:
                    progress(name, done, total)
            if progress:
                progress(name, done, done)  # finished: the total is what had a document

    try:
        with read_ahead(batches()) as ready:
            written = get_backend().rebuild((document for batch in ready for document in batch), names)
        if covered is not None:
            done = IndexOutbox.objects.filter(pk__lte=covered, doc_type__in=[*names, *_covered_sources(names)])
            done._raw_delete(done.db)  # one DELETE: no rows loaded, no signals (there are none to send)
    finally:
        cache.delete(REBUILDING)
    process_outbox()  # the changes made while the rebuild ran
    return written


@contextmanager
def read_ahead(batches: Iterator[list], depth: int = 2, *, threaded: bool | None = None) -> Iterator[Iterator[list]]:
    """The batches, built by a thread of their own while the caller writes the ones before (reading the
    database and segmenting text overlap the search backend's work); at most `depth` wait, so memory stays
    bounded. The thread reads through its own database connection, which sees committed data only: inside a
    transaction (a test, or a caller's atomic block) the batches are built here, in turn; so they are for an
    in-memory SQLite database (tests), which a second connection cannot read while the first one writes."""
    if threaded is None:
        in_memory = connection.vendor == "sqlite" and connection.is_in_memory_db()  # type: ignore[attr-defined]
        threaded = not connection.in_atomic_block and not in_memory
    if not threaded:
        yield batches
        return
    waiting: Queue = Queue(maxsize=depth)
    stop = threading.Event()
    finished = object()

    def put(item) -> bool:
        while not stop.is_set():
            try:
                waiting.put(item, timeout=0.2)
                return True
            except Full:
                continue
        return False

    def produce() -> None:
        try:
            for batch in batches:
                if not put(batch):
                    return
            put(finished)
        except BaseException as error:  # noqa: BLE001 - handed to the consumer, which raises it
            put(error)
        finally:
            connections.close_all()  # this thread's connections

    def consume() -> Iterator[list]:
        while (item := waiting.get()) is not finished:
            if isinstance(item, BaseException):
                raise item
            yield item

    thread = threading.Thread(target=produce, name="search-read-ahead", daemon=True)
    thread.start()
    try:
        yield consume()
    finally:
        stop.set()
        thread.join()


def _covered_sources(names: list[str]) -> list[str]:
    """The `changed_by` names whose every document type is among `names` (a rebuild of them covers it)."""
    kinds = registered()
    sources = {source for kind in kinds.values() for source in kind.changed_by}
    return sorted(
        source for source in sources if all(name in names for name, kind in kinds.items() if source in kind.changed_by)
    )


# --- signals -------------------------------------------------------------------------------------
# Connected for every model, once (SearchConfig.ready): a save of a model no type is registered for
# costs one dictionary look-up. Changes that reach documents through other models (a draft's title, a
# comment's themes) are recorded by the app that registered the documents (e.g. consultations/search.py).


def _on_save(sender, instance, raw=False, **kwargs):
    if raw:
        return  # fixtures: `rebuild_index` indexes them
    kind = document_type_for(sender)
    if kind is not None:
        record_change(kind.name, instance.pk)


def _on_delete(sender, instance, **kwargs):
    kind = document_type_for(sender)
    if kind is not None and instance.pk is not None:
        record_change(kind.name, instance.pk)


def connect_signals() -> None:
    post_save.connect(_on_save, dispatch_uid="search-save")
    post_delete.connect(_on_delete, dispatch_uid="search-delete")


__all__ = ["OutboxRun", "SearchUnavailable", "process_outbox", "rebuild", "record_change", "record_changes"]
