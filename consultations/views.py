"""Public views of a draft. Thin: parse, call a service or selector, render."""

from __future__ import annotations

import tempfile
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseBadRequest, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from consultations import exports, selectors, services, tallies
from consultations.forms import PUBLIC_STANCES, CommentForm
from consultations.models import CommentTally, DraftPage, DraftStatus, ExportFormat, ExportStatus, Provision, Stance
from core.paging import CountedPaginator
from core.streaming import file_response, streaming_response


def _version(request, draft: DraftPage):
    versions = list(draft.versions.all())
    wanted = request.GET.get("version")
    if wanted:
        for version in versions:
            if str(version.number) == wanted:
                return version, versions
        raise Http404
    return (versions[-1] if versions else None), versions


def draft_home(request, draft: DraftPage, form: CommentForm | None = None, status: int = 200):
    version, versions = _version(request, draft)
    whole_draft_count = selectors.visible_count(draft, whole_draft=True)
    whole_draft = CountedPaginator(selectors.comments_on_whole_draft(draft), 20, count=whole_draft_count)
    context = draft.get_context(request)
    context.update(
        {
            "version": version,
            "versions": versions,
            "is_current": version is not None and version == draft.current_version,
            "tree": selectors.provision_tree(version) if version else [],
            "whole_draft_count": whole_draft_count,
            "comments": whole_draft.get_page(request.GET.get("page")),
            "form": form or CommentForm(),
            "receipts": selectors.receipts_for(draft=draft, user=request.user),
            "can_manage": services.can_manage_draft(request.user, draft),
            "stance_choices": PUBLIC_STANCES,
        }
    )
    return TemplateResponse(request, "consultations/draft_page.html", context, status=status)


def submit_comment(request, draft: DraftPage):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if not request.user.is_authenticated:
        return redirect_to_login(draft.url)
    form = CommentForm(request.POST)
    if form.is_valid():
        provision = None
        if form.cleaned_data["provision"]:
            provision = Provision.objects.filter(pk=form.cleaned_data["provision"]).first()
        try:
            comment = services.submit_comment(
                draft=draft,
                author=request.user,
                provision=provision,
                text=form.cleaned_data["text"],
                stance=form.cleaned_data["stance"],
                quote=form.cleaned_data["quote"],
                region=form.cleaned_data["region"],
                sector=form.cleaned_data["sector"],
            )
        except services.CommentRejected as rejection:
            for field, errors in rejection.message_dict.items():
                for error in errors:
                    form.add_error(None if field in ("__all__", "provision") else field, error)
        else:
            if comment.is_visible:
                messages.success(request, _("Thank you. Your comment is published."))
            else:
                messages.success(request, _("Thank you. Your comment will appear once a moderator approves it."))
            if comment.provision_id:  # back to the article, the message at the top of the page
                return redirect(f"{draft.url}articles/{comment.provision_id}/")
            return redirect(draft.url + "#whole-draft")
    provision_id = form.data.get("provision")
    if provision_id and str(provision_id).isdigit():
        provision = Provision.objects.filter(pk=int(provision_id), version__draft=draft).first()
        if provision is not None:
            return article_detail(request, draft, provision.pk, form=form, status=400)
    return draft_home(request, draft, form=form, status=400)


def article_detail(request, draft: DraftPage, provision_id: int, form: CommentForm | None = None, status: int = 200):
    """One article: its text, the comment form (where one reads, one comments), previous and next, its comments
    (paged) and its lineage across versions."""
    provision = get_object_or_404(
        Provision.objects.select_related("version", "predecessor__version"), pk=provision_id, version__draft=draft
    )
    lineage = provision.lineage()
    comments = CountedPaginator(
        selectors.comments_on_lineage(provision).order_by("-created_at", "-pk"),
        50,
        count=selectors.visible_count(draft, provisions=[p.pk for p in lineage]),
    )
    previous, following = selectors.neighbours(provision)
    context = draft.get_context(request)
    context.update(
        {
            "provision": provision,
            "lineage": lineage,
            "comments": comments.get_page(request.GET.get("page")),
            "form": form or CommentForm(initial={"provision": provision.pk}),
            "is_current": provision.version_id == getattr(draft.current_version, "pk", None),
            "previous": previous,
            "next": following,
            "stance_choices": PUBLIC_STANCES,
        }
    )
    return TemplateResponse(request, "consultations/article.html", context, status=status)


def compare_versions(request, draft: DraftPage):
    versions = list(draft.versions.all())
    if len(versions) < 2:
        raise Http404
    by_number = {str(v.number): v for v in versions}
    old = by_number.get(request.GET.get("from", ""), versions[-2])
    new = by_number.get(request.GET.get("to", ""), versions[-1])
    only_changed = request.GET.get("only") == "changed"
    context = draft.get_context(request)
    context.update(
        {
            "old": old,
            "new": new,
            "versions": versions,
            "only_changed": only_changed,
            "comparison": selectors.comparison(old, new, only_changed=only_changed),
        }
    )
    return TemplateResponse(request, "consultations/compare.html", context)


