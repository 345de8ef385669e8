"""Exports: all comments of a draft to Excel, the public report to PDF."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from consultations.models import DraftPage, Stance
from consultations.selectors import Report

CJK_FONT = "STSong-Light"  # one of the CID fonts every PDF reader knows; nothing to embed


def _excel_safe(value):
    """Neutralise formula injection: text starting with = + - @ is stored as text, not evaluated."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def comments_workbook(draft: DraftPage) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Comments")[:31])
    header = [
        _("ID"),
        _("Version"),
        _("Article"),
        _("Stance"),
        _("Comment"),
        _("Quoted passage"),
        _("Region"),
        _("Sector"),
        _("Submitted"),
        _("Status"),
        _("Reason for rejection"),
        _("Themes"),
        _("Source"),
    ]
    widths = [8, 10, 14, 10, 80, 30, 24, 14, 20, 14, 30, 30, 30]
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.append(header)
    comments = (
        draft.comments.select_related("provision__version", "region").prefetch_related("themes").order_by("created_at")
    )
    local = timezone.get_current_timezone()
    for comment in comments.iterator(chunk_size=2000):
        provision = comment.provision
        sheet.append(
            [
                _excel_safe(value)
                for value in (
                    comment.pk,
                    provision.version.label if provision else "",
                    provision.label if provision else _("Whole draft"),
                    comment.get_stance_display(),
                    comment.text,
                    comment.quote,
                    comment.region.full_name if comment.region else "",
                    comment.get_sector_display() if comment.sector else "",
                    comment.created_at.astimezone(local).replace(tzinfo=None),
                    comment.get_status_display(),
                    comment.rejection_reason,
                    "；".join(theme.title for theme in comment.themes.all()),
                    comment.source,
                )
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def report_pdf(report: Report) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    if CJK_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(CJK_FONT))
    body = ParagraphStyle("body", fontName=CJK_FONT, fontSize=10.5, leading=16, wordWrap="CJK")
    title = ParagraphStyle("title", parent=body, fontSize=16, leading=24, spaceAfter=6)
    heading = ParagraphStyle("heading", parent=body, fontSize=12.5, leading=20, spaceBefore=10, spaceAfter=4)

    def p(text: str, style=body) -> Paragraph:
        return Paragraph(escape(text).replace("\n", "<br/>"), style)

    draft = report.draft
    stance_labels = dict(Stance.choices)
    story = [
        p(_("How the comments on “%(title)s” were handled") % {"title": draft.title}, title),
        p(
            _("Drafting body: %(body)s. Comment window: %(opens)s to %(closes)s.")
            % {
                "body": draft.drafting_body,
                "opens": timezone.localtime(draft.opens_at).date().isoformat(),
                "closes": timezone.localtime(draft.closes_at).date().isoformat(),
            }
        ),
        p(
            _("%(people)d people made %(comments)d comments (%(rejected)d not published after moderation).")
            % {"people": report.commenters, "comments": report.comments, "rejected": report.rejected}
        ),
        p(_("Positions"), heading),
        p("；".join(f"{stance_labels[s]} {n}" for s, n in report.stance_split.items() if n) or "—"),
        p(_("Comments per article"), heading),
    ]
    rows = [[p(_("Article")), p(_("Comments"))]]
    rows += [[p(provision.label), p(str(count))] for provision, count in report.per_article[:60]]
    rows.append([p(_("Whole draft")), p(str(report.whole_draft))])
    table = Table(rows, colWidths=[120 * mm, 40 * mm], repeatRows=1)
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.4, colors.grey), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story += [table, p(_("Themes and decisions"), heading)]
    for number, summary in enumerate(report.themes, start=1):
        theme = summary.theme
        adopted = f"（{theme.adopted_in.version.label} {theme.adopted_in.label}）" if theme.adopted_in else ""
        story += [
            p(f"{number}. {theme.title} — {summary.size} " + _("comments"), heading),
            p(f"{theme.get_decision_display()}{adopted}：{theme.reason or '—'}"),
        ]
    if not report.themes:
        story.append(p(_("No themes have been recorded.")))
    story += [
        Spacer(1, 8 * mm),
        p(_("Generated %(when)s by Sunshine.") % {"when": timezone.localtime().strftime("%Y-%m-%d %H:%M")}),
    ]
    buffer = io.BytesIO()
    SimpleDocTemplate(buffer, pagesize=A4, title=draft.title, leftMargin=20 * mm, rightMargin=20 * mm).build(story)
    return buffer.getvalue()
