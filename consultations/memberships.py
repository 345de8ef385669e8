"""Theme memberships changed in bulk: a theme's members deleted or moved with one statement a batch.

A membership saved or deleted one at a time sends a signal that queues its comment for re-indexing
(consultations.search), and Django deletes a theme's memberships by loading each row to send it: a theme of
100,000 comments took minutes to delete or merge. These write plain rows (core.bulk) and return the comments
whose themes changed, which the caller re-indexes in one `record_changes`. The tally triggers (migration 0006)
still count every row, as they see the statements themselves.
"""

from __future__ import annotations

from django.db.models import QuerySet

from consultations.models import Theme, ThemeMembership
from core.bulk import insert_rows, update_rows


def delete_themes(themes: QuerySet[Theme]) -> set[int]:
    """Delete these themes and their memberships; returns the comments that were in them."""
    memberships = ThemeMembership.objects.filter(theme__in=themes)
    members = set(memberships.values_list("comment_id", flat=True))
    memberships._raw_delete(memberships.db)  # no row loaded, no signal per row
    themes.delete()
    return members


def move_members(source: Theme, target: Theme) -> tuple[list[tuple[int, float | None]], list[int]]:
    """Give `target` every member of `source` it lacks; a comment in both keeps the closer similarity.
    Returns the source's memberships (comment, similarity), read under lock, and the comments added."""
    existing = dict(target.memberships.select_for_update().values_list("comment_id", "similarity"))
    members = list(
        source.memberships.select_for_update().order_by("comment_id").values_list("comment_id", "similarity")
    )
    added = [(comment, similarity) for comment, similarity in members if comment not in existing]
    closer = {
        comment: similarity
        for comment, similarity in members
        if comment in existing
        and similarity is not None
        and (existing[comment] is None or similarity > existing[comment])
    }
    insert_rows(ThemeMembership, ["theme", "comment", "similarity"], ((target.pk, c, s) for c, s in added))
    if closer:
        ids = target.memberships.filter(comment_id__in=list(closer)).values_list("comment_id", "pk")
        update_rows(ThemeMembership, ["similarity"], ((pk, closer[comment]) for comment, pk in ids))
    return members, [comment for comment, _similarity in added]
