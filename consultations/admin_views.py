"""Staff screens in the Wagtail admin: import a version, moderate comments, group and answer themes."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST
from wagtail.models import ModelLogEntry

from consultations import moderation, selectors, services, tallies
from consultations.forms import DecisionForm, ImportVersionForm, ThemeForm
from consultations.models import (
    MODERATABLE_STATUSES,
    VISIBLE_STATUSES,
    Campaign,
    Comment,
    CommentTally,
    DraftPage,
    DraftStatus,
    Stance,
    Theme,
    ThemeMembership,
)
from consultations.review_forms import ClusterForm, CommentSearchForm, MergeThemeForm, RenameThemeForm, SplitThemeForm
from core import charts
from core.paging import CountedPaginator


def _managed_draft(request, draft_id: int) -> DraftPage:
    draft = get_object_or_404(DraftPage, pk=draft_id)
    if not services.can_manage_draft(request.user, draft):
        raise PermissionDenied
    return draft


def managed_drafts(user) -> list[DraftPage]:
    return [
        draft for draft in DraftPage.objects.select_related("jurisdiction") if services.can_manage_draft(user, draft)
    ]


def drafts_overview(request):
    drafts = managed_drafts(request.user)
    counts: dict[int, dict[str, int]] = {}
    for (draft_id, status), n in tallies.sums(CommentTally, [d.pk for d in drafts], ["draft_id", "status"]).items():
        row = counts.setdefault(draft_id, {"total": 0, "waiting": 0, "visible": 0})
        row["total"] += n
        row["waiting"] += n if status in MODERATABLE_STATUSES else 0
        row["visible"] += n if status in VISIBLE_STATUSES else 0
    rows = [(draft, counts.get(draft.pk, {})) for draft in drafts]
    return TemplateResponse(request, "consultations/admin/drafts.html", {"rows": rows})


def import_version(request, draft_id: int):
    draft = _managed_draft(request, draft_id)
    form = ImportVersionForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        version = services.import_version(
            draft=draft,
            label=form.cleaned_data["label"],
            text=form.cleaned_data["source"],
            user=request.user,
            parsed=form.cleaned_data["parsed"],
        )
        structure = version.structure
        messages.success(
            request,
            _(
                "Imported %(label)s of “%(title)s”: %(chapters)d chapters, %(sections)d sections, %(articles)d "
                "articles, %(items)d items; %(preamble)d lines of notes and preamble kept apart."
            )
            % {
                "label": version.label,
                "title": version.title or draft.title,
                "preamble": len(form.cleaned_data["parsed"].preamble),
                **structure,
            },
        )
        return redirect("consultations_admin:drafts")
    context = {"draft": draft, "form": form, "unplaced": _unplaced_line(request, form)}
    return TemplateResponse(request, "consultations/admin/import.html", context)


def _unplaced_line(request, form) -> dict | None:
    """The line the importer could not place, with its neighbours, to show beside the error."""
    from consultations.parsing import DraftParseError, lines_around, parse_draft

    if request.method != "POST" or not form.errors:
        return None
    upload = request.FILES.get("file")
    if upload and upload.size > ImportVersionForm.MAX_BYTES:
        return None
    try:
        if upload:
            upload.seek(0)
            text = upload.read().decode("utf-8-sig")
        else:
            text = form.data.get("text") or ""
        parse_draft(text)
    except UnicodeDecodeError:
        return None
    except DraftParseError as error:
        if error.line:
            return {"line": error.line, "lines": lines_around(text, error.line)}
    return None


def moderation_queue(request):
    """The queue, filtered by draft, article, stance, campaign, status and words (GET), 30 a page."""
    drafts = managed_drafts(request.user)
    form = moderation.ModerationFilterForm(request.GET or None, drafts=drafts)
    filters = form.filters() if request.GET else {}
    queue = moderation.moderation_queryset(drafts=drafts, **filters)
    count, exact = moderation.queue_count(drafts=drafts, **filters)
    page = CountedPaginator(queue, 30, count=count).get_page(request.GET.get("page"))
    campaign = None
    if filters.get("campaign"):
        campaign = Campaign.objects.filter(pk=filters["campaign"], draft__in=drafts).first()
    return TemplateResponse(
        request,
        "consultations/admin/moderation.html",
        {
            "page_obj": page,
            "count_exact": exact,
            "filter_form": form,
            "campaign": campaign,
            "querystring": _querystring(request.GET, drop=("page",)),
        },
    )


@require_POST
def moderate_bulk(request):
    """Approve or reject the selected comments, or every comment of a campaign, with a reason on each."""
    drafts = managed_drafts(request.user)
    action, _sep, only = (request.POST.get("do") or request.POST.get("action", "")).partition(":")
    comments = Comment.objects.filter(draft__in=drafts).select_related("draft")
    if only.isdigit():  # the button of one row
        comments = comments.filter(pk=int(only))
    elif request.POST.get("campaign", "").isdigit():
        comments = comments.filter(campaign_id=request.POST["campaign"])
        if action == services.APPROVE:
            comments = comments.filter(status__in=MODERATABLE_STATUSES)
    else:
        ids = [int(pk) for pk in request.POST.getlist("comment") if pk.isdigit()]
        comments = comments.filter(pk__in=ids)
    reasons = {
        int(key.removeprefix("reason-")): value
        for key, value in request.POST.items()
        if key.startswith("reason-") and key.removeprefix("reason-").isdigit() and value.strip()
    }
    try:
        result = services.moderate_comments(
            comments=comments,
            moderator=request.user,
            action=action,
            reason=request.POST.get("reason", ""),
            reasons=reasons,
        )
    except ValidationError as error:
        _report_errors(request, error)
    else:
        if not result.changed:
            messages.warning(request, _("No comment was chosen, or all were already moderated."))
        elif action == services.APPROVE:
            messages.success(request, _("%(n)d comments approved.") % {"n": result.changed})
        else:
            messages.success(
                request, _("%(n)d comments rejected; they are kept with the reason.") % {"n": result.changed}
            )
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "consultations_admin:moderation"
    return redirect(target)


@require_POST
def moderate(request, comment_id: int):
    comment = get_object_or_404(Comment.objects.select_related("draft"), pk=comment_id)
    try:
        if request.POST.get("action") == "approve":
            services.approve_comment(comment=comment, moderator=request.user)
            messages.success(request, _("Comment approved."))
        else:
            services.reject_comment(comment=comment, moderator=request.user, reason=request.POST.get("reason", ""))
            messages.success(request, _("Comment rejected; it is kept with the reason."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "consultations_admin:moderation"
    return redirect(target)


def themes(request, draft_id: int):
    draft = _managed_draft(request, draft_id)
    if request.method == "POST":
        form = ThemeForm(request.POST)
        selected = Comment.objects.filter(draft=draft, pk__in=request.POST.getlist("comments"))
        if form.is_valid():
            try:
                theme = services.create_theme(
                    draft=draft,
                    title=form.cleaned_data["title"],
                    summary=form.cleaned_data["summary"],
                    comments=selected,
                    user=request.user,
                )
                messages.success(request, _("Theme “%(title)s” created.") % {"title": theme.title})
                return redirect("consultations_admin:themes", draft_id=draft.pk)
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
    else:
        form = ThemeForm()
    report = selectors.build_report(draft, detailed_campaigns=0)  # its figures only
    unthemed = (
        selectors.visible_comments(draft)
        .filter(~Exists(ThemeMembership.objects.filter(comment_id=OuterRef("pk"))))
        .select_related("provision")
        .order_by("pk")
    )
    can_decide = _can_decide(draft)
    # some 900 themes at 400,000 comments: THEMES_PER_PAGE at a time, each with its decision form when decisions
    # can be recorded (the articles to choose from read once for all of them)
    themes_page = Paginator(report.themes, THEMES_PER_PAGE).get_page(request.GET.get("themes"))
    choices = None
    theme_rows = []
    for summary in themes_page.object_list:
        decision_form = None
        if can_decide:
            decision_form = DecisionForm(
                draft=draft,
                prefix=f"t{summary.theme.pk}",
                initial={
                    "decision": summary.theme.decision if summary.theme.is_decided else None,
                    "reason": summary.theme.reason,
                    "adopted_in": summary.theme.adopted_in_id,
                },
            )
            if choices is None:
                choices = list(decision_form.fields["adopted_in"].choices)
            decision_form.fields["adopted_in"].choices = choices
        theme_rows.append((summary, decision_form))
    return TemplateResponse(
        request,
        "consultations/admin/themes.html",
        {
            "draft": draft,
            "report": report,
            "theme_rows": theme_rows,
            "themes_page": themes_page,
            "unthemed": CountedPaginator(unthemed, 100, count=report.unthemed).get_page(request.GET.get("page")),
            "form": form,
            "can_decide": can_decide,
        },
    )


@require_POST
def decide(request, theme_id: int):
    theme = get_object_or_404(Theme.objects.select_related("draft"), pk=theme_id)
    draft = _managed_draft(request, theme.draft_id)
    form = DecisionForm(request.POST, draft=draft, prefix=f"t{theme.pk}")
    if form.is_valid():
        try:
            services.decide_theme(
                theme=theme,
                decision=form.cleaned_data["decision"],
                reason=form.cleaned_data["reason"],
                adopted_in=form.cleaned_data["adopted_in"],
                user=request.user,
            )
            messages.success(request, _("Decision recorded."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    else:
        messages.error(request, " ".join(f"{form.fields[f].label}: {' '.join(e)}" for f, e in form.errors.items()))
    next_url = request.POST.get("next", "")
    if next_url and url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        return redirect(next_url)
    return redirect("consultations_admin:themes", draft_id=draft.pk)


@require_POST
def publish(request, draft_id: int):
    draft = _managed_draft(request, draft_id)
    try:
        services.publish_report(draft=draft, user=request.user)
        messages.success(request, _("The report is published."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("consultations_admin:themes", draft_id=draft.pk)


# --- the legislators' review screens -----------------------------------------------------

MEMBERS_PER_PAGE = 50
THEMES_PER_PAGE = 100
RESULTS_PER_PAGE = 20
STANCE_KEYS = [Stance.SUPPORT, Stance.OPPOSE, Stance.AMEND, Stance.UNSTATED]


def _can_decide(draft: DraftPage) -> bool:
    """Decisions are recorded once the comment window has closed (the service refuses them before)."""
    return draft.status in (DraftStatus.CLOSED, DraftStatus.REPORT_PUBLISHED)


def _confirm(request, theme: Theme, *, action: str, title: str, changes: list[str], keep: tuple[str, ...]):
    """The confirmation step of a destructive action: what will change, and a second button.

    The form posts the same fields again with `confirm`, so it works without script.
    """
    fields = [(name, value) for name in keep for value in request.POST.getlist(name)]
    return TemplateResponse(
        request,
        "consultations/admin/review_theme_confirm.html",
        _review_context(theme.draft, "themes", theme=theme, action=action, title=title, changes=changes, fields=fields),
    )


def _managed_theme(request, theme_id: int) -> Theme:
    theme = get_object_or_404(Theme.objects.select_related("draft__jurisdiction"), pk=theme_id)
    _managed_draft(request, theme.draft_id)
    return theme


def _stance_segments(stances: dict[str, int], width: float = 240.0) -> charts.Chart:
    labels = dict(Stance.choices)
    return charts.stacked_bar(
        [(key, labels[key], stances.get(key, 0)) for key in STANCE_KEYS],
        width=width,
        css="chart stance-bar",
        css_prefix="stance-",
        name=_("Stance split"),
    )


def _report_errors(request, error: ValidationError) -> None:
    messages.error(request, " ".join(error.messages))


def _review_context(draft: DraftPage, tab: str, **extra) -> dict:
    return {"draft": draft, "tab": tab, "waiting": moderation.waiting_count(draft), **extra}


def review_themes(request, draft_id: int):
    """Every theme with its raw and campaign-aware size, stance split, articles,
    representative comments and decision; charts of sizes, stances and time."""
    draft = _managed_draft(request, draft_id)
    # a draft of 400,000 comments has some 900 themes: they are listed THEMES_PER_PAGE at a time, in their order,
    # and only the page's are summed up
    page = Paginator(draft.themes.values_list("pk", flat=True), THEMES_PER_PAGE).get_page(request.GET.get("page"))
    overviews = selectors.theme_overviews(draft=draft, themes=list(page.object_list))
    report = selectors.review_figures(draft)
    size_bars = charts.horizontal_bars(
        [(overview.theme.title, overview.size) for overview in overviews], labelledby="sizes-caption"
    )
    buckets = selectors.comments_over_time(draft=draft)
    timeline = charts.columns(
        [(charts.span_label(first, last), n) for first, last, n in buckets],
        start=f"{buckets[0][0]:%Y-%m-%d}" if buckets else "",
        end=f"{buckets[-1][1]:%Y-%m-%d}" if buckets else "",
        labelledby="timeline-caption",
    )
    rows = [(overview, _stance_segments(overview.stances)) for overview in overviews]
    return TemplateResponse(
        request,
        "consultations/admin/review_themes.html",
        _review_context(
            draft,
            "themes",
            rows=rows,
            page_obj=page,
            sections=_theme_sections(rows),
            size_bars=size_bars,
            report=report,
            stance_total=_stance_segments(report.stance_split, width=600),
            timeline_chart=timeline,
            timeline=list(zip(timeline.marks, buckets, strict=True)),
            cluster_form=ClusterForm(),
            **_clustering_state(draft),
        ),
    )


def _clustering_state(draft: DraftPage) -> dict:
    """The last clustering run's state, in words (the page says "正在归类…" until it is done)."""
    from consultations.clustering_job import is_running, progress_text, run_state

    state = run_state(draft.pk)
    return {
        "clustering_running": is_running(state),
        "clustering_text": progress_text(state) if state else "",
        "clustering_state": (state or {}).get("state", ""),
    }


