"""Reads for legislative consultation: lists, article trees with counts, the public report."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.db.models import F, Q, QuerySet

from consultations import tallies
from consultations.diffing import ArticleDiff, diff_article
from consultations.matching import match_provisions
from consultations.models import (
    COMMENTABLE_KINDS,
    VISIBLE_STATUSES,
    Campaign,
    Comment,
    CommentStatus,
    CommentTally,
    Decision,
    DraftPage,
    DraftVersion,
    HourTally,
    Provision,
    Stance,
    Theme,
    ThemeMembership,
    ThemeTally,
)

STANCES = tuple(Stance.values)  # read once: `Stance.values` builds its list on every call


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
    """Published comments on each commentable provision of the version (tallied, not counted)."""
    ids = set(version.provisions.filter(kind__in=COMMENTABLE_KINDS).values_list("pk", flat=True))
    counts = tallies.sums(
        CommentTally, version.draft_id, ["provision_id"], status__in=VISIBLE_STATUSES, provision_id__isnull=False
    )
    return {pk: n for pk, n in counts.items() if pk in ids}


def visible_count(draft: DraftPage, *, provisions: list[int] | None = None, whole_draft: bool = False) -> int:
    """Published comments on the draft: all, on these provisions, or on the whole draft (tallied)."""
    filters: dict = {"status__in": VISIBLE_STATUSES}
    if provisions is not None:
        filters["provision_id__in"] = provisions
    if whole_draft:
        filters["provision_id__isnull"] = True
    return tallies.total(CommentTally, draft.pk, **filters)


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


def comments_on_whole_draft(draft: DraftPage) -> QuerySet[Comment]:
    """Visible comments on the draft as a whole, newest first (read through a partial index on the draft's
    whole-draft comments by date, so a page costs the same with 400,000 comments on the draft)."""
    return (
        Comment.objects.filter(draft=draft, provision__isnull=True, status__in=VISIBLE_STATUSES)
        .select_related("region__parent__parent__parent")
        .order_by("-created_at", "-pk")
    )


def comments_on_lineage(provision: Provision) -> QuerySet[Comment]:
    """Visible comments on this article and on the earlier articles it descends from (with the regions above
    each comment's, which its region's full name reads)."""
    return Comment.objects.filter(
        provision__in=[p.pk for p in provision.lineage()], status__in=VISIBLE_STATUSES
    ).select_related("provision__version", "region__parent__parent__parent")


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
REPORT_CAMPAIGNS = 20  # the largest campaigns the report's page lists one by one (the PDF lists every one)


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
    # the largest campaigns, read with their text and first additions: every one, unless the report was built
    # for a page that lists only the largest (`build_report(detailed_campaigns=…)`)
    campaigns: list[ReportCampaign] = field(default_factory=list)
    campaign_count: int = 0  # campaigns with published members, all of them
    from_campaigns: int = 0  # published comments that belong to a campaign, all of them

    @property
    def other_campaigns(self) -> int:
        """Campaigns not in `campaigns` (smaller than all of those)."""
        return self.campaign_count - len(self.campaigns)

    @property
    def other_campaign_signers(self) -> int:
        return self.from_campaigns - sum(campaign.signers for campaign in self.campaigns)

    @property
    def per_article(self) -> list[tuple[Provision, int]]:
        return [(row.provision, row.comments) for row in self.articles]


def _raw_and_weighted(rows) -> dict:
    """{key: [raw, weighted]} from (key, campaign id or None, n) rows: a campaign counts once."""
    figures: dict = {}
    for key, campaign, n in rows:
        raw_weighted = figures.setdefault(key, [0, 0])
        raw_weighted[0] += n
        raw_weighted[1] += n if campaign is None else 1
    return figures


def _first_addition_ids(campaign_ids: list[int], n: int) -> dict[int, list[int]]:
    """{campaign id: the ids of its first `n` additions (published members that added words of their own, oldest
    first)} for these campaigns, in one query however many campaigns: for each campaign, `n` lookups of the index
    of campaigns' published additions by date (`comment_campaign_additions`), so a campaign of 30,000 copies costs
    what one of three does."""
    from django.db.models import OuterRef, Subquery

    earliest = (
        Comment.objects.filter(campaign_id=OuterRef("pk"), status__in=VISIBLE_STATUSES)
        .exclude(campaign_addition="")
        .order_by("created_at", "pk")
        .values("pk")
    )
    names = [f"addition_{i}" for i in range(n)]
    rows = (
        Campaign.objects.filter(pk__in=campaign_ids)
        .annotate(**{name: Subquery(earliest[i : i + 1]) for i, name in enumerate(names)})
        .values_list("pk", *names)
        .order_by()
    )
    return {pk: [comment for comment in ids if comment is not None] for pk, *ids in rows}


def first_additions(campaign_ids, n: int) -> dict[int, list[Comment]]:
    """{campaign id: its first `n` additions, as comments} for these campaigns (two queries)."""
    ids = list(campaign_ids)
    if not ids or n <= 0:
        return {}
    chosen = _first_addition_ids(ids, n)
    comments = Comment.objects.select_related("provision__version", "region").in_bulk(
        [pk for pks in chosen.values() for pk in pks]
    )
    return {campaign: [comments[pk] for pk in pks if pk in comments] for campaign, pks in chosen.items()}


def first_addition_texts(campaign_ids, n: int) -> dict[int, list[str]]:
    """{campaign id: the words of its first `n` additions} for these campaigns (two queries)."""
    ids = list(campaign_ids)
    if not ids or n <= 0:
        return {}
    chosen = _first_addition_ids(ids, n)
    texts = dict(
        Comment.objects.filter(pk__in=[pk for pks in chosen.values() for pk in pks]).values_list(
            "pk", "campaign_addition"
        )
    )
    return {campaign: [texts[pk] for pk in pks if pk in texts] for campaign, pks in chosen.items()}


def _report_campaigns(draft: DraftPage, rows: dict, detailed: int | None) -> tuple[list[ReportCampaign], Counter]:
    """The `detailed` largest campaigns with published members (all when None), largest first, with their first
    few additions, from the draft's tallied rows: the campaigns in one query, their additions in two (none
    when `detailed` is 0); and the published members of every campaign ({campaign id: n}, from the tallies)."""
    signers: Counter = Counter()
    added: Counter = Counter()
    stances: dict[int, dict[str, int]] = {}
    for (_provision, campaign_id, status, stance, _themed, with_addition), n in rows.items():
        if campaign_id is None or status not in VISIBLE_STATUSES:
            continue
        signers[campaign_id] += n
        added[campaign_id] += n if with_addition else 0
        split = stances.get(campaign_id)
        if split is None:
            split = stances[campaign_id] = dict.fromkeys(STANCES, 0)
        split[stance] = split.get(stance, 0) + n
    ranked = sorted(signers.items(), key=lambda item: (-item[1], item[0]))
    wanted = ranked if detailed is None else ranked[:detailed]
    if not wanted:
        return [], signers
    if detailed is None:  # every campaign: by the draft's index, not a list of thousands of ids
        campaigns = {campaign.pk: campaign for campaign in Campaign.objects.filter(draft=draft).order_by()}
    else:
        campaigns = Campaign.objects.in_bulk([campaign_id for campaign_id, _n in wanted])
    wanted = [(campaign_id, n) for campaign_id, n in wanted if campaign_id in campaigns]  # else deleted meanwhile
    additions = first_addition_texts(
        [campaign_id for campaign_id, _n in wanted if added[campaign_id]], REPORT_ADDITIONS
    )
    return [
        ReportCampaign(
            campaign=campaigns[campaign_id],
            signers=n,
            with_additions=added[campaign_id],
            additions=additions.get(campaign_id, []),
            stances=stances[campaign_id],
        )
        for campaign_id, n in wanted
    ], signers


@dataclass
class ReviewFigures:
    """The few figures the review overview states above its themes."""

    commenters: int
    comments: int  # published comments
    unthemed: int  # of them, in no theme
    stance_split: dict[str, int]


def review_figures(draft: DraftPage) -> ReviewFigures:
    """The overview's figures from the tallies summed by status, stance and theme alone (a few dozen rows, where
    the report's breakdown by article and campaign is tens of thousands at 400,000 comments)."""
    rows = tallies.sums(CommentTally, draft.pk, ["stance", "themed"], status__in=VISIBLE_STATUSES)
    stance_split: Counter = Counter()
    unthemed = 0
    for (stance, themed), n in rows.items():
        stance_split[stance] += n
        unthemed += 0 if themed else n
    return ReviewFigures(
        commenters=tallies.commenters(draft.pk),
        comments=sum(stance_split.values()),
        unthemed=unthemed,
        stance_split={stance: stance_split.get(stance, 0) for stance in STANCES},
    )


