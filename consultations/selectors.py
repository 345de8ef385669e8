"""Reads for legislative consultation: lists, article trees with counts, the public report."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count, F, Q, QuerySet

from consultations.diffing import ArticleDiff, diff_article
from consultations.matching import match_provisions
from consultations.models import (
    COMMENTABLE_KINDS,
    VISIBLE_STATUSES,
    Campaign,
    Comment,
    CommentStatus,
    Decision,
    DraftPage,
    DraftVersion,
    Provision,
    Stance,
    Theme,
    ThemeMembership,
)


def list_drafts(*, index=None) -> list[DraftPage]:
    """Published drafts open to everyone; one behind a Wagtail view restriction is reached by its link only."""
    drafts = (
        DraftPage.objects.live().public().select_related("jurisdiction", "report_publication").order_by("-opens_at")
    )
    if index is not None:
        drafts = drafts.child_of(index)
    return list(drafts)


def neighbours(provision: Provision) -> tuple[Provision | None, Provision | None]:
    """The commentable provisions just before and after this one in its version (two indexed queries)."""
    siblings = Provision.objects.filter(version_id=provision.version_id, kind__in=COMMENTABLE_KINDS).only(
        "pk", "label", "heading", "position", "version_id"
    )
    previous = siblings.filter(position__lt=provision.position).order_by("-position").first()
    following = siblings.filter(position__gt=provision.position).order_by("position").first()
    return previous, following


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
    similarity: float  # how the articles were matched (bigram cosine), not how much text changed
    diff: ArticleDiff

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

    @property
    def rewritten(self) -> bool:
        """Changed so much that the old and new texts are shown side by side."""
        return self.diff.layout == "side_by_side"


def compare(old: DraftVersion, new: DraftVersion) -> list[ArticleChange]:
    """Article-by-article changes between two versions, matched by content."""
    old_articles = list(old.provisions.filter(kind__in=COMMENTABLE_KINDS))
    new_articles = list(new.provisions.filter(kind__in=COMMENTABLE_KINDS))
    pairs: list[tuple[int | None, int | None, float]]  # (old index, new index, similarity)
    if new.previous and new.previous.pk == old.pk and any(p.predecessor_id for p in new_articles):
        # Adjacent versions: use the stored lineage, so the diff agrees with what comments follow.
        by_pk: dict[int | None, int] = {p.pk: i for i, p in enumerate(old_articles)}
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
        diff = diff_article(before.text if before else None, after.text if after else None)
        changes.append(ArticleChange(old=before, new=after, similarity=similarity, diff=diff))
    return changes


@dataclass
class UnchangedRun:
    """Consecutive articles whose text did not change, shown folded as one entry."""

    changes: list[ArticleChange]
    kind: str = "unchanged-run"


@dataclass
class Comparison:
    changes: list[ArticleChange]
    entries: list[ArticleChange | UnchangedRun]  # what the page lists, in the new version's order
    tally: dict[str, int]  # changed (of which rewritten), unchanged, added, removed, renumbered
    hidden: int  # unchanged articles left out when only the changed ones are asked for


def comparison(old: DraftVersion, new: DraftVersion, *, only_changed: bool = False) -> Comparison:
    """The comparison page's content: every change, runs of unchanged articles folded or left out."""
    changes = compare(old, new)
    tally = {kind: sum(1 for c in changes if c.kind == kind) for kind in ("changed", "unchanged", "added", "removed")}
    tally["rewritten"] = sum(1 for c in changes if c.rewritten)
    tally["renumbered"] = sum(1 for c in changes if c.renumbered)
    entries: list[ArticleChange | UnchangedRun] = []
    for change in changes:
        if change.kind != "unchanged":
            entries.append(change)
        elif only_changed:
            continue
        elif entries and isinstance(entries[-1], UnchangedRun):
            entries[-1].changes.append(change)
        else:
            entries.append(UnchangedRun(changes=[change]))
    hidden = tally["unchanged"] if only_changed else 0
    return Comparison(changes=changes, entries=entries, tally=tally, hidden=hidden)