def _theme_sections(rows: list) -> list[tuple[object, list]]:
    """The overview's rows by article, in the draft's order (themes found within an article, or most of
    whose comments are on it), then the themes across the whole draft (article None)."""
    by_article: dict = {}
    across = []
    for row in rows:
        provision = row[0].theme.provision
        if provision is None:
            across.append(row)
        else:
            by_article.setdefault(provision, []).append(row)
    sections: list[tuple[object, list]] = [
        (provision, by_article[provision]) for provision in sorted(by_article, key=lambda p: (p.version_id, p.position))
    ]
    if across or not sections:
        sections.append((None, across))
    return sections


@require_POST
def run_clustering(request, draft_id: int):
    """Queue the run (after commit, through the task queue); the review screen shows its progress."""
    from consultations.clustering_job import start_clustering

    draft = _managed_draft(request, draft_id)
    form = ClusterForm(request.POST)
    if form.is_valid():
        if start_clustering(draft=draft, user=request.user, k=form.cleaned_data["k"], full=form.cleaned_data["full"]):
            messages.success(request, _("Clustering started. Its progress shows on this page."))
        else:
            messages.warning(request, _("Clustering is already running on this draft."))
    else:
        messages.error(request, " ".join(" ".join(errors) for errors in form.errors.values()))
    return redirect("consultations_admin:review", draft_id=draft.pk)