def _report_or_404(request, draft: DraftPage, *, detailed_campaigns: int | None = None):
    if draft.status != DraftStatus.REPORT_PUBLISHED and not services.can_manage_draft(request.user, draft):
        raise Http404
    return selectors.build_report(draft, detailed_campaigns=detailed_campaigns)


def public_report(request, draft: DraftPage):
    report = _report_or_404(request, draft, detailed_campaigns=selectors.REPORT_CAMPAIGNS)
    context = draft.get_context(request)
    context.update(
        {
            "report": report,
            "stance_rows": [(Stance(s).label, n) for s, n in report.stance_split.items()],
            "open_data_ready": draft.status == DraftStatus.REPORT_PUBLISHED
            and exports.open_data_path(draft, "csv").exists(),
            "receipts": selectors.receipts_for(draft=draft, user=request.user),
            "preview": draft.status != DraftStatus.REPORT_PUBLISHED,
        }
    )
    return TemplateResponse(request, "consultations/report.html", context)


def public_report_pdf(request, draft: DraftPage):
    report = _report_or_404(request, draft)
    response = HttpResponse(exports.report_pdf(report), content_type="application/pdf")
    # An ASCII name for old clients, the Chinese one (RFC 5987) for every current browser.
    response["Content-Disposition"] = (
        f"attachment; filename=\"report-{draft.pk}.pdf\"; filename*=UTF-8''{quote(exports.report_filename(draft))}"
    )
    return response


def export_comments(request, draft: DraftPage):
    """Every comment of the draft for its managers: Excel (written to a temporary file) or CSV (streamed).

    Neither holds the comments in memory, under ASGI either (core.streaming); Excel continues on a new sheet
    past 1,048,576 rows. A draft of more than EXPORT_STREAM_LIMIT comments would take minutes within one
    request: its export page offers a file written by a task instead (POST asks for one), and lists the files
    written for the draft with their progress.
    """
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not services.can_manage_draft(request.user, draft):
        raise PermissionDenied
    if request.method == "POST":
        fmt = request.POST.get("format", "")
        try:
            services.request_comment_export(draft=draft, user=request.user, fmt=fmt)
        except ValidationError as error:
            return HttpResponseBadRequest("; ".join(error.messages))
        return redirect(f"{draft.url}export/?format={fmt}")
    fmt = ExportFormat.CSV if request.GET.get("format") == "csv" else ExportFormat.XLSX
    total = tallies.total(CommentTally, draft.pk)  # every comment, any status; summed, not counted row by row
    if total > settings.EXPORT_STREAM_LIMIT:
        return _export_page(request, draft, fmt, total)
    if fmt == ExportFormat.CSV:
        return streaming_response(
            request,
            exports.comments_csv(draft),
            content_type="text/csv; charset=utf-8",
            filename=f"comments-{draft.pk}.csv",
        )
    spool = tempfile.TemporaryFile()  # noqa: SIM115 -- closed by the response once sent
    exports.write_comments_workbook(draft, spool)
    spool.seek(0)
    return file_response(request, spool, filename=f"comments-{draft.pk}.xlsx", content_type=exports.EXPORT_TYPES[fmt])


def _export_page(request, draft: DraftPage, fmt: str, total: int):
    files = list(draft.comment_exports.select_related("requested_by")[:10])
    context = draft.get_context(request)
    context.update(
        {
            "fmt": fmt,
            "fmt_label": ExportFormat(fmt).label,
            "total": total,
            "files": files,
            "pending": any(export.pending for export in files),
            "formats": ExportFormat.choices,
            "keep_days": settings.EXPORT_FILE_DAYS,
        }
    )
    return TemplateResponse(request, "consultations/export.html", context)


def export_file(request, draft: DraftPage, export_id: int):
    """A written export's file, to those who manage the draft."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not services.can_manage_draft(request.user, draft):
        raise PermissionDenied
    export = get_object_or_404(draft.comment_exports, pk=export_id, status=ExportStatus.READY)
    path = exports.export_path(export)
    if not path.exists():
        raise Http404(_("This file has been removed. Prepare a new one."))
    return file_response(
        request, path.open("rb"), filename=export.filename(), content_type=exports.EXPORT_TYPES[export.fmt]
    )


def open_data(request, draft: DraftPage, fmt: str):
    """The draft's published comments as an open-data file (written when the report is published)."""
    if fmt not in exports.OPEN_DATA_FORMATS or draft.status != DraftStatus.REPORT_PUBLISHED:
        raise Http404
    path = exports.open_data_path(draft, fmt)
    if not path.exists():
        raise Http404(_("The open-data file is being prepared. Try again in a few minutes."))
    return file_response(request, path.open("rb"), filename=path.name, content_type=exports.OPEN_DATA_FORMATS[fmt])
