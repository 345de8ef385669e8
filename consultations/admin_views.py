"""Staff screens in the Wagtail admin: import a version, moderate comments, group and answer themes."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from consultations import selectors, services
from consultations.forms import DecisionForm, ImportVersionForm, RejectForm, ThemeForm
from consultations.models import MODERATABLE_STATUSES, VISIBLE_STATUSES, Comment, DraftPage, Theme


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
    counts = {
        row["draft"]: row
        for row in Comment.objects.filter(draft__in=drafts)
        .values("draft")
        .annotate(
            total=Count("pk"),
            waiting=Count("pk", filter=Q(status__in=MODERATABLE_STATUSES)),
            visible=Count("pk", filter=Q(status__in=VISIBLE_STATUSES)),
        )
    }
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
                "Imported %(label)s: %(chapters)d chapters, %(sections)d sections, %(articles)d articles, %(items)d items."
            )
            % {"label": version.label, **structure},
        )
        return redirect("consultations_admin:drafts")
    return TemplateResponse(request, "consultations/admin/import.html", {"draft": draft, "form": form})


def moderation_queue(request):
    drafts = managed_drafts(request.user)
    queue = (
        Comment.objects.filter(draft__in=drafts, status__in=MODERATABLE_STATUSES)
        .select_related("draft", "provision", "region")
        .order_by("created_at")
    )
    page = Paginator(queue, 30).get_page(request.GET.get("page"))
    return TemplateResponse(
        request, "consultations/admin/moderation.html", {"page_obj": page, "reject_form": RejectForm()}
    )


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
    return redirect(request.POST.get("next") or "consultations_admin:moderation")


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
    report = selectors.build_report(draft)
    unthemed = (
        selectors.visible_comments(draft)
        .filter(themes__isnull=True)
        .select_related("provision")
        .order_by("provision__position")
    )
    return TemplateResponse(
        request,
        "consultations/admin/themes.html",
        {
            "draft": draft,
            "report": report,
            "theme_rows": [
                (
                    summary,
                    DecisionForm(
                        draft=draft,
                        prefix=f"t{summary.theme.pk}",
                        initial={
                            "decision": summary.theme.decision if summary.theme.is_decided else None,
                            "reason": summary.theme.reason,
                            "adopted_in": summary.theme.adopted_in_id,
                        },
                    ),
                )
                for summary in report.themes
            ],
            "unthemed": Paginator(unthemed, 100).get_page(request.GET.get("page")),
            "form": form,
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