def review_theme(request, theme_id: int):
    """One theme: its members (campaigns collapsed), rename, merge, split, remove, decide."""
    theme = _managed_theme(request, theme_id)
    draft = theme.draft
    rows, count, campaigns = selectors.theme_member_rows(theme)
    page = CountedPaginator(rows, MEMBERS_PER_PAGE, count=count).get_page(request.GET.get("page"))
    overview = selectors.theme_overviews(draft=draft, theme=theme)[0]
    return TemplateResponse(
        request,
        "consultations/admin/review_theme.html",
        _review_context(
            draft,
            "themes",
            theme=theme,
            overview=overview,
            stances=_stance_segments(overview.stances, width=600),
            page_obj=page,
            members=selectors.materialise_member_rows(list(page.object_list), campaigns),
            decision_form=DecisionForm(
                draft=draft,
                prefix=f"t{theme.pk}",
                initial={
                    "decision": theme.decision if theme.is_decided else None,
                    "reason": theme.reason,
                    "adopted_in": theme.adopted_in_id,
                },
            ),
            rename_form=RenameThemeForm(initial={"title": theme.title, "summary": theme.summary}),
            merge_form=MergeThemeForm(theme=theme),
            split_form=SplitThemeForm(),
            can_decide=_can_decide(draft),
            log=_log_rows(theme),
        ),
    )


