"""Drafts open for public comment, their versions and articles, comments, and the themes answered."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.search import index

from consultations.admin_forms import DraftPageForm

MINIMUM_WINDOW_DAYS = 30  # 立法法 art. 40; 重大行政决策程序暂行条例 art. 15


class ConsultationIndexPage(Page):
    """The list of drafts open, upcoming and closed."""

    intro = RichTextField(_("introduction"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["home.HomePage"]
    subpage_types = ["consultations.DraftPage"]
    max_count = 1

    class Meta:
        verbose_name = _("consultation index")

    def get_context(self, request, *args, **kwargs):
        from consultations.selectors import list_drafts

        context = super().get_context(request, *args, **kwargs)
        context["drafts"] = list_drafts(index=self)
        return context


class DraftStatus(models.TextChoices):
    UPCOMING = "upcoming", _("Upcoming")
    OPEN = "open", _("Open for comment")
    CLOSED = "closed", _("Closed")
    REPORT_PUBLISHED = "report_published", _("Report published")


class ModerationMode(models.TextChoices):
    PRE = "pre", _("Pre-moderation: comments appear once approved")
    POST = "post", _("Post-moderation: comments appear at once and are reviewed after")


class DraftPage(RoutablePageMixin, Page):
    """A draft law or regulation put out for comment (法规草案征求意见)."""

    drafting_body = models.CharField(_("drafting body"), max_length=120)
    summary = models.TextField(_("summary"), blank=True)
    explanatory_note = RichTextField(_("explanatory note"), blank=True, help_text=_("草案说明"))
    opens_at = models.DateTimeField(_("comments open"))
    closes_at = models.DateTimeField(_("comments close"))
    jurisdiction = models.ForeignKey(
        "regions.Region",
        verbose_name=_("jurisdiction"),
        on_delete=models.PROTECT,
        related_name="drafts",
        help_text=_("Legislators of this region manage the consultation."),
    )
    moderation = models.CharField(
        _("moderation"), max_length=4, choices=ModerationMode.choices, default=ModerationMode.POST
    )
    report_statement = RichTextField(
        _("report statement"), blank=True, help_text=_("The overall account of how the comments were handled.")
    )

    # Page search (admin and site) also reads the summary and the explanatory note, segmented.
    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("explanatory_note"),
        index.SearchField("drafting_body"),
    ]

    content_panels = [
        *Page.content_panels,
        FieldPanel("drafting_body"),
        FieldPanel("jurisdiction"),
        FieldPanel("summary"),
        FieldPanel("explanatory_note"),
        MultiFieldPanel(
            [FieldRowPanel([FieldPanel("opens_at"), FieldPanel("closes_at")]), FieldPanel("moderation")],
            heading=_("Comment window"),
        ),
        FieldPanel("report_statement"),
    ]
    parent_page_types = ["consultations.ConsultationIndexPage"]
    subpage_types: list[str] = []
    base_form_class = DraftPageForm

    class Meta:
        verbose_name = _("draft")
        verbose_name_plural = _("drafts")

    def clean(self) -> None:
        super().clean()
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            raise ValidationError({"closes_at": _("The window must close after it opens.")})

    def get_view_restrictions(self):
        """Wagtail's, asked on every view of the draft, its comment address and its live counts: no query while no
        page of the site has a view restriction (core.restrictions)."""
        from wagtail.models import PageViewRestriction

        from core.restrictions import any_page_restricted

        if not any_page_restricted():
            return PageViewRestriction.objects.none()
        return super().get_view_restrictions()

    @property
    def report_published_at(self):
        publication = getattr(self, "report_publication", None)  # one query, then cached on the instance
        return publication.published_at if publication else None

    def status_at(self, moment) -> DraftStatus:
        if self.report_published_at:
            return DraftStatus.REPORT_PUBLISHED
        if moment < self.opens_at:
            return DraftStatus.UPCOMING
        if moment < self.closes_at:
            return DraftStatus.OPEN
        return DraftStatus.CLOSED

    @property
    def status(self) -> DraftStatus:
        return self.status_at(timezone.now())

    @property
    def is_open(self) -> bool:
        return self.status == DraftStatus.OPEN

    @property
    def window(self) -> timedelta:
        return self.closes_at - self.opens_at

    @property
    def window_is_short(self) -> bool:
        """Shorter than the 30 days the law expects for public comment."""
        return self.window < timedelta(days=MINIMUM_WINDOW_DAYS)

    @property
    def current_version(self) -> DraftVersion | None:
        return self.versions.order_by("-number").first()

    # Public routes; the views themselves live in views.py.
    @path("")
    def draft_home(self, request):
        from consultations import views

        return views.draft_home(request, self)

    @path("comment/", name="comment")
    def comment(self, request):
        from consultations import views

        return views.submit_comment(request, self)

    @path("articles/<int:provision_id>/", name="article")
    def article(self, request, provision_id: int):
        from consultations import views

        return views.article_detail(request, self, provision_id)

    @path("compare/", name="compare")
    def compare(self, request):
        from consultations import views

        return views.compare_versions(request, self)

    @path("report/", name="report")
    def report(self, request):
        from consultations import views

        return views.public_report(request, self)

    @path("report/pdf/", name="report_pdf")
    def report_pdf(self, request):
        from consultations import views

        return views.public_report_pdf(request, self)

    @path("export/", name="export")
    def export(self, request):
        from consultations import views

        return views.export_comments(request, self)

    @path("export/files/<int:export_id>/", name="export_file")
    def export_file(self, request, export_id):
        from consultations import views

        return views.export_file(request, self, export_id)

    @path("open-data/<str:fmt>/", name="open_data")
    def open_data(self, request, fmt):
        from consultations import views

        return views.open_data(request, self, fmt)


class ReportPublication(models.Model):
    """The publication of a draft's handling report. Kept apart from the page so that
    publishing a new revision of the page never unpublishes the report."""

    draft = models.OneToOneField(DraftPage, on_delete=models.CASCADE, related_name="report_publication")
    published_at = models.DateTimeField(_("published"), default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("report publication")

    def __str__(self) -> str:
        return f"{self.draft} · {self.published_at:%Y-%m-%d}"


class DraftVersion(models.Model):
    """One reading of a draft (一审稿, 二审稿 …), imported from its text into provisions."""

    draft = models.ForeignKey(DraftPage, verbose_name=_("draft"), on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField(_("number"))
    label = models.CharField(_("label"), max_length=40, help_text=_("e.g. 一审稿, 二审稿"))
    title = models.CharField(_("title in the text"), max_length=200, blank=True)
    preamble = models.TextField(_("preamble"), blank=True)
    source_text = models.TextField(_("source text"))
    structure = models.JSONField(_("structure"), default=dict)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        ordering = ["draft", "number"]
        verbose_name = _("draft version")
        verbose_name_plural = _("draft versions")
        constraints = [models.UniqueConstraint(fields=["draft", "number"], name="unique_version_number")]

    def __str__(self) -> str:
        return f"{self.draft.title} · {self.label}"

    @property
    def previous(self) -> DraftVersion | None:
        return self.draft.versions.filter(number__lt=self.number).order_by("-number").first()


class ProvisionKind(models.TextChoices):
    PART = "part", _("Part (编)")
    CHAPTER = "chapter", _("Chapter (章)")
    SECTION = "section", _("Section (节)")
    ARTICLE = "article", _("Article (条)")
    ITEM = "item", _("Item")


COMMENTABLE_KINDS = frozenset({ProvisionKind.ARTICLE, ProvisionKind.ITEM})


class Provision(models.Model):
    """A node of a version's structure: a 编/章/节 heading, or a commentable article or item.

    `predecessor` links an article to the article of the previous version it descends from,
    matched by content, so comments and answers follow an article across renumbering.
    """

    version = models.ForeignKey(
        DraftVersion, verbose_name=_("version"), on_delete=models.CASCADE, related_name="provisions"
    )
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")
    kind = models.CharField(_("kind"), max_length=8, choices=ProvisionKind.choices)
    number = models.PositiveIntegerField(_("number"))
    sub_number = models.PositiveSmallIntegerField(default=0)
    label = models.CharField(_("label"), max_length=40)
    heading = models.CharField(_("heading"), max_length=200, blank=True)
    text = models.TextField(_("text"), blank=True)
    position = models.PositiveIntegerField(_("position"))
    predecessor = models.ForeignKey(
        "self",
        verbose_name=_("descends from"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="successors",
    )
    match_similarity = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["version", "position"]
        verbose_name = _("provision")
        verbose_name_plural = _("provisions")
        constraints = [models.UniqueConstraint(fields=["version", "position"], name="unique_provision_position")]
        indexes = [models.Index(fields=["version", "kind", "number"])]

    def __str__(self) -> str:
        return f"{self.label} {self.heading}".strip()

    @property
    def is_commentable(self) -> bool:
        return self.kind in COMMENTABLE_KINDS

    @property
    def paragraphs(self) -> list[str]:
        return [paragraph for paragraph in self.text.split("\n") if paragraph]

    def lineage(self) -> list[Provision]:
        """This provision and the ones it descends from, newest first."""
        chain: list[Provision] = []
        node: Provision | None = self
        while node is not None and node not in chain:
            chain.append(node)
            node = node.predecessor
        return chain


class Stance(models.TextChoices):
    SUPPORT = "support", _("Support")
    OPPOSE = "oppose", _("Oppose")
    AMEND = "amend", _("Suggest a change")
    UNSTATED = "unstated", _("Not stated")


class Sector(models.TextChoices):
    INDIVIDUAL = "individual", _("Individual")
    ENTERPRISE = "enterprise", _("Enterprise")
    SOCIAL_ORGANISATION = "social_organisation", _("Social organisation")
    ACADEMIC = "academic", _("Academic or legal professional")
    PUBLIC_BODY = "public_body", _("Public body")
    OTHER = "other", _("Other")


class CommentStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting moderation")
    PUBLISHED = "published", _("Published, not yet reviewed")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


VISIBLE_STATUSES = frozenset({CommentStatus.PUBLISHED, CommentStatus.APPROVED})
MODERATABLE_STATUSES = frozenset({CommentStatus.PENDING, CommentStatus.PUBLISHED})


class Comment(models.Model):
    """A comment from the public on a whole draft or on one article or item."""

    draft = models.ForeignKey(DraftPage, verbose_name=_("draft"), on_delete=models.CASCADE, related_name="comments")
    provision = models.ForeignKey(
        Provision,
        verbose_name=_("article"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="comments",
        help_text=_("Empty for a comment on the whole draft."),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="draft_comments",
    )
    external_author = models.CharField(
        _("external author"), max_length=80, blank=True, help_text=_("Author id in imported data.")
    )
    source = models.CharField(
        _("source"), max_length=300, blank=True, help_text=_("Attribution of comments imported from elsewhere.")
    )
    text = models.TextField(_("comment"))
    text_hash = models.CharField(max_length=64, editable=False)
    quote = models.TextField(_("quoted passage"), blank=True)
    stance = models.CharField(_("stance"), max_length=10, choices=Stance.choices)
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("region"), null=True, blank=True, on_delete=models.PROTECT
    )
    sector = models.CharField(_("sector"), max_length=24, choices=Sector.choices, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=CommentStatus.choices)
    rejection_reason = models.TextField(_("reason for rejection"), blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("moderated by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    moderated_at = models.DateTimeField(_("moderated"), null=True, blank=True)
    created_at = models.DateTimeField(_("submitted"), default=timezone.now, db_index=True)
    # Set by the clustering pipeline (consultations.clustering): the mass campaign this comment
    # belongs to, and what its author added beyond the campaign's form text.
    campaign = models.ForeignKey(
        "consultations.Campaign",
        verbose_name=_("campaign"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="comments",
    )
    campaign_addition = models.TextField(_("added to the campaign text"), blank=True)
    # Personal data is masked in `text`, which is what is published (page, API, search, exports);
    # the text as submitted is kept here for moderators only (consultations.personal_data).
    submitted_text = models.TextField(_("text as submitted"), blank=True)
    hold_reason = models.CharField(_("held for moderation because"), max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        constraints = [
            models.UniqueConstraint(
                fields=["draft", "author", "text_hash"],
                condition=Q(author__isnull=False),
                name="one_identical_comment_per_author",
            )
        ]
        indexes = [
            models.Index(fields=["draft", "status"]),
            models.Index(fields=["provision", "status"]),
            # the few comments imported from elsewhere, whose pages name their source (consultations.attribution)
            models.Index(fields=["draft", "source"], condition=~Q(source=""), name="comment_imported_source"),
            # the public list of comments on the draft as a whole, newest first (consultations.selectors)
            models.Index(
                fields=["draft", "-created_at", "-id"], condition=Q(provision__isnull=True), name="comment_whole_draft"
            ),
            # an article's published comments by date: its public page (newest first), its earliest ones quoted on
            # the review screen; without it a rarely commented article's page walks the whole draft by date
            models.Index(
                fields=["provision", "created_at", "id"],
                condition=Q(status__in=sorted(VISIBLE_STATUSES)),
                name="comment_published_by_article",
            ),
            # a campaign's published additions by date: the first few shown beside each campaign (review, report)
            models.Index(
                fields=["campaign", "created_at", "id"],
                condition=Q(status__in=sorted(VISIBLE_STATUSES)) & ~Q(campaign_addition=""),
                name="comment_campaign_additions",
            ),
        ]

    def __str__(self) -> str:
        return self.text[:40]

    @property
    def is_visible(self) -> bool:
        return self.status in VISIBLE_STATUSES


class Campaign(models.Model):
    """A mass campaign: near-identical comments on one draft, shown once with its size.

    Written by the clustering pipeline (consultations.clustering), never by hand:
    - `key`: stable across runs (a group keeps the key of the earlier campaign it overlaps most);
    - `form_text`: the text most members share; `representative`: the comment carrying it;
    - `size`: number of member comments (`comments`, each with its `campaign_addition`);
    - `first_seen` / `last_seen`: submission times of its first and latest member.
    """

    draft = models.ForeignKey(DraftPage, verbose_name=_("draft"), on_delete=models.CASCADE, related_name="campaigns")
    key = models.CharField(_("key"), max_length=64)
    form_text = models.TextField(_("form text"))
    representative = models.ForeignKey(
        Comment, verbose_name=_("representative comment"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    size = models.PositiveIntegerField(_("comments"), default=0)
    first_seen = models.DateTimeField(_("first seen"))
    last_seen = models.DateTimeField(_("last seen"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["draft", "-size", "pk"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        constraints = [models.UniqueConstraint(fields=["draft", "key"], name="unique_campaign_key_per_draft")]

    def __str__(self) -> str:
        return f"{self.form_text[:40]} ×{self.size}"


class Decision(models.TextChoices):
    PENDING = "pending", _("Not yet decided")
    ADOPTED = "adopted", _("Adopted")
    PARTLY_ADOPTED = "partly_adopted", _("Partly adopted")
    NOT_ADOPTED = "not_adopted", _("Not adopted")


DECIDED = frozenset({Decision.ADOPTED, Decision.PARTLY_ADOPTED, Decision.NOT_ADOPTED})


class ThemeOrigin(models.TextChoices):
    MANUAL = "manual", _("Grouped by staff")
    CLUSTER = "cluster", _("Found by clustering")


class Theme(models.Model):
    """A group of comments answered together (意见归类), with the legislators' decision.

    Staff group comments by hand; the clustering pipeline writes the same rows with
    origin=cluster and a stable `cluster_key`, so its themes take decisions the same way.
    For clustered themes, `title` is a short phrase drawn from its own comments (`auto_title` keeps
    what clustering found, so a staff rename survives later runs), `terms` the words that set the theme
    apart from the others (best first), `representatives` the comments chosen to stand for it, and
    `provision` the article it was found on (or that most of its comments are on). A clustered theme with a decision keeps
    its members; later runs may only add comments to it.
    """

    draft = models.ForeignKey(DraftPage, verbose_name=_("draft"), on_delete=models.CASCADE, related_name="themes")
    provision = models.ForeignKey(
        Provision,
        verbose_name=_("article"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="themes",
        help_text=_("The article the theme is about, if one."),
    )
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), blank=True)
    origin = models.CharField(_("origin"), max_length=8, choices=ThemeOrigin.choices, default=ThemeOrigin.MANUAL)
    cluster_key = models.CharField(_("cluster key"), max_length=64, blank=True)
    terms = models.JSONField(_("distinctive terms"), default=list, blank=True)
    # what the clustering last named it: a title that differs was given by staff, and later runs keep it
    auto_title = models.CharField(_("title found by clustering"), max_length=200, blank=True)
    # comment ids chosen by clustering to stand for the theme (coverage of its sides, not only its centre)
    representatives = models.JSONField(_("representative comments"), default=list, blank=True)
    comments = models.ManyToManyField(Comment, through="ThemeMembership", related_name="themes")
    decision = models.CharField(_("decision"), max_length=16, choices=Decision.choices, default=Decision.PENDING)
    reason = models.TextField(_("reason"), blank=True)
    adopted_in = models.ForeignKey(
        Provision,
        verbose_name=_("adopted in"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="adopted_themes",
        help_text=_("Where adopted: the article of the next version that takes the comments up."),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    position = models.PositiveIntegerField(_("order"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["draft", "position", "pk"]
        verbose_name = _("theme")
        verbose_name_plural = _("themes")
        constraints = [
            models.UniqueConstraint(
                fields=["draft", "cluster_key"], condition=~Q(cluster_key=""), name="unique_cluster_key_per_draft"
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_decided(self) -> bool:
        return self.decision in DECIDED


class ThemeMembership(models.Model):
    """A comment in a theme; `similarity` (clustered themes) is the cosine of the comment to the
    theme's centroid when it joined, empty for themes grouped by hand."""

    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="memberships")
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="memberships")
    similarity = models.FloatField(null=True, blank=True)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["theme", "comment"], name="unique_theme_membership")]

    def __str__(self) -> str:
        return f"{self.theme_id} ← {self.comment_id}"


