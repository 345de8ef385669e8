"""What consultations contribute to "my participation": drafts to follow, my comments with their receipts,
and the events people are told about (a new reading, a decision on their comment's theme, a published report).

Registered from ConsultationsConfig.ready(); the participation kernel never imports this app. The events are
read from the records' saves (post_save), so the services stay as they are.
"""

from __future__ import annotations

from itertools import groupby

from django.db.models.signals import post_save

from consultations.models import DECIDED, Comment, CommentStatus, DraftPage, DraftVersion, ReportPublication, Theme
from consultations.selectors import Receipt

DRAFT = "consultations.draft"


def resolve_draft(object_id: int) -> tuple[str, str] | None:
    draft = DraftPage.objects.live().filter(pk=object_id).first()
    if draft is None:
        return None
    return draft.title, draft.get_url() or draft.url_path


def my_comments(user) -> dict:
    """Every comment of `user`, by draft, each with its receipt (status, theme, decision, adopted article)."""
    comments = (
        Comment.objects.filter(author=user)
        .select_related("draft", "provision")
        .prefetch_related("themes__adopted_in__version")
        .order_by("draft_id", "-pk")
    )
    drafts = [
        {"draft": draft, "receipts": [Receipt(comment=c, themes=list(c.themes.all())) for c in group]}
        for draft, group in groupby(comments, key=lambda comment: comment.draft)
    ]
    return {"drafts": drafts}


def _authors(draft_id: int, theme: Theme | None = None) -> list[int]:
    """Those whose comments were not rejected (of the theme, or of the whole draft)."""
    comments = theme.comments.all() if theme is not None else Comment.objects.filter(draft_id=draft_id)
    return list(
        comments.exclude(status=CommentStatus.REJECTED)
        .filter(author__isnull=False)
        .values_list("author_id", flat=True)
        .distinct()
    )


def _draft_event(draft: DraftPage, kind: str, **options) -> None:
    from participation.services import notify

    resolved = resolve_draft(draft.pk)
    if resolved is not None:
        notify(kind=kind, subject=DRAFT, object_id=draft.pk, title=resolved[0], path=resolved[1], **options)


def on_version_saved(sender, instance: DraftVersion, created: bool, **kwargs) -> None:
    if created and instance.number > 1:  # the first reading is the consultation itself
        _draft_event(instance.draft, "new_reading")


def on_theme_saved(sender, instance: Theme, created: bool, update_fields=None, **kwargs) -> None:
    if created or not update_fields or "decided_at" not in update_fields or instance.decision not in DECIDED:
        return
    _draft_event(instance.draft, "decision", users=_authors(instance.draft_id, instance), followers=False)


def on_report_saved(sender, instance: ReportPublication, created: bool, **kwargs) -> None:
    if created:
        _draft_event(instance.draft, "report", users=_authors(instance.draft_id))


def register() -> None:
    from participation import registry

    registry.register_subject(DRAFT, resolve_draft)
    registry.register_section("comments", "consultations/participation/_my_comments.html", my_comments, order=10)
    post_save.connect(on_version_saved, sender=DraftVersion, dispatch_uid="participation.version")
    post_save.connect(on_theme_saved, sender=Theme, dispatch_uid="participation.theme")
    post_save.connect(on_report_saved, sender=ReportPublication, dispatch_uid="participation.report")