@require_POST
def rename_theme(request, theme_id: int):
    theme = _managed_theme(request, theme_id)
    form = RenameThemeForm(request.POST)
    if form.is_valid():
        try:
            services.rename_theme(
                theme=theme, title=form.cleaned_data["title"], summary=form.cleaned_data["summary"], user=request.user
            )
            messages.success(request, _("Theme renamed."))
        except ValidationError as error:
            _report_errors(request, error)
    else:
        messages.error(request, " ".join(" ".join(errors) for errors in form.errors.values()))
    return redirect("consultations_admin:review_theme", theme_id=theme.pk)


def _log_rows(theme: Theme) -> list[tuple[object, bool]]:
    """The theme's recent log entries, each with whether it can still be undone."""
    entries = ModelLogEntry.objects.for_instance(theme).select_related("user").order_by("-timestamp")[:20]
    undone = services.undone_entries(theme)
    return [(entry, entry.action in services.UNDOABLE and entry.pk not in undone) for entry in entries]


@require_POST
def undo_theme(request, theme_id: int, entry_id: int):
    theme = _managed_theme(request, theme_id)
    try:
        shown = services.undo_theme_change(theme=theme, entry_id=entry_id, user=request.user)
    except ValidationError as error:
        _report_errors(request, error)
        return redirect("consultations_admin:review_theme", theme_id=theme.pk)
    messages.success(request, _("The change was undone."))
    return redirect("consultations_admin:review_theme", theme_id=shown.pk)