@dataclass
class ThemeSummary:
    theme: Theme
    size: int  # published comments, counted raw
    stances: dict[str, int]
    weighted: int = 0  # the same with each campaign counted once


@dataclass
class ArticleFigures:
    provision: Provision
    comments: int  # counted raw
    weighted: int  # each campaign counted once


@dataclass
class ReportCampaign:
    """A mass campaign as the public report shows it: form text, N signers, what they added."""

    campaign: Campaign
    signers: int  # published members
    with_additions: int  # of them, how many added words of their own
    additions: list[str]  # the first few of those words
    stances: dict[str, int]


REPORT_ADDITIONS = 5


@dataclass
class Report:
    draft: DraftPage
    commenters: int
    comments: int  # published comments, counted raw
    rejected: int
    stance_split: dict[str, int]
    articles: list[ArticleFigures]
    whole_draft: int
    themes: list[ThemeSummary]
    unthemed: int
    weighted: int = 0  # published comments with each campaign counted once
    whole_draft_weighted: int = 0
    campaigns: list[ReportCampaign] = field(default_factory=list)

    @property
    def per_article(self) -> list[tuple[Provision, int]]:
        return [(row.provision, row.comments) for row in self.articles]

    @property
    def from_campaigns(self) -> int:
        """Published comments that belong to a campaign."""
        return sum(campaign.signers for campaign in self.campaigns)


def _raw_and_weighted(rows) -> dict:
    """{key: [raw, weighted]} from (key, campaign id or None, n) rows: a campaign counts once."""
    figures: dict = {}
    for key, campaign, n in rows:
        raw_weighted = figures.setdefault(key, [0, 0])
        raw_weighted[0] += n
        raw_weighted[1] += n if campaign is None else 1
    return figures


def _report_campaigns(draft: DraftPage) -> list[ReportCampaign]:
    """Campaigns with published members, largest first: one aggregate query, then one bounded
    query per campaign for the first few additions (a draft has a handful of campaigns)."""
    rows = (
        Comment.objects.filter(draft=draft, campaign__isnull=False, status__in=VISIBLE_STATUSES)
        .values_list("campaign_id", "stance")
        .annotate(n=Count("pk"), added=Count("pk", filter=~Q(campaign_addition="")))
        .order_by()
    )
    signers: Counter = Counter()
    added: Counter = Counter()
    stances: dict[int, dict[str, int]] = {}
    for campaign_id, stance, n, with_addition in rows:
        signers[campaign_id] += n
        added[campaign_id] += with_addition
        stances.setdefault(campaign_id, dict.fromkeys(Stance.values, 0))[stance] = n
    campaigns = Campaign.objects.in_bulk(list(signers))
    result = []
    for campaign_id, n in sorted(signers.items(), key=lambda item: (-item[1], item[0])):
        additions = []
        if added[campaign_id]:
            additions = list(
                Comment.objects.filter(campaign_id=campaign_id, status__in=VISIBLE_STATUSES)
                .exclude(campaign_addition="")
                .order_by("created_at", "pk")
                .values_list("campaign_addition", flat=True)[:REPORT_ADDITIONS]
            )
        result.append(
            ReportCampaign(
                campaign=campaigns[campaign_id],
                signers=n,
                with_additions=added[campaign_id],
                additions=additions,
                stances=stances[campaign_id],
            )
        )
    return result


