"""What consultations put in the search index: the current version's articles of each draft, and the
comments on it. Registered from ConsultationsConfig.ready, with the signals for the changes that reach
these documents through other models (a draft's publication, title or address; a view restriction; a
comment's themes).
"""

from __future__ import annotations

from django.db.models import Exists, F, OuterRef, QuerySet, Subquery
from django.db.models.functions import Length, Substr
from django.db.models.signals import post_delete, post_save

from search.documents import DocumentType, SearchDocument, register
from search.indexing import record_change

# --- draft articles and comments ------------------------------------------------------------------


def _restricted(draft_path: str):
    """True (in SQL) when the draft or a page above it has a view restriction (password, login, groups)."""
    from wagtail.models import PageViewRestriction

    return Exists(
        PageViewRestriction.objects.annotate(prefix=Substr(OuterRef(draft_path), 1, Length("page__path"))).filter(
            page__path=F("prefix")
        )
    )


def articles() -> QuerySet:
    from consultations.models import DraftVersion, Provision

    current = DraftVersion.objects.filter(draft=OuterRef("version__draft")).order_by("-number").values("pk")[:1]
    return (
        Provision.objects.select_related("version__draft")
        .exclude(text="")
        .annotate(current_version=Subquery(current), draft_restricted=_restricted("version__draft__path"))
    )


def article_document(provision) -> SearchDocument | None:
    draft = provision.version.draft
    if getattr(provision, "current_version", provision.version_id) != provision.version_id:
        return None  # only the current version of a draft is searched
    return SearchDocument(
        doc_type="article",
        pk=provision.pk,
        title=f"{draft.title} {provision.label} {provision.heading}".strip(),
        text=provision.text,
        url=f"{draft.url}articles/{provision.pk}/" if draft.url else "",
        created=provision.version.created_at,
        public=bool(draft.live) and not getattr(provision, "draft_restricted", False),
        keywords={"draft": [str(draft.pk)], "provision": [str(provision.pk)]},
    )


def comments() -> QuerySet:
    from consultations.models import Comment

    return (
        Comment.objects.select_related("draft", "provision")
        .prefetch_related("memberships")
        .annotate(draft_restricted=_restricted("draft__path"))
    )


def comment_document(comment) -> SearchDocument:
    from consultations.models import VISIBLE_STATUSES

    draft = comment.draft
    label = comment.provision.label if comment.provision_id else ""
    return SearchDocument(
        doc_type="comment",
        pk=comment.pk,
        title=f"{draft.title} {label}".strip(),
        text=comment.text,
        url=f"{draft.url}#comment-{comment.pk}" if draft.url else "",
        created=comment.created_at,
        public=bool(draft.live)
        and not getattr(comment, "draft_restricted", False)
        and comment.status in VISIBLE_STATUSES,
        keywords={
            "draft": [str(comment.draft_id)],
            "provision": [str(comment.provision_id)] if comment.provision_id else [],
            "stance": [comment.stance],
            "status": [comment.status],
            "theme": [str(membership.theme_id) for membership in comment.memberships.all()],
        },
        region=comment.region_id or "",
        title_searched=False,  # the draft's title: shown, not matched (else one word of it finds them all)
    )


def _articles_of_drafts(draft_ids: set[int]):
    from consultations.models import Provision

    return Provision.objects.filter(version__draft_id__in=draft_ids).values_list("pk", flat=True)


def _comments_of_drafts(draft_ids: set[int]):
    from consultations.models import Comment

    return Comment.objects.filter(draft_id__in=draft_ids).values_list("pk", flat=True)


# An outbox row "draft" stands for every article and comment of the draft (its publication, title,
# address or view restriction changed, or a new version replaced its articles).
ARTICLE = DocumentType("article", "consultations.Provision", articles, article_document, {"draft": _articles_of_drafts})
COMMENT = DocumentType("comment", "consultations.Comment", comments, comment_document, {"draft": _comments_of_drafts})


# --- changes that reach the documents through other models ----------------------------------------


def _on_membership(sender, instance, **kwargs):
    record_change("comment", instance.comment_id)


# A draft's documents change with its publication, title or address; saving a revision alone does not.
DRAFT_FIELDS = {"live", "title", "slug", "url_path"}


def _on_draft(sender, instance, update_fields=None, raw=False, **kwargs):
    if raw or (update_fields is not None and not DRAFT_FIELDS & set(update_fields)):
        return
    record_change("draft", instance.pk)


def _on_view_restriction(sender, instance, raw=False, **kwargs):
    """A restriction added to or removed from a page changes whether the drafts under it are public."""
    from consultations.models import DraftPage

    if raw:
        return
    page = instance.page
    for pk in DraftPage.objects.filter(path__startswith=page.path).values_list("pk", flat=True):
        record_change("draft", pk)


def register_documents() -> None:
    """Index articles and comments, and follow the changes that reach them (from AppConfig.ready)."""
    from wagtail.models import PageViewRestriction

    from consultations.models import DraftPage, ThemeMembership

    register(ARTICLE)
    register(COMMENT)
    post_save.connect(_on_view_restriction, sender=PageViewRestriction, dispatch_uid="search-restriction-save")
    post_delete.connect(_on_view_restriction, sender=PageViewRestriction, dispatch_uid="search-restriction-delete")
    post_save.connect(_on_membership, sender=ThemeMembership, dispatch_uid="search-membership-save")
    post_delete.connect(_on_membership, sender=ThemeMembership, dispatch_uid="search-membership-delete")
    post_save.connect(_on_draft, sender=DraftPage, dispatch_uid="search-draft-save")