@require_POST
def merge_theme(request, theme_id: int):
    theme = _managed_theme(request, theme_id)
    form = MergeThemeForm(request.POST, theme=theme)
    if not form.is_valid():
        messages.error(request, " ".join(" ".join(errors) for errors in form.errors.values()))
        return redirect("consultations_admin:review_theme", theme_id=theme.pk)
    if not request.POST.get("confirm"):
        target = form.cleaned_data["target"]
        size = theme.memberships.count()
        changes = [
            _(
                "The %(n)d comments of “%(source)s” join “%(target)s”, which keeps its title and decision (%(decision)s)."
            )
            % {"n": size, "source": theme.title, "target": target.title, "decision": target.get_decision_display()},
            _("“%(source)s” is deleted, with its decision (%(decision)s).")
            % {"source": theme.title, "decision": theme.get_decision_display()},
            _("You can undo this from the history of “%(target)s”.") % {"target": target.title},
        ]
        return _confirm(
            request, theme, action="merge_theme", title=_("Merge the themes?"), changes=changes, keep=("target",)
        )
    try:
        target = services.merge_themes(source=theme, target=form.cleaned_data["target"], user=request.user)
    except ValidationError as error:
        _report_errors(request, error)
        return redirect("consultations_admin:review_theme", theme_id=theme_id)
    messages.success(request, _("Themes merged."))
    return redirect("consultations_admin:review_theme", theme_id=target.pk)


def _selected_members(request, theme: Theme) -> list[Comment]:
    """The comments ticked on a theme's page: single comments, and whole campaigns."""
    ids = {int(value) for value in request.POST.getlist("comments") if value.isdigit()}
    campaigns = {int(value) for value in request.POST.getlist("campaigns") if value.isdigit()}
    if campaigns:
        ids.update(selectors.theme_campaign_members(theme, campaigns))
    return list(Comment.objects.filter(draft_id=theme.draft_id, pk__in=ids))


@require_POST
def split_theme(request, theme_id: int):
    theme = _managed_theme(request, theme_id)
    form = SplitThemeForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(" ".join(errors) for errors in form.errors.values()))
        return redirect("consultations_admin:review_theme", theme_id=theme.pk)
    selected = _selected_members(request, theme)
    if selected and not request.POST.get("confirm"):
        changes = [
            _("%(n)d comments leave “%(source)s” for a new theme “%(title)s”, which starts as not yet decided.")
            % {"n": len(selected), "source": theme.title, "title": form.cleaned_data["title"]},
            _("You can undo this from the history of “%(source)s”.") % {"source": theme.title},
        ]
        return _confirm(
            request,
            theme,
            action="split_theme",
            title=_("Split the theme?"),
            changes=changes,
            keep=("title", "comments", "campaigns"),
        )
    try:
        new = services.split_theme(theme=theme, comments=selected, title=form.cleaned_data["title"], user=request.user)
    except ValidationError as error:
        _report_errors(request, error)
        return redirect("consultations_admin:review_theme", theme_id=theme.pk)
    messages.success(request, _("A new theme was split off; it awaits its own decision."))
    return redirect("consultations_admin:review_theme", theme_id=new.pk)


@require_POST
def remove_member(request, theme_id: int):
    theme = _managed_theme(request, theme_id)
    value = request.POST.get("comment", "")
    comment = get_object_or_404(Comment, pk=int(value) if value.isdigit() else 0, draft_id=theme.draft_id)
    if not request.POST.get("confirm"):
        changes = [
            _("This comment leaves “%(theme)s” (the comment itself is kept): %(text)s")
            % {"theme": theme.title, "text": Truncator(comment.text).chars(120)},
            _("You can undo this from the theme's history."),
        ]
        return _confirm(
            request, theme, action="remove_member", title=_("Remove the comment?"), changes=changes, keep=("comment",)
        )
    try:
        services.remove_from_theme(theme=theme, comment=comment, user=request.user)
        messages.success(request, _("The comment was taken out of the theme."))
    except ValidationError as error:
        _report_errors(request, error)
    return redirect("consultations_admin:review_theme", theme_id=theme.pk)


