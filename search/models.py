"""The embedded search index, the indexing outbox, and what clustering keeps between runs.

SearchEntry holds one document (original text for display, segmented text for matching, and the
fields every document has: type, public, region) and SearchFacet its other keyword values (draft,
provision, stance, status, themes: one row per field and value), so filters and facet counts are
plain indexed SQL on any database. The full-text index over `analyzed` is vendor-specific and
made by the migration: an FTS5 table (BM25) on SQLite, a generated tsvector with a GIN index on
PostgreSQL.

IndexOutbox is written in the same transaction as the change it records; the indexer drains it
after commit, so a change is never lost when the search server is down.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class SearchEntry(models.Model):
    doc_type = models.CharField(max_length=12)
    object_id = models.BigIntegerField()
    title = models.CharField(max_length=300, blank=True)
    text = models.TextField(blank=True)
    analyzed = models.TextField(blank=True, help_text="Segmented title and text, words separated by spaces.")
    url = models.CharField(max_length=300, blank=True)
    created = models.DateTimeField(db_index=True)
    public = models.BooleanField(default=False)
    # A GB/T 2260 code or empty; the region filter (the region and all inside it) is a prefix match.
    region = models.CharField(max_length=12, blank=True, default="")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["doc_type", "object_id"], name="one_search_entry_per_object")]

    def __str__(self) -> str:
        return f"{self.doc_type}:{self.object_id}"


class SearchFacet(models.Model):
    entry = models.ForeignKey(SearchEntry, on_delete=models.CASCADE, related_name="facets")
    field = models.CharField(max_length=16)
    value = models.CharField(max_length=64)

    class Meta:
        indexes = [models.Index(fields=["field", "value", "entry"], name="search_facet_lookup")]

    def __str__(self) -> str:
        return f"{self.field}={self.value}"


class IndexOutbox(models.Model):
    """A change to index: the object's type and id. Processing reads the object's current state."""

    doc_type = models.CharField(max_length=12)
    object_id = models.BigIntegerField()
    created_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["pk"]
        indexes = [models.Index(fields=["doc_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.doc_type}:{self.object_id}"


class ClusteringState(models.Model):
    """What clustering keeps between runs over one set of comments (`scope`: a draft, "consultations.draft:42"),
    so that an incremental run reads and computes in proportion to the new comments (search.clustering.runs):
    the fitted features (`features`: vocabulary, IDF, LSA components; written by full runs), the themes'
    centroids and the comments waiting for a theme (`themes`), and the campaign index in `segments`, which
    incremental runs append to. Written by the clustering adapter only; a full run replaces it all."""

    scope = models.CharField(max_length=100, unique=True)
    features = models.BinaryField()
    themes = models.BinaryField()
    full_run_at = models.DateTimeField()
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.scope


class CampaignIndexSegment(models.Model):
    """A slice of a scope's campaign index (search.clustering.campaigns.CampaignIndex.to_bytes): the keys of
    `comments` comments. A full run writes one; each incremental run appends one for its new comments, and
    the last ones are merged when they grow (search.clustering.runs.segments_to_merge)."""

    state = models.ForeignKey(ClusteringState, on_delete=models.CASCADE, related_name="segments")
    comments = models.PositiveIntegerField()
    data = models.BinaryField()

    class Meta:
        ordering = ["state", "pk"]

    def __str__(self) -> str:
        return f"{self.state_id}: {self.comments}"
