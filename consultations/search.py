"""What consultations put in the search index: the current version's articles of each draft, and the
comments on it. Registered from ConsultationsConfig.ready, with the signals for the changes that reach
these documents through other models (a draft's publication, title or address; a view restriction; a
comment's themes).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from django.db.models import Exists, F, OuterRef, QuerySet, Subquery
from django.db.models.functions import Length, Substr
from django.db.models.signals import post_delete, post_save

from search.documents import DocumentType, SearchDocument, keyset, register
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

    return Comment.objects.all()


@dataclass(frozen=True)
class _DraftFacts:
    """What a comment's document takes from its draft, read once per draft and batch run."""

    title: str
    url: str
    public: bool  # published, and no view restriction on it or above it


def _draft_facts(draft_ids: set[int]) -> dict[int, _DraftFacts]:
    from consultations.models import DraftPage

    drafts = DraftPage.objects.filter(pk__in=draft_ids).annotate(draft_restricted=_restricted("path"))
    return {
        draft.pk: _DraftFacts(draft.title, draft.url or "", bool(draft.live) and not draft.draft_restricted)
        for draft in drafts
    }


COMMENT_COLUMNS = ("pk", "draft_id", "provision_id", "text", "created_at", "status", "stance", "region_id")


def comment_batches(ids: Sequence[int] | None, size: int) -> Iterator[list[SearchDocument]]:
    """Comments' documents from value tuples, by ascending id: per batch one query for the comments and one
    for their themes; the drafts' titles, addresses and visibility and the articles' labels are read once."""
    from consultations.models import Comment, Provision, ThemeMembership

    drafts: dict[int, _DraftFacts] = {}
    labels: dict[int, str] = {}
    for rows in keyset(Comment.objects.values_list(*COMMENT_COLUMNS), ids, size):
        if missing := {row[1] for row in rows} - drafts.keys():
            drafts.update(_draft_facts(missing))
        if missing := {row[2] for row in rows if row[2]} - labels.keys():
            labels.update(Provision.objects.filter(pk__in=missing).values_list("pk", "label"))
        memberships = ThemeMembership.objects.all()
        if ids is None:  # a keyset batch holds every comment in its id range
            memberships = memberships.filter(comment_id__gte=rows[0][0], comment_id__lte=rows[-1][0])
        else:
            memberships = memberships.filter(comment_id__in=[row[0] for row in rows])
        themes: dict[int, list[str]] = defaultdict(list)
        for comment_id, theme_id in memberships.order_by("theme_id").values_list("comment_id", "theme_id"):
            themes[comment_id].append(str(theme_id))
        yield [_comment_document(row, drafts[row[1]], labels, themes) for row in rows]


def _comment_document(row: tuple, draft: _DraftFacts, labels: dict[int, str], themes) -> SearchDocument:
    from consultations.models import VISIBLE_STATUSES

    pk, _draft_id, provision_id, text, created_at, status, stance, region_id = row
    return SearchDocument(
        doc_type="comment",
        pk=pk,
        title=f"{draft.title} {labels.get(provision_id, '') if provision_id else ''}".strip(),
        text=text,
        url=f"{draft.url}#comment-{pk}" if draft.url else "",
        created=created_at,
        public=draft.public and status in VISIBLE_STATUSES,
        keywords={
            "draft": [str(row[1])],
            "provision": [str(provision_id)] if provision_id else [],
            "stance": [stance],
            "status": [status],
            "theme": themes.get(pk, []),
        },
        region=region_id or "",
        title_searched=False,  # the draft's title: shown, not matched (else one word of it finds them all)
    )


def comment_document(comment) -> SearchDocument | None:
    """One comment's document (the same builder as in batches)."""
    return next((document for batch in comment_batches([comment.pk], 1) for document in batch), None)


def _articles_of_drafts(draft_ids: set[int]):
    from consultations.models import Provision

    return Provision.objects.filter(version__draft_id__in=draft_ids).values_list("pk", flat=True)


def _comments_of_drafts(draft_ids: set[int]):
    from consultations.models import Comment

    return Comment.objects.filter(draft_id__in=draft_ids).values_list("pk", flat=True)


# An outbox row "draft" stands for every article and comment of the draft (its publication, title,
# address or view restriction changed, or a new version replaced its articles).
ARTICLE = DocumentType("article", "consultations.Provision", articles, article_document, {"draft": _articles_of_drafts})
COMMENT = DocumentType(
    "comment",
    "consultations.Comment",
    comments,
    comment_document,
    {"draft": _comments_of_drafts},
    batches=comment_batches,
)


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