def build_report(draft: DraftPage, *, detailed_campaigns: int | None = None) -> Report:
    """The figures of the public report on how comments were handled (立法法 art. 40).

    Every count comes raw and with each mass campaign counted once. Nothing is counted over the
    comments: the figures are sums of the draft's tallies (consultations.tallies), one query for the
    comments, one for the themes, one for the people; then the `detailed_campaigns` largest campaigns (every
    one when None: the PDF and the API list them all) with their first few additions, in three more (none when
    0: a screen that shows only the figures). Every campaign is in the figures (`weighted`, `campaign_count`,
    `from_campaigns`) whichever are listed."""
    rows = tallies.sums(CommentTally, draft.pk, ["provision_id", "campaign_id", "status", "stance", "themed", "added"])
    stance_split: Counter = Counter()
    by_provision_rows: Counter = Counter()
    rejected = unthemed = 0
    for (provision_id, campaign_id, status, stance, themed, _added), n in rows.items():
        if status == CommentStatus.REJECTED:
            rejected += n
        if status not in VISIBLE_STATUSES:
            continue
        stance_split[stance] += n
        by_provision_rows[(provision_id, campaign_id)] += n
        unthemed += 0 if themed else n
    by_provision = _raw_and_weighted((p, c, n) for (p, c), n in by_provision_rows.items())
    whole_raw, whole_weighted = by_provision.pop(None, (0, 0))
    provisions = Provision.objects.in_bulk(list(by_provision))
    articles = sorted(
        (
            ArticleFigures(provisions[pk], raw, weighted)
            for pk, (raw, weighted) in by_provision.items()
            if pk in provisions
        ),
        key=lambda row: (-row.comments, row.provision.position),
    )
    theme_rows = tallies.sums(ThemeTally, draft.pk, ["theme_id", "campaign_id", "stance"], status__in=VISIBLE_STATUSES)
    by_theme_rows: Counter = Counter()
    theme_stances: dict[int, dict[str, int]] = {}
    for (theme_id, campaign_id, stance), n in theme_rows.items():
        by_theme_rows[(theme_id, campaign_id)] += n
        split = theme_stances.setdefault(theme_id, dict.fromkeys(STANCES, 0))
        split[stance] = split.get(stance, 0) + n
    by_theme = _raw_and_weighted((t, c, n) for (t, c), n in by_theme_rows.items())
    themes = [
        ThemeSummary(
            theme=theme,
            size=by_theme.get(theme.pk, (0, 0))[0],
            stances=theme_stances.get(theme.pk, dict.fromkeys(STANCES, 0)),
            weighted=by_theme.get(theme.pk, (0, 0))[1],
        )
        for theme in draft.themes.select_related("adopted_in__version", "provision")
    ]
    campaigns, signers = _report_campaigns(draft, rows, detailed_campaigns)
    comments = sum(row.comments for row in articles) + whole_raw
    return Report(
        draft=draft,
        commenters=tallies.commenters(draft.pk),
        comments=comments,
        rejected=rejected,
        stance_split={stance: stance_split.get(stance, 0) for stance in STANCES},
        articles=articles,
        whole_draft=whole_raw,
        themes=themes,
        unthemed=unthemed,
        weighted=comments - sum(signers.values()) + len(signers),
        whole_draft_weighted=whole_weighted,
        campaigns=campaigns,
        campaign_count=len(signers),
        from_campaigns=sum(signers.values()),
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


def theme_overviews(
    *, draft: DraftPage, theme: Theme | None = None, themes: list[int] | None = None
) -> list[ThemeOverview]:
    """Every theme of the draft (or only `theme`, or those of ids `themes`: a page of them) with its raw and
    campaign-aware size, stance split, the articles its comments are on, and its representative comments.

    The figures are sums of the theme tallies (one query, however many comments); the representatives
    are those clustering stored, or the closest members of the themes without them (one bounded query)."""

    wanted = [theme.pk] if theme is not None else themes
    chosen_themes = draft.themes.select_related("provision", "adopted_in__version", "decided_by")
    filters: dict = {"status__in": VISIBLE_STATUSES}
    if wanted is not None:
        chosen_themes = chosen_themes.filter(pk__in=wanted)
        filters["theme_id__in"] = wanted
    themes_read = list(chosen_themes)
    rows = tallies.sums(ThemeTally, draft.pk, ["theme_id", "provision_id", "campaign_id", "stance"], **filters)
    by_theme: dict[int, list[tuple]] = {}
    for (theme_id, provision_id, campaign_id, stance), n in rows.items():
        by_theme.setdefault(theme_id, []).append((provision_id, campaign_id, stance, n))
    chosen = theme_representatives(themes_read)
    provision_ids: set[int] = set()
    summaries = []
    for each in themes_read:
        members = by_theme.get(each.pk, [])
        campaigns: Counter = Counter()
        articles: Counter = Counter()
        stances: Counter = Counter()
        singles = 0
        for provision_id, campaign_id, stance, n in members:
            if campaign_id is None:
                singles += n
            else:
                campaigns[campaign_id] += n
            if provision_id is not None:
                articles[provision_id] += n
            stances[stance] += n
        top = sorted(articles.items(), key=lambda item: (-item[1], item[0]))[:TOP_ARTICLES]
        provision_ids.update(pk for pk, _n in top)
        summaries.append(
            (
                each,
                singles + sum(campaigns.values()),
                singles + len(campaigns),
                sorted(campaigns.items(), key=lambda item: (-item[1], item[0])),
                {key: stances.get(key, 0) for key in STANCES},
                top,
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
            top_articles=[(provisions[pk], n) for pk, n in top if pk in provisions],
            representatives=[comments[pk] for pk in chosen.get(each.pk, []) if pk in comments],
        )
        for each, size, weighted, campaigns, stances, top in summaries
    ]


REPRESENTATIVE_CANDIDATES = 100


def theme_representatives(themes: list[Theme]) -> dict[int, list[int]]:
    """The comments (ids) that stand for each theme, published ones only: those clustering chose and stored
    (coverage of the theme's sides), else the closest members, one per campaign, earliest on ties.

    Two queries whatever the number of themes and comments: the stored ones' statuses, and the first
    REPRESENTATIVE_CANDIDATES members of each theme without them (a window over the membership index)."""
    from django.db.models import Window
    from django.db.models.functions import RowNumber

    from consultations import review

    stored_ids = {pk for each in themes for pk in (each.representatives or [])}
    # looked up by id (the status checked here: filtered by status, the planner would rather scan an index of
    # every published comment for these few thousand ids)
    visible = {
        pk
        for pk, status in (Comment.objects.filter(pk__in=stored_ids).values_list("pk", "status") if stored_ids else [])
        if status in VISIBLE_STATUSES
    }
    chosen: dict[int, list[int]] = {}
    missing = []
    for each in themes:
        stored = [pk for pk in (each.representatives or []) if pk in visible]
        if stored:
            chosen[each.pk] = stored[:REPRESENTATIVES]
        else:
            missing.append(each.pk)
    if missing:
        order = [F("similarity").desc(nulls_last=True), F("comment_id").asc()]
        candidates = (
            ThemeMembership.objects.filter(theme_id__in=missing, comment__status__in=VISIBLE_STATUSES)
            .annotate(rank=Window(RowNumber(), partition_by=[F("theme_id")], order_by=order))
            .filter(rank__lte=REPRESENTATIVE_CANDIDATES)
            .values_list("theme_id", "comment_id", "similarity", "comment__campaign_id", "rank")
        )
        by_theme: dict[int, list[review.Candidate]] = {}
        for theme_id, comment_id, similarity, campaign_id, rank in candidates:
            by_theme.setdefault(theme_id, []).append(
                review.Candidate(pk=comment_id, similarity=similarity, campaign=campaign_id, order=rank)
            )
        for theme_id in missing:
            chosen[theme_id] = review.representatives(by_theme.get(theme_id, []), REPRESENTATIVES)
    return chosen


@dataclass
class MemberRow:
    """One row of a theme's members: a comment, or a campaign shown once with its size."""

    kind: str
    comment: Comment
    similarity: float | None
    campaign_id: int | None = None
    size: int = 1  # comments of the campaign in this theme (1 for a comment)


MEMBER_ORDER = (F("similarity").desc(nulls_last=True), F("comment_id").asc())


def theme_member_rows(theme: Theme) -> tuple[QuerySet, int, dict[int, int]]:
    """A theme's members as its page lists them, closest to the theme first, each campaign collapsed into
    one row placed where its closest member is: (rows to slice a page from, how many rows, comments per
    campaign in the theme).

    Nothing loads every member: the count comes from the theme tallies, every campaign's place from one query
    (a window over the theme's members that belong to a campaign: each campaign's closest), and a page is one
    slice of the membership index (PostgreSQL: `membership_order`)."""
    from django.db.models import Window
    from django.db.models.functions import RowNumber

    campaigns = tallies.sums(ThemeTally, theme.draft_id, ["campaign_id"], theme_id=theme.pk)
    singles = campaigns.pop(None, 0)
    leaders = []
    if campaigns:
        leaders = list(
            theme.memberships.filter(comment__campaign_id__isnull=False)
            .annotate(place=Window(RowNumber(), partition_by=[F("comment__campaign_id")], order_by=list(MEMBER_ORDER)))
            .filter(place=1)
            .values_list("comment_id", flat=True)
            .order_by()
        )
    rows = (
        theme.memberships.filter(Q(comment__campaign_id__isnull=True) | Q(comment_id__in=leaders))
        .order_by(*MEMBER_ORDER)
        .values_list("comment_id", "similarity", "comment__campaign_id")
    )
    return rows, singles + len(leaders), campaigns


def materialise_member_rows(
    rows: list[tuple[int, float | None, int | None]], campaigns: dict[int, int]
) -> list[MemberRow]:
    """Load the comments one page of member rows shows."""
    comments = Comment.objects.select_related("provision__version", "region").in_bulk([row[0] for row in rows])
    return [
        MemberRow(
            kind="comment" if campaign_id is None else "campaign",
            comment=comments[comment_id],
            similarity=similarity,
            campaign_id=campaign_id,
            size=1 if campaign_id is None else campaigns.get(campaign_id, 1),
        )
        for comment_id, similarity, campaign_id in rows
        if comment_id in comments
    ]


def theme_campaign_members(theme: Theme, campaigns: set[int]) -> list[int]:
    """The theme's members that belong to these campaigns (to split whole campaigns off)."""
    return list(theme.memberships.filter(comment__campaign_id__in=campaigns).values_list("comment_id", flat=True))


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
    article of an earlier version count for the current article that descends from it.

    Counts are sums of the tallies; quotes are the representatives of the article's themes that
    are on it, then its earliest comments outside campaigns (one query for all articles)."""
    version = draft.current_version
    articles = {
        p.pk: p
        for p in Provision.objects.filter(version__draft=draft, kind__in=COMMENTABLE_KINDS).select_related("version")
    }
    current_pks = {pk for pk, p in articles.items() if version is not None and p.version_id == version.pk}
    owner: dict[int, int] = {}  # provision → the current article it descends into (else itself)
    for pk in sorted(current_pks, key=lambda pk: articles[pk].position):
        node, seen = articles.get(pk), set()
        while node is not None and node.pk not in seen:
            seen.add(node.pk)
            owner.setdefault(node.pk, pk)
            node = articles.get(node.predecessor_id) if node.predecessor_id else None
    rows = tallies.sums(
        CommentTally,
        draft.pk,
        ["provision_id", "campaign_id", "stance"],
        status__in=VISIBLE_STATUSES,
        provision_id__isnull=False,
    )
    groups: dict[int, dict] = {}
    for (provision_id, campaign_id, stance), n in rows.items():
        key = owner.get(provision_id, provision_id)
        group = groups.setdefault(
            key, {"comments": 0, "singles": 0, "campaigns": set(), "from_campaigns": 0, "stances": Counter()}
        )
        group["comments"] += n
        group["stances"][stance] += n
        if campaign_id is None:
            group["singles"] += n
        else:
            group["campaigns"].add(campaign_id)
            group["from_campaigns"] += n
    theme_rows = tallies.sums(
        ThemeTally, draft.pk, ["provision_id", "theme_id"], status__in=VISIBLE_STATUSES, provision_id__isnull=False
    )
    theme_counts: dict[int, Counter] = {}
    for (provision_id, theme_id), n in theme_rows.items():
        theme_counts.setdefault(owner.get(provision_id, provision_id), Counter())[theme_id] += n
    themes = draft.themes.in_bulk()
    missing = {pk for pk in groups if pk not in articles}
    if missing:  # comments on provisions of another kind or version not loaded above
        articles.update(Provision.objects.select_related("version").in_bulk(missing))
    quotes = _article_quotes(draft, groups, owner, theme_counts, themes)
    result = [
        ArticleOverview(
            provision=articles[key],
            current=key in current_pks,
            comments=group["comments"],
            weighted=group["singles"] + len(group["campaigns"]),
            from_campaigns=group["from_campaigns"],
            stances={stance: group["stances"].get(stance, 0) for stance in STANCES},
            themes=[
                (themes[pk], n)
                for pk, n in sorted(theme_counts.get(key, {}).items(), key=lambda item: (-item[1], item[0]))
                if pk in themes
            ],
            quotes=quotes.get(key, []),
        )
        for key, group in groups.items()
        if key in articles
    ]
    result.sort(key=lambda o: (not o.current, o.provision.version_id, o.provision.position))
    return result


QUOTED_THEMES = 10  # an article's largest themes whose representatives may quote it (900 themes at 400,000 comments)


def _article_quotes(draft, groups: dict, owner: dict, theme_counts: dict, themes: dict) -> dict[int, list[Comment]]:
    """Up to REPRESENTATIVES quotes per article: its themes' representatives that are on it (largest theme
    first, of its QUOTED_THEMES largest), then its earliest comments outside campaigns; one per campaign. Three
    queries for all articles."""
    from django.db.models import OuterRef, Subquery

    quoted = {
        theme_id
        for counts in theme_counts.values()
        for theme_id, _n in sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:QUOTED_THEMES]
    }
    representatives = theme_representatives([themes[pk] for pk in quoted if pk in themes]) if themes else {}
    provisions = [pk for pk, key in owner.items() if key in groups] + [pk for pk in groups if pk not in owner]
    earliest = Comment.objects.filter(
        provision_id=OuterRef("pk"), status__in=VISIBLE_STATUSES, campaign__isnull=True
    ).order_by("created_at", "pk")
    firsts = (
        Provision.objects.filter(pk__in=provisions)
        .annotate(**{f"q{i}": Subquery(earliest.values("pk")[i : i + 1]) for i in range(REPRESENTATIVES)})
        .values_list("pk", *(f"q{i}" for i in range(REPRESENTATIVES)))
    )
    early: dict[int, list[int]] = {}
    for pk, *ids in firsts:
        early.setdefault(owner.get(pk, pk), []).extend(i for i in ids if i is not None)
    wanted = {pk for ids in representatives.values() for pk in ids} | {pk for ids in early.values() for pk in ids}
    comments = Comment.objects.select_related("provision").in_bulk(wanted)
    result: dict[int, list[Comment]] = {}
    for key in groups:
        picked: list[Comment] = []
        seen_campaigns: set[int] = set()
        ranked = sorted(theme_counts.get(key, {}).items(), key=lambda item: (-item[1], item[0]))
        candidates = [pk for theme_id, _n in ranked for pk in representatives.get(theme_id, [])]
        candidates += sorted(
            (pk for pk in early.get(key, []) if pk in comments), key=lambda pk: (comments[pk].created_at, pk)
        )
        for pk in dict.fromkeys(candidates):
            comment = comments.get(pk)
            if comment is None or owner.get(comment.provision_id, comment.provision_id) != key:
                continue
            if comment.campaign_id is not None:
                if comment.campaign_id in seen_campaigns:
                    continue
                seen_campaigns.add(comment.campaign_id)
            picked.append(comment)
            if len(picked) == REPRESENTATIVES:
                break
        result[key] = picked
    return result


def comments_over_time(*, draft: DraftPage) -> list[tuple]:
    """Visible comments per day (or per week over long windows), empty days included, from the hourly tally
    (days in the site's time zone)."""
    from django.utils import timezone

    from core.charts import day_buckets

    days: Counter = Counter()
    for hour, n in tallies.sums(HourTally, draft.pk, ["hour"]).items():
        days[timezone.localtime(hour).date()] += n
    return day_buckets(days)  # a Counter of days counts each day as often as it says


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
    estimated: bool = False  # the total and the facet counts are estimates (search.backends.bounded)
    ranked: int | None = None  # how many matches were ranked, when not all


def _facet_labels(draft: DraftPage, facets: dict[str, list[tuple[str, int]]]) -> dict[str, dict[str, str]]:
    from consultations.models import CommentStatus
    from regions.models import Region

    def ids(name: str) -> list[int]:
        return [int(value) for value, _n in facets.get(name, []) if str(value).isdigit()]

    provisions = Provision.objects.filter(version__draft=draft).select_related("version").in_bulk(ids("provision"))
    themes = draft.themes.in_bulk(ids("theme"))
    regions = Region.objects.select_related("parent__parent__parent").in_bulk(
        [value for value, _n in facets.get("region", [])]
    )
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
    return CommentSearch(
        total=results.total,
        found=found,
        facets=facets,
        terms=list(results.terms),
        estimated=results.estimated,
        ranked=results.ranked,
    )


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
    into, and the first of the additions individual signers wrote: two sums of the tallies, the themes,
    then one query for the first additions of every campaign shown (`first_additions`)."""
    if not campaigns:
        return []
    ids = [campaign.pk for campaign in campaigns]
    draft_ids = {campaign.draft_id for campaign in campaigns}
    rows = tallies.sums(
        CommentTally, draft_ids, ["campaign_id", "stance", "added"], status__in=VISIBLE_STATUSES, campaign_id__in=ids
    )
    visible: Counter = Counter()
    with_additions: Counter = Counter()
    stances: dict[int, Counter] = {}
    for (campaign_id, stance, added), n in rows.items():
        visible[campaign_id] += n
        with_additions[campaign_id] += n if added else 0
        stances.setdefault(campaign_id, Counter())[stance] += n
    theme_rows = tallies.sums(
        ThemeTally, draft_ids, ["campaign_id", "theme_id"], status__in=VISIBLE_STATUSES, campaign_id__in=ids
    )
    themes = Theme.objects.in_bulk({theme_id for _campaign, theme_id in theme_rows})
    by_campaign: dict[int, list[tuple[Theme, int]]] = {}
    for (campaign_id, theme_id), n in sorted(theme_rows.items(), key=lambda item: (-item[1], item[0])):
        if theme_id in themes:
            by_campaign.setdefault(campaign_id, []).append((themes[theme_id], n))
    additions = first_additions([pk for pk in ids if with_additions[pk]], ADDITIONS_SHOWN)
    return [
        CampaignOverview(
            campaign=campaign,
            visible=visible[campaign.pk],
            with_additions=with_additions[campaign.pk],
            additions=additions.get(campaign.pk, []),
            stances={stance: stances.get(campaign.pk, Counter()).get(stance, 0) for stance in STANCES},
            themes=by_campaign.get(campaign.pk, []),
        )
        for campaign in campaigns
    ]