class SensitiveWord(models.Model):
    """A word administrators list: a comment containing it waits for moderation, even on post-moderated drafts."""

    word = models.CharField(_("word"), max_length=50, unique=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    panels = [FieldPanel("word"), FieldPanel("note")]

    class Meta:
        ordering = ["word"]
        verbose_name = _("sensitive word")
        verbose_name_plural = _("sensitive words")

    def __str__(self) -> str:
        return self.word


class ExportFormat(models.TextChoices):
    XLSX = "xlsx", _("Excel")
    CSV = "csv", "CSV"


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to start")
    RUNNING = "running", _("Being written")
    READY = "ready", _("Ready to download")
    FAILED = "failed", _("Failed")


PENDING_EXPORT = (ExportStatus.QUEUED, ExportStatus.RUNNING)


class CommentExport(models.Model):
    """A file of every comment of a draft, written by a task for a draft too large to export within a request
    (consultations.exports.write_comment_export). The file lives under PRIVATE_MEDIA_ROOT and is sent only to
    those who manage the draft; it is removed after EXPORT_FILE_DAYS days."""

    draft = models.ForeignKey(DraftPage, on_delete=models.CASCADE, related_name="comment_exports")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    fmt = models.CharField(_("format"), max_length=8, choices=ExportFormat.choices)
    status = models.CharField(_("status"), max_length=10, choices=ExportStatus.choices, default=ExportStatus.QUEUED)
    rows_total = models.PositiveIntegerField(_("comments to write"), default=0)
    rows_done = models.PositiveIntegerField(_("comments written"), default=0)
    size = models.PositiveBigIntegerField(_("size in bytes"), default=0)
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["draft", "fmt"],
                condition=Q(status__in=["queued", "running"]),
                name="one_pending_export_per_format",
            )
        ]
        verbose_name = _("comment export")
        verbose_name_plural = _("comment exports")

    def __str__(self) -> str:
        return f"{self.draft_id} {self.fmt} {self.status}"

    @property
    def pending(self) -> bool:
        return self.status in PENDING_EXPORT

    @property
    def percent(self) -> int:
        return min(100, self.rows_done * 100 // self.rows_total) if self.rows_total else 0

    def filename(self) -> str:
        """The name the person downloads it under."""
        return f"comments-{self.draft_id}-{self.pk}.{self.fmt}"


# --- counts kept as the comments change (consultations.tallies) ----------------------------
#
# The screens never count a draft's comments row by row: they sum these small tables. Database triggers
# (migration 0006) append a row of +n / -n for every insert, update and delete of a comment or a theme
# membership, in the same transaction, whatever wrote it (a service, a bulk update, clustering, an import);
# `consultations.tallies.fold` periodically sums each draft's rows into one per key. Appending instead of
# updating one counter row keeps concurrent submissions from waiting on each other's row lock. Ids are
# plain integers (no foreign keys): rows for a deleted draft are dropped by the fold.


class Tally(models.Model):
    draft_id = models.BigIntegerField()
    n = models.IntegerField()  # a delta until folded, then the sum
    folded = models.BooleanField(default=False)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.draft_id}: {self.n:+d}"