def review_articles(request, draft_id: int):
    """For each article: volume, themes within it, stance split, quotes, share from campaigns."""
    draft = _managed_draft(request, draft_id)
    overviews = selectors.article_overviews(draft=draft)
    bars = charts.horizontal_bars([(o.provision.label, o.comments) for o in overviews], labelledby="articles-caption")
    return TemplateResponse(
        request,
        "consultations/admin/review_articles.html",
        _review_context(
            draft,
            "articles",
            rows=[(overview, _stance_segments(overview.stances)) for overview in overviews],
            bars=bars,
        ),
    )


def review_search(request, draft_id: int):
    """Full-text search within the draft's comments, with filters, facet counts and highlights."""
    from search.backends.base import SearchUnavailable
    from search.query import QueryError

    draft = _managed_draft(request, draft_id)
    form = CommentSearchForm(request.GET, draft=draft)
    results = None
    page_number = 1
    if form.is_bound and form.is_valid():
        page_number = form.cleaned_data.get("page") or 1
        try:
            results = selectors.search_draft_comments(
                draft=draft,
                text=form.cleaned_data["q"],
                filters=form.search_filters(),
                offset=(page_number - 1) * RESULTS_PER_PAGE,
                limit=RESULTS_PER_PAGE,
            )
        except QueryError as error:
            form.add_error(None, str(error))
        except SearchUnavailable:
            messages.error(request, _("Search is unavailable at the moment; please try again later."))
    status = 400 if form.is_bound and form.errors else 200
    pages = -(-min(results.total, results.ranked or results.total) // RESULTS_PER_PAGE) if results else 0
    return TemplateResponse(
        request,
        "consultations/admin/review_search.html",
        _review_context(
            draft,
            "search",
            form=form,
            results=results,
            page_number=page_number,
            pages=pages,
            query=_querystring(request.GET, drop=("page",)),
            facets=_facet_links(request.GET, results.facets) if results else {},
        ),
        status=status,
    )


FACET_HEADINGS = {
    "stance": _lazy("Stance"),
    "provision": _lazy("Article"),
    "theme": _lazy("Theme"),
    "region": _lazy("Region"),
    "status": _lazy("Status"),
}


def _facet_links(params, facets: dict[str, list[tuple[str, str, int]]]) -> list[tuple[str, str, list]]:
    """Each facet with its values: (label, count, link that filters on it, whether it is applied)."""
    result = []
    for name, values in facets.items():
        links = []
        for value, label, count in values:
            chosen = params.copy()
            chosen.pop("page", None)
            chosen[name] = value
            links.append((label, count, f"?{chosen.urlencode()}", params.get(name) == value))
        result.append((name, FACET_HEADINGS.get(name, name), links))
    return result


def _querystring(params, *, drop: tuple[str, ...] = ()) -> str:
    kept = params.copy()
    for name in drop:
        kept.pop(name, None)
    return kept.urlencode()


CAMPAIGNS_PER_PAGE = 20
ADDITIONS_PER_PAGE = 50


def review_campaigns(request, draft_id: int):
    """Mass campaigns: form text, size, and what individual signers added."""
    draft = _managed_draft(request, draft_id)
    page = Paginator(draft.campaigns.all(), CAMPAIGNS_PER_PAGE).get_page(request.GET.get("page"))
    overviews = selectors.campaign_overviews(campaigns=list(page.object_list))
    return TemplateResponse(
        request,
        "consultations/admin/review_campaigns.html",
        _review_context(
            draft,
            "campaigns",
            page_obj=page,
            rows=[(overview, _stance_segments(overview.stances)) for overview in overviews],
            total=selectors.visible_count(draft),
            in_campaigns=tallies.total(CommentTally, draft.pk, status__in=VISIBLE_STATUSES, campaign_id__isnull=False),
        ),
    )


def review_campaign(request, campaign_id: int):
    """One campaign with every signer's addition, page by page."""
    campaign = get_object_or_404(Campaign, pk=campaign_id)
    draft = _managed_draft(request, campaign.draft_id)
    overview = selectors.campaign_overviews(campaigns=[campaign])[0]
    page = CountedPaginator(
        selectors.campaign_additions(campaign), ADDITIONS_PER_PAGE, count=overview.with_additions
    ).get_page(request.GET.get("page"))
    return TemplateResponse(
        request,
        "consultations/admin/review_campaign.html",
        _review_context(
            draft,
            "campaigns",
            campaign=campaign,
            overview=overview,
            stances=_stance_segments(overview.stances, width=600),
            page_obj=page,
        ),
    )