def build_report(draft: DraftPage) -> Report:
    """The figures of the public report on how comments were handled (立法法 art. 40).

    Every count comes raw and with each mass campaign counted once. The number of queries does
    not grow with the comments: aggregates by article, by theme and by campaign, and the first
    few additions of each campaign."""
    visible = visible_comments(draft)
    commenters = (
        visible.exclude(author__isnull=True).values("author").distinct().count()
        + visible.filter(author__isnull=True).exclude(external_author="").values("external_author").distinct().count()
    )
    stance_split = dict(visible.order_by().values_list("stance").annotate(n=Count("pk")))
    by_provision = _raw_and_weighted(
        visible.order_by().values_list("provision_id", "campaign_id").annotate(n=Count("pk"))
    )
    whole_raw, whole_weighted = by_provision.pop(None, (0, 0))
    provisions = Provision.objects.in_bulk(list(by_provision))
    articles = sorted(
        (ArticleFigures(provisions[pk], raw, weighted) for pk, (raw, weighted) in by_provision.items()),
        key=lambda row: (-row.comments, row.provision.position),
    )
    members = ThemeMembership.objects.filter(theme__draft=draft, comment__status__in=VISIBLE_STATUSES).order_by()
    by_theme = _raw_and_weighted(members.values_list("theme_id", "comment__campaign_id").annotate(n=Count("pk")))
    theme_stances: dict[int, dict[str, int]] = {}
    for theme_id, stance, n in members.values_list("theme_id", "comment__stance").annotate(n=Count("pk")):
        theme_stances.setdefault(theme_id, dict.fromkeys(Stance.values, 0))[stance] = n
    themes = [
        ThemeSummary(
            theme=theme,
            size=by_theme.get(theme.pk, (0, 0))[0],
            stances=theme_stances.get(theme.pk, dict.fromkeys(Stance.values, 0)),
            weighted=by_theme.get(theme.pk, (0, 0))[1],
        )
        for theme in draft.themes.select_related("adopted_in__version", "provision")
    ]
    campaigns = _report_campaigns(draft)
    comments = sum(row.comments for row in articles) + whole_raw
    return Report(
        draft=draft,
        commenters=commenters,
        comments=comments,
        rejected=draft.comments.filter(status=CommentStatus.REJECTED).count(),
        stance_split={stance: stance_split.get(stance, 0) for stance in Stance.values},
        articles=articles,
        whole_draft=whole_raw,
        themes=themes,
        unthemed=visible.filter(themes__isnull=True).count(),
        weighted=comments - sum(c.signers for c in campaigns) + len(campaigns),
        whole_draft_weighted=whole_weighted,
        campaigns=campaigns,
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


# --- the legislators' review screens -----------------------------------------------------

REPRESENTATIVES = 3
TOP_ARTICLES = 3


@dataclass
class ThemeOverview:
    theme: Theme
    size: int
    weighted: int
    campaigns: list[tuple[int, int]]
    stances: dict[str, int]
    top_articles: list[tuple[Provision, int]]
    representatives: list[Comment]

    @property
    def campaign_comments(self) -> int:
        return sum(n for _campaign, n in self.campaigns)


def theme_overviews(*, draft: DraftPage, theme: Theme | None = None) -> list[ThemeOverview]:
    """Every theme of the draft (or only `theme`) with its raw and campaign-aware size,
    stance split, the articles its comments are on, and its representative comments."""
    from consultations import review

    fields = [
        "theme_id",
        "comment_id",
        "similarity",
        "comment__stance",
        "comment__provision_id",
        "comment__campaign_id",
    ]
    themes = draft.themes.select_related("provision", "adopted_in__version", "decided_by")
    memberships = ThemeMembership.objects.filter(theme__draft=draft, comment__status__in=VISIBLE_STATUSES)
    if theme is not None:
        themes = themes.filter(pk=theme.pk)
        memberships = memberships.filter(theme=theme)
    rows = memberships.order_by("comment__created_at", "comment_id").values_list(*fields)
    by_theme: dict[int, list[tuple]] = {}
    for row in rows:
        by_theme.setdefault(row[0], []).append(row)
    chosen: dict[int, list[int]] = {}
    provision_ids: set[int] = set()
    summaries = []
    for each in themes:
        members = by_theme.get(each.pk, [])
        campaigns = [row[5] for row in members]
        articles = review.top((row[4] for row in members), TOP_ARTICLES)
        provision_ids.update(pk for pk, _n in articles)
        visible = {row[1] for row in members}
        stored = [pk for pk in (each.representatives or []) if pk in visible]  # chosen by clustering, for coverage
        chosen[each.pk] = (
            stored[:REPRESENTATIVES]
            if stored
            else review.representatives(
                [
                    review.Candidate(pk=row[1], similarity=row[2], campaign=campaign, order=index)
                    for index, (row, campaign) in enumerate(zip(members, campaigns, strict=True))
                ],
                REPRESENTATIVES,
            )
        )
        summaries.append(
            (
                each,
                len(members),
                review.campaign_aware_count(campaigns),
                review.campaign_sizes(campaigns),
                review.split((row[3] for row in members), Stance.values),
                articles,
            )
        )
    provisions = Provision.objects.select_related("version").in_bulk(provision_ids)
    comments = Comment.objects.select_related("provision").in_bulk([pk for pks in chosen.values() for pk in pks])
    return [
        ThemeOverview(
            theme=each,
            size=size,
            weighted=weighted,
            campaigns=campaigns,
            stances=stances,
            top_articles=[(provisions[pk], n) for pk, n in articles if pk in provisions],
            representatives=[comments[pk] for pk in chosen[each.pk] if pk in comments],
        )
        for each, size, weighted, campaigns, stances, articles in summaries
    ]


@dataclass
class MemberRow:
    """One row of a theme's members: a comment, or a campaign shown once with its size."""

    kind: str
    comment: Comment
    similarity: float | None
    campaign_id: int | None = None
    comment_ids: list[int] = field(default_factory=list)

    @property
    def size(self) -> int:
        return len(self.comment_ids)


def theme_member_keys(theme: Theme) -> list[tuple[int, int | None, float | None]]:
    """(comment id, campaign id, similarity) of each member, closest to the theme first."""
    fields = ["comment_id", "similarity", "comment__campaign_id"]
    rows = theme.memberships.order_by(
        F("similarity").desc(nulls_last=True), "comment__created_at", "comment_id"
    ).values_list(*fields)
    return [(row[0], row[2], row[1]) for row in rows]


def theme_member_rows(theme: Theme) -> list[tuple[str, int, list[int]]]:
    """Members with each campaign collapsed into one row (see review.collapse_campaigns)."""
    from consultations import review

    return review.collapse_campaigns([(comment, campaign) for comment, campaign, _s in theme_member_keys(theme)])


def materialise_member_rows(theme: Theme, rows: list[tuple[str, int, list[int]]]) -> list[MemberRow]:
    """Load the comments one page of member rows shows."""
    first = [ids[0] for _kind, _key, ids in rows]
    similarity = dict(theme.memberships.filter(comment_id__in=first).values_list("comment_id", "similarity"))
    comments = Comment.objects.select_related("provision__version", "region").in_bulk(first)
    return [
        MemberRow(
            kind=kind,
            comment=comments[ids[0]],
            similarity=similarity.get(ids[0]),
            campaign_id=key if kind == "campaign" else None,
            comment_ids=ids,
        )
        for kind, key, ids in rows
        if ids[0] in comments
    ]


@dataclass
class ArticleOverview:
    provision: Provision
    current: bool
    comments: int
    weighted: int
    from_campaigns: int
    stances: dict[str, int]
    themes: list[tuple[Theme, int]]
    quotes: list[Comment]

    @property
    def campaign_percent(self) -> int:
        return round(100 * self.from_campaigns / self.comments) if self.comments else 0


def article_overviews(*, draft: DraftPage) -> list[ArticleOverview]:
    """For each article with comments: volume, campaign-aware volume and the share from
    campaigns, stance split, themes within it and representative quotes. Comments on an
    article of an earlier version count for the current article that descends from it."""
    from consultations import review

    version = draft.current_version
    current_articles = list(version.provisions.filter(kind__in=COMMENTABLE_KINDS)) if version else []
    owner: dict[int, Provision] = {}
    for article in current_articles:
        for ancestor in article.lineage():
            owner.setdefault(ancestor.pk, article)
    fields = ["pk", "provision_id", "stance", "campaign_id"]
    rows = visible_comments(draft).exclude(provision__isnull=True).order_by("created_at", "pk").values_list(*fields)
    groups: dict[int, list[tuple]] = {}
    old_provisions: set[int] = set()
    for row in rows:
        owning = owner.get(row[1])
        if owning is None:
            old_provisions.add(row[1])
        groups.setdefault(owning.pk if owning else row[1], []).append(row)
    provisions = {p.pk: p for p in current_articles}
    provisions.update(Provision.objects.select_related("version").in_bulk(old_provisions))
    memberships: dict[int, list[tuple[int, float | None]]] = {}
    for comment_id, theme_id, similarity in ThemeMembership.objects.filter(theme__draft=draft).values_list(
        "comment_id", "theme_id", "similarity"
    ):
        memberships.setdefault(comment_id, []).append((theme_id, similarity))
    themes = draft.themes.in_bulk()
    overviews = []
    quote_ids: list[int] = []
    for key, members in groups.items():
        campaigns = [row[3] for row in members]
        theme_counts = review.top(
            (theme_id for row in members for theme_id, _s in memberships.get(row[0], [])), len(themes) or 1
        )
        best: dict[int, review.Candidate] = {}
        unthemed: list[tuple[int | None, float | None]] = [(None, None)]
        for index, (row, campaign) in enumerate(zip(members, campaigns, strict=True)):
            for _theme_id, similarity in memberships.get(row[0], []) or unthemed:
                candidate = review.Candidate(pk=row[0], similarity=similarity, campaign=campaign, order=index)
                if row[0] not in best or (similarity or 0) > (best[row[0]].similarity or 0):
                    best[row[0]] = candidate
        picked = review.representatives(best.values(), REPRESENTATIVES)
        quote_ids.extend(picked)
        overviews.append(
            (
                provisions[key],
                members,
                campaigns,
                theme_counts,
                picked,
            )
        )
    comments = Comment.objects.select_related("provision").in_bulk(quote_ids)
    current_pks = {p.pk for p in current_articles}
    result = [
        ArticleOverview(
            provision=provision,
            current=provision.pk in current_pks,
            comments=len(members),
            weighted=review.campaign_aware_count(campaigns),
            from_campaigns=sum(1 for c in campaigns if c is not None),
            stances=review.split((row[2] for row in members), Stance.values),
            themes=[(themes[pk], n) for pk, n in theme_counts if pk in themes],
            quotes=[comments[pk] for pk in picked if pk in comments],
        )
        for provision, members, campaigns, theme_counts, picked in overviews
    ]
    result.sort(key=lambda o: (not o.current, o.provision.version_id, o.provision.position))
    return result


def comments_over_time(*, draft: DraftPage) -> list[tuple]:
    """Visible comments per day (or per week over long windows), empty days included."""
    from django.utils import timezone

    from core.charts import day_buckets

    moments = visible_comments(draft).values_list("created_at", flat=True)
    return day_buckets(timezone.localtime(moment).date() for moment in moments)


# --- full-text search within a draft's comments ------------------------------------------

SEARCH_FACETS = ("stance", "provision", "theme", "region", "status")


@dataclass
class FoundComment:
    comment: Comment
    highlight: str  # safe HTML from the search backend: the original text with <mark>s
    score: float


@dataclass
class CommentSearch:
    total: int
    found: list[FoundComment]
    facets: dict[str, list[tuple[str, str, int]]]  # facet → (value, label, count)
    terms: list[str]


def _facet_labels(draft: DraftPage, facets: dict[str, list[tuple[str, int]]]) -> dict[str, dict[str, str]]:
    from consultations.models import CommentStatus
    from regions.models import Region

    def ids(name: str) -> list[int]:
        return [int(value) for value, _n in facets.get(name, []) if str(value).isdigit()]

    provisions = Provision.objects.filter(version__draft=draft).select_related("version").in_bulk(ids("provision"))
    themes = draft.themes.in_bulk(ids("theme"))
    regions = Region.objects.in_bulk([value for value, _n in facets.get("region", [])])
    return {
        "stance": {value: str(label) for value, label in Stance.choices},
        "status": {value: str(label) for value, label in CommentStatus.choices},
        "provision": {str(pk): f"{p.version.label} {p.label}" for pk, p in provisions.items()},
        "theme": {str(pk): t.title for pk, t in themes.items()},
        "region": {code: region.full_name for code, region in regions.items()},
    }


def search_draft_comments(
    *, draft: DraftPage, text: str, filters: dict, offset: int = 0, limit: int = 20
) -> CommentSearch:
    """Search one draft's comments through the search backend; hits come back as comments of
    this draft (never another's), in the backend's order, with its highlighted snippets.

    Raises search.query.QueryError on a query the backend cannot run, and
    search.backends.base.SearchUnavailable when the search server cannot be reached."""
    from search.backends import get_backend
    from search.query import SearchQuery

    results = get_backend().search(
        SearchQuery(
            text=text,
            doc_types=("comment",),
            filters={**filters, "draft": draft.pk},
            facets=SEARCH_FACETS,
            offset=offset,
            limit=limit,
        )
    )
    comments = (
        Comment.objects.filter(draft=draft)
        .select_related("provision__version", "region")
        .in_bulk([hit.pk for hit in results.hits if hit.doc_type == "comment"])
    )
    found = [
        FoundComment(comment=comments[hit.pk], highlight=hit.highlight, score=hit.score)
        for hit in results.hits
        if hit.doc_type == "comment" and hit.pk in comments
    ]
    labels = _facet_labels(draft, results.facets)
    facets = {
        name: [
            (str(value), labels.get(name, {}).get(str(value), str(value)), count)
            for value, count in results.facets.get(name, [])
            if count
        ]
        for name in SEARCH_FACETS
    }
    return CommentSearch(total=results.total, found=found, facets=facets, terms=list(results.terms))


# --- campaigns ---------------------------------------------------------------------------

ADDITIONS_SHOWN = 5


@dataclass
class CampaignOverview:
    campaign: Campaign
    visible: int  # published members
    with_additions: int  # members whose author added something to the form text
    additions: list[Comment]  # the first few of them
    stances: dict[str, int]
    themes: list[tuple[Theme, int]]


def campaign_additions(campaign: Campaign) -> QuerySet[Comment]:
    """The campaign's published members whose authors added something of their own."""
    return (
        campaign.comments.filter(status__in=VISIBLE_STATUSES)
        .exclude(campaign_addition="")
        .select_related("provision__version", "region")
        .order_by("created_at", "pk")
    )


def campaign_overviews(*, campaigns: list[Campaign]) -> list[CampaignOverview]:
    """Each campaign with its published members' stance split, the themes they were grouped
    into, and the first of the additions individual signers wrote."""
    from consultations import review

    ids = [campaign.pk for campaign in campaigns]
    rows = Comment.objects.filter(campaign_id__in=ids, status__in=VISIBLE_STATUSES).values_list(
        "campaign_id", "stance", "campaign_addition"
    )
    stances: dict[int, list[str]] = {}
    with_additions: Counter = Counter()
    for campaign_id, stance, addition in rows:
        stances.setdefault(campaign_id, []).append(stance)
        with_additions[campaign_id] += bool(addition)
    theme_rows = (
        ThemeMembership.objects.filter(comment__campaign_id__in=ids, comment__status__in=VISIBLE_STATUSES)
        .values("comment__campaign_id", "theme_id")
        .annotate(n=Count("pk"))
        .order_by("-n")
    )
    themes = Theme.objects.in_bulk({row["theme_id"] for row in theme_rows})
    by_campaign: dict[int, list[tuple[Theme, int]]] = {}
    for row in theme_rows:
        by_campaign.setdefault(row["comment__campaign_id"], []).append((themes[row["theme_id"]], row["n"]))
    return [
        CampaignOverview(
            campaign=campaign,
            visible=len(stances.get(campaign.pk, [])),
            with_additions=with_additions[campaign.pk],
            additions=list(campaign_additions(campaign)[:ADDITIONS_SHOWN]),
            stances=review.split(stances.get(campaign.pk, []), Stance.values),
            themes=by_campaign.get(campaign.pk, []),
        )
        for campaign in campaigns
    ]
