"""Reads for legislative consultation: lists, article trees with counts, the public report."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet

from consultations.matching import diff_segments, match_provisions
from consultations.models import (
    COMMENTABLE_KINDS,
    VISIBLE_STATUSES,
    Comment,
    CommentStatus,
    Decision,
    DraftPage,
    DraftVersion,
    Provision,
    Stance,
    Theme,
)


def list_drafts(*, index=None) -> list[DraftPage]:
    drafts = DraftPage.objects.live().select_related("jurisdiction", "report_publication").order_by("-opens_at")
    if index is not None:
        drafts = drafts.child_of(index)
    return list(drafts)


def visible_comments(draft: DraftPage) -> QuerySet[Comment]:
    return draft.comments.filter(status__in=VISIBLE_STATUSES).select_related("provision", "region")


def visible_counts_by_provision(version: DraftVersion) -> dict[int, int]:
    rows = (
        Comment.objects.filter(provision__version=version, status__in=VISIBLE_STATUSES)
        .values("provision_id")
        .annotate(n=Count("pk"))
    )
    return {row["provision_id"]: row["n"] for row in rows}


@dataclass
class ProvisionView:
    provision: Provision
    count: int = 0
    children: list[ProvisionView] = field(default_factory=list)


def provision_tree(version: DraftVersion) -> list[ProvisionView]:
    """The version's structure as nested views, each commentable node with its visible comment count."""
    counts = visible_counts_by_provision(version)
    views: dict[int, ProvisionView] = {}
    roots: list[ProvisionView] = []
    for provision in version.provisions.select_related("predecessor").order_by("position"):
        view = ProvisionView(provision=provision, count=counts.get(provision.pk, 0))
        views[provision.pk] = view
        parent = views.get(provision.parent_id) if provision.parent_id else None
        (parent.children if parent else roots).append(view)
    return roots


def comments_on_lineage(provision: Provision) -> QuerySet[Comment]:
    """Visible comments on this article and on the earlier articles it descends from."""
    return Comment.objects.filter(
        provision__in=[p.pk for p in provision.lineage()], status__in=VISIBLE_STATUSES
    ).select_related("provision__version", "region")


@dataclass
class ArticleChange:
    old: Provision | None
    new: Provision | None
    similarity: float
    segments: list[tuple[str, str]]

    @property
    def kind(self) -> str:
        if self.old is None:
            return "added"
        if self.new is None:
            return "removed"
        return "unchanged" if self.old.text == self.new.text else "changed"

    @property
    def renumbered(self) -> bool:
        return bool(self.old and self.new and self.old.label != self.new.label)


def compare(old: DraftVersion, new: DraftVersion) -> list[ArticleChange]:
    """Article-by-article changes between two versions, matched by content."""
    old_articles = list(old.provisions.filter(kind__in=COMMENTABLE_KINDS))
    new_articles = list(new.provisions.filter(kind__in=COMMENTABLE_KINDS))
    if new.previous and new.previous.pk == old.pk and any(p.predecessor_id for p in new_articles):
        # Adjacent versions: use the stored lineage, so the diff agrees with what comments follow.
        by_pk = {p.pk: i for i, p in enumerate(old_articles)}
        pairs = [(by_pk.get(p.predecessor_id), i, p.match_similarity or 0.0) for i, p in enumerate(new_articles)]
        used = {o for o, _, _ in pairs if o is not None}
        pairs += [(o, None, 0.0) for o in range(len(old_articles)) if o not in used]
    else:
        pairs = [
            (m.old, m.new, m.similarity)
            for m in match_provisions([p.text for p in old_articles], [p.text for p in new_articles])
        ]
    changes = []
    for o, n, similarity in pairs:
        before = old_articles[o] if o is not None else None
        after = new_articles[n] if n is not None else None
        segments = diff_segments(before.text if before else "", after.text if after else "")
        changes.append(ArticleChange(old=before, new=after, similarity=similarity, segments=segments))
    return changes


@dataclass
class ThemeSummary:
    theme: Theme
    size: int
    stances: dict[str, int]


@dataclass
class Report:
    draft: DraftPage
    commenters: int
    comments: int
    rejected: int
    stance_split: dict[str, int]
    per_article: list[tuple[Provision, int]]
    whole_draft: int
    themes: list[ThemeSummary]
    unthemed: int


def build_report(draft: DraftPage) -> Report:
    """The figures of the public report on how comments were handled (立法法 art. 40)."""
    visible = visible_comments(draft)
    commenters = (
        visible.exclude(author__isnull=True).values("author").distinct().count()
        + visible.filter(author__isnull=True).exclude(external_author="").values("external_author").distinct().count()
    )
    stance_split = Counter(visible.values_list("stance", flat=True))
    per_article_rows = (
        visible.exclude(provision__isnull=True)
        .values("provision")
        .annotate(n=Count("pk"))
        .order_by("-n", "provision__position")
    )
    provisions = Provision.objects.in_bulk([row["provision"] for row in per_article_rows])
    themes = []
    for theme in draft.themes.select_related("adopted_in", "provision").annotate(
        size=Count("comments", filter=Q(comments__status__in=VISIBLE_STATUSES))
    ):
        stances = Counter(theme.comments.filter(status__in=VISIBLE_STATUSES).values_list("stance", flat=True))
        themes.append(ThemeSummary(theme=theme, size=theme.size, stances=dict(stances)))
    return Report(
        draft=draft,
        commenters=commenters,
        comments=visible.count(),
        rejected=draft.comments.filter(status=CommentStatus.REJECTED).count(),
        stance_split={stance: stance_split.get(stance, 0) for stance in Stance.values},
        per_article=[(provisions[row["provision"]], row["n"]) for row in per_article_rows],
        whole_draft=visible.filter(provision__isnull=True).count(),
        themes=themes,
        unthemed=visible.filter(themes__isnull=True).count(),
    )


@dataclass
class Receipt:
    comment: Comment
    themes: list[Theme]


def receipts_for(*, draft: DraftPage, user) -> list[Receipt]:
    """What became of each of `user`'s comments on `draft`: status, theme, decision."""
    if not getattr(user, "is_authenticated", False):
        return []
    comments = (
        draft.comments.filter(author=user).select_related("provision").prefetch_related("themes__adopted_in__version")
    )
    return [Receipt(comment=comment, themes=list(comment.themes.all())) for comment in comments]


DECISION_ORDER = [Decision.ADOPTED, Decision.PARTLY_ADOPTED, Decision.NOT_ADOPTED, Decision.PENDING]