class CommentTally(Tally):
    """Comments by article (empty: the whole draft), campaign, status, stance, whether in a theme, and
    whether their author added words to the campaign's form text."""

    provision_id = models.BigIntegerField(null=True)
    campaign_id = models.BigIntegerField(null=True)
    status = models.CharField(max_length=10)
    stance = models.CharField(max_length=10)
    themed = models.BooleanField()
    added = models.BooleanField()

    class Meta:
        indexes = [
            models.Index(fields=["draft_id"], name="commenttally_draft"),
            models.Index(fields=["draft_id"], condition=Q(folded=False), name="commenttally_unfolded"),
        ]


class ThemeTally(Tally):
    """Theme memberships by theme, and the member's article, campaign, status and stance."""

    theme_id = models.BigIntegerField()
    provision_id = models.BigIntegerField(null=True)
    campaign_id = models.BigIntegerField(null=True)
    status = models.CharField(max_length=10)
    stance = models.CharField(max_length=10)

    class Meta:
        indexes = [
            models.Index(fields=["draft_id"], name="themetally_draft"),
            models.Index(fields=["theme_id"], name="themetally_theme"),
            models.Index(fields=["draft_id"], condition=Q(folded=False), name="themetally_unfolded"),
        ]


class HourTally(Tally):
    """Published comments (approved or post-moderated) by the hour they were submitted (UTC)."""

    hour = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["draft_id"], name="hourtally_draft"),
            models.Index(fields=["draft_id"], condition=Q(folded=False), name="hourtally_unfolded"),
        ]


class CommenterTally(Tally):
    """Published comments by author: "u<user id>", or "x<external author>" for imported comments."""

    author = models.CharField(max_length=90)

    class Meta:
        indexes = [
            models.Index(fields=["draft_id", "author"], name="commentertally_draft"),
            models.Index(fields=["draft_id"], condition=Q(folded=False), name="commentertally_unfolded"),
            # people counted: folded rows are one per author, so those with comments are counted off an index
            models.Index(fields=["draft_id"], condition=Q(folded=True, n__gt=0), name="commentertally_counted"),
        ]
