"""Exports: all comments of a draft to Excel or CSV (staff), the published ones as open data, the report to PDF.

Nothing here holds a draft's comments in memory: rows are read in keyset batches of value tuples (read ahead
by a thread), labels come from dictionaries read once, Excel is streamed into the file by core.xlsx, CSV is
streamed, open data is written to files.
"""

from __future__ import annotations

import csv
import html
import io
import json
import logging
import os
import re
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import BinaryIO
from xml.sax.saxutils import escape

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_tasks import task

from consultations.attribution import draft_notices
from consultations.models import (
    VISIBLE_STATUSES,
    Campaign,
    Comment,
    CommentExport,
    CommentStatus,
    DraftPage,
    ExportFormat,
    ExportStatus,
    Provision,
    Sector,
    Stance,
    Theme,
    ThemeMembership,
)
from consultations.selectors import Report
from core import xlsx

logger = logging.getLogger(__name__)

# Used only when settings.REPORT_PDF_FONT cannot be read: a CID font PDF readers are meant to
# supply themselves, so nothing is embedded and some readers show blanks.
FALLBACK_CJK_FONT = "STSong-Light"
_REPORT_FONTS: dict[tuple[str, int], str] = {}  # (path, face index) → registered font name


_FORMULA_STARTS = frozenset("=+-@")


def _excel_safe(value):
    """Neutralise formula injection: text starting with = + - @ is stored as text, not evaluated."""
    if type(value) is str and value[:1] in _FORMULA_STARTS:
        return "'" + value
    return value


# Excel's hard limit per sheet (header included): a larger export continues on a new sheet.
EXCEL_MAX_ROWS = xlsx.MAX_ROWS
BATCH = 2000  # rows read at a time (two more batches wait, read ahead)


def _header() -> list[str]:
    return [
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
        _("Campaign"),
        _("Source"),
    ]


WIDTHS = [8, 10, 14, 10, 80, 30, 24, 14, 20, 14, 30, 30, 12, 30]


class _Lookup(dict):
    """id → label for the draft's provisions, campaigns, themes or the regions, loaded in one query before the
    rows; an id outside it (written while the export runs) is looked up on first use, once."""

    def __init__(self, loaded, fetch):
        super().__init__(loaded)
        self._fetch = fetch

    def __missing__(self, key):
        value = self[key] = self._fetch(key)
        return value


def _labels(draft: DraftPage, *, whole_draft: str) -> tuple[_Lookup, _Lookup, _Lookup]:
    """Provision id → (version label, article label), campaign id → key, region code → full name."""
    from regions.models import Region
    from regions.selectors import full_names

    def provision(pk):
        found = Provision.objects.filter(pk=pk).values_list("version__label", "label").first()
        return found or ("", "")

    provisions = _Lookup(
        {
            pk: (version, label)
            for pk, version, label in Provision.objects.filter(version__draft=draft).values_list(
                "pk", "version__label", "label"
            )
        },
        provision,
    )
    provisions[None] = ("", whole_draft)
    campaigns = _Lookup(
        dict(draft.campaigns.values_list("pk", "key")),
        lambda pk: Campaign.objects.filter(pk=pk).values_list("key", flat=True).first() or "",
    )
    campaigns[None] = ""

    def region(code):
        found = Region.objects.filter(pk=code).first()
        return found.full_name if found else ""

    regions = _Lookup(full_names(), region)
    regions[None] = ""
    return provisions, campaigns, regions


# What the exports read of a comment: its own columns only (labels come from the look-ups above).
COLUMNS = (
    "pk",
    "provision_id",
    "stance",
    "text",
    "quote",
    "region_id",
    "sector",
    "created_at",
    "campaign_id",
    "source",
    "status",
    "rejection_reason",
)


def _batches(comments: QuerySet[Comment], *, themes: bool) -> Iterator[tuple[list[tuple], dict[int, list[int]]]]:
    """The rows of `comments` as value tuples of COLUMNS, BATCH at a time by primary key (keyset: no OFFSET, no
    cursor or transaction held open between batches), each with its comments' theme ids when asked.

    Read ahead by a thread of its own (search.indexing.read_ahead) where a second connection sees the data,
    so the database's work and this process's overlap; at most two batches wait.
    """
    from search.indexing import read_ahead

    def read():
        rows = comments.order_by("pk").values_list(*COLUMNS)
        after = 0
        while batch := list(rows.filter(pk__gt=after)[:BATCH]):
            members: dict[int, list[int]] = {}
            if themes:
                memberships = (
                    ThemeMembership.objects.filter(comment_id__in=[row[0] for row in batch])
                    .order_by("theme_id")
                    .values_list("comment_id", "theme_id")
                )
                for comment_id, theme_id in memberships:
                    members.setdefault(comment_id, []).append(theme_id)
            yield batch, members
            after = batch[-1][0]

    with read_ahead(read()) as ready:
        yield from ready


def comment_rows(draft: DraftPage, *, progress: Callable[[int], None] | None = None) -> Iterator[list]:
    """Every comment of the draft, moderated or not, as export rows (the columns of `_header()`), their text
    formula-safe (`_excel_safe`).

    Memory does not grow with the draft: value tuples in keyset batches, one query for their themes; the
    labels (articles, regions, campaigns, themes, choices) from dictionaries read once. `progress(n)` is told
    the comments done before each batch after the first, and the total at the end.
    """
    stances, sectors, statuses = ({k: str(v) for k, v in c.choices} for c in (Stance, Sector, CommentStatus))
    provisions, campaigns, regions = _labels(draft, whole_draft=_("Whole draft"))
    for pk, labels in list(provisions.items()):
        provisions[pk] = tuple(_excel_safe(label or "") for label in labels)
    titles = _Lookup(
        dict(draft.themes.values_list("pk", "title")),
        lambda pk: Theme.objects.filter(pk=pk).values_list("title", flat=True).first() or "",
    )
    local = timezone.get_current_timezone()
    unsafe = _FORMULA_STARTS
    done = 0
    for batch, themes in _batches(draft.comments.all(), themes=True):
        if progress is not None and done:
            progress(done)
        done += len(batch)
        for pk, provision, stance, text, quote, region, sector, created, campaign, source, status, reason in batch:
            version, article = provisions[provision]
            # Inline for speed: what _excel_safe does, on the columns people write (the labels are done above).
            key = campaigns[campaign]
            joined = "；".join([titles[theme] for theme in themes[pk]]) if pk in themes else ""
            yield [
                pk,
                version,
                article or _("Whole draft"),
                stances.get(stance, stance),
                "'" + text if text[:1] in unsafe else text,
                "'" + quote if quote[:1] in unsafe else quote,
                regions[region],
                sectors.get(sector, sector),
                created.astimezone(local).replace(tzinfo=None),
                statuses.get(status, status),
                "'" + reason if reason[:1] in unsafe else reason,
                "'" + joined if joined[:1] in unsafe else joined,
                "'" + key if key[:1] in unsafe else key,
                "'" + source if source[:1] in unsafe else source,
            ]
    if progress is not None:
        progress(done)


def write_comments_workbook(
    draft: DraftPage,
    target: BinaryIO,
    *,
    max_rows: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write every comment to an .xlsx in `target`; returns the number of comments written.

    Rows are streamed into the file (core.xlsx), so memory stays flat. Past `max_rows` (Excel's limit,
    header included) or xlsx.MAX_SHEET_BYTES of XML the export continues on another sheet, "Comments (2)"
    and so on.
    """
    max_rows = max_rows or EXCEL_MAX_ROWS
    workbook = xlsx.Workbook(target)
    header = _header()
    sheet, sheets, written = None, 0, 0
    for row in comment_rows(draft, progress=progress):
        if sheet is None or sheet.rows >= max_rows or sheet.size >= xlsx.MAX_SHEET_BYTES:
            sheets += 1
            title = _("Comments") if sheets == 1 else f"{_('Comments')} ({sheets})"
            sheet = workbook.add_sheet(title, WIDTHS)
            sheet.append(header)
        sheet.append(row)
        written += 1
    if sheet is None:
        workbook.add_sheet(_("Comments"), WIDTHS).append(header)
    workbook.close()
    return written


def comments_workbook(draft: DraftPage) -> bytes:
    buffer = io.BytesIO()
    write_comments_workbook(draft, buffer)
    return buffer.getvalue()


class _Lines:
    """A file-like sink for csv.writer that keeps what is written until taken."""

    def __init__(self):
        self.parts: list[str] = []

    def write(self, value: str) -> None:
        self.parts.append(value)

    def take(self) -> str:
        text, self.parts = "".join(self.parts), []
        return text


def comments_csv(draft: DraftPage, *, progress: Callable[[int], None] | None = None) -> Iterator[str]:
    """Every comment as CSV (UTF-8 with a byte-order mark, so Excel opens Chinese correctly); no row limit.

    Yields a chunk of lines at a time (BATCH rows at most), not one string a row. `progress` as in
    comment_rows.
    """
    lines = _Lines()
    writer = csv.writer(lines)
    writer.writerow(_header())
    yield "\ufeff" + lines.take()
    for count, row in enumerate(comment_rows(draft, progress=progress), start=1):
        row[8] = row[8].strftime("%Y-%m-%d %H:%M:%S")
        writer.writerow(row)
        if count % BATCH == 0:
            yield lines.take()
    if rest := lines.take():
        yield rest


# --- a large draft's comments, as a file written by a task ------------------------------------------

EXPORT_TYPES = {
    ExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ExportFormat.CSV: "text/csv; charset=utf-8",
}


def export_path(export: CommentExport) -> Path:
    """Where an export's file is kept: under PRIVATE_MEDIA_ROOT, never served but through the download view."""
    return Path(settings.PRIVATE_MEDIA_ROOT) / "exports" / f"export-{export.pk}.{export.fmt}"


def write_export_file(export: CommentExport) -> int:
    """Write the export's file (atomically: a .part file renamed when complete), telling the row how far it got
    every BATCH comments; returns the number of comments written."""
    path = export_path(export)
    path.parent.mkdir(parents=True, exist_ok=True)
    part = path.with_suffix(path.suffix + ".part")
    rows = CommentExport.objects.filter(pk=export.pk)
    written = 0

    def progress(count: int) -> None:  # told after each batch, and the total at the end
        nonlocal written
        written = count
        rows.update(rows_done=count)

    try:
        with open(part, "wb") as target:
            if export.fmt == ExportFormat.XLSX:
                write_comments_workbook(export.draft, target, progress=progress)
            else:
                for chunk in comments_csv(export.draft, progress=progress):
                    target.write(chunk.encode("utf-8"))
        os.replace(part, path)
    finally:
        part.unlink(missing_ok=True)
    return written


@task()
def write_comment_export(export_id: int) -> None:
    """Write a requested export (queued by services.request_comment_export). A second delivery of the same
    task finds the row no longer waiting and does nothing."""
    if not CommentExport.objects.filter(pk=export_id, status=ExportStatus.QUEUED).update(status=ExportStatus.RUNNING):
        return
    export = CommentExport.objects.select_related("draft").get(pk=export_id)
    try:
        written = write_export_file(export)
    except Exception:
        logger.exception("comment export %s of draft %s failed", export.pk, export.draft_id)
        CommentExport.objects.filter(pk=export_id).update(status=ExportStatus.FAILED, finished_at=timezone.now())
        return
    CommentExport.objects.filter(pk=export_id).update(
        status=ExportStatus.READY,
        rows_done=written,
        rows_total=written,
        size=export_path(export).stat().st_size,
        finished_at=timezone.now(),
    )


def remove_old_exports() -> int:
    """Remove the export files written more than EXPORT_FILE_DAYS days ago, with their rows; an export still
    waiting or being written after a day (its worker stopped) is marked failed. Returns the files removed."""
    now = timezone.now()
    stale = CommentExport.objects.filter(
        status__in=(ExportStatus.QUEUED, ExportStatus.RUNNING), requested_at__lt=now - timedelta(days=1)
    )
    for export in stale:
        path = export_path(export)
        path.with_suffix(path.suffix + ".part").unlink(missing_ok=True)
    stale.update(status=ExportStatus.FAILED, finished_at=now)
    old = list(CommentExport.objects.filter(finished_at__lt=now - timedelta(days=settings.EXPORT_FILE_DAYS)))
    for export in old:
        export_path(export).unlink(missing_ok=True)
    CommentExport.objects.filter(pk__in=[export.pk for export in old]).delete()
    return len(old)


# --- open data: a draft's published comments, as files ---------------------------------------------

OPEN_DATA_FORMATS = {"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson; charset=utf-8"}
OPEN_DATA_FIELDS = (
    "id",
    "version",
    "article",
    "stance",
    "text",
    "quote",
    "region",
    "sector",
    "submitted",
    "campaign",
    "source",
)


def open_data_path(draft: DraftPage, fmt: str) -> Path:
    return Path(settings.OPEN_DATA_ROOT) / f"draft-{draft.pk}-comments.{fmt}"


def published_rows(draft: DraftPage) -> Iterator[dict]:
    """The draft's published comments as open data: no author, no moderation notes; campaigns marked by key."""
    provisions, campaigns, regions = _labels(draft, whole_draft="")
    local = timezone.get_current_timezone()
    visible = draft.comments.filter(status__in=VISIBLE_STATUSES)
    for batch, _themes in _batches(visible, themes=False):
        for pk, provision, stance, text, quote, region, sector, created, campaign, source, _status, _reason in batch:
            version, article = provisions[provision]
            yield {
                "id": pk,
                "version": version or "",
                "article": article or "",
                "stance": stance,
                "text": text,
                "quote": quote,
                "region": regions[region],
                "sector": sector,
                "submitted": created.astimezone(local).isoformat(timespec="seconds"),
                "campaign": campaigns[campaign],
                "source": source,  # the attribution of a comment from another consultation (its licence asks for it)
            }


def write_open_data(draft: DraftPage, *, progress=None) -> tuple[dict[str, Path], int]:
    """Write the draft's published comments to CSV and JSON Lines files, atomically (temp file, then rename).

    `progress(n)` is called every BATCH rows. Returns the paths by format and the number of comments.
    """
    paths = {fmt: open_data_path(draft, fmt) for fmt in OPEN_DATA_FORMATS}
    directory = paths["csv"].parent
    directory.mkdir(parents=True, exist_ok=True)
    temporary = {fmt: path.with_suffix(path.suffix + ".part") for fmt, path in paths.items()}
    with (
        open(temporary["csv"], "w", encoding="utf-8-sig", newline="") as csv_file,
        open(temporary["jsonl"], "w", encoding="utf-8") as jsonl_file,
    ):
        writer = csv.DictWriter(csv_file, fieldnames=OPEN_DATA_FIELDS)
        writer.writeheader()
        count = 0
        for count, row in enumerate(published_rows(draft), start=1):  # noqa: B007 -- the count is returned
            writer.writerow({key: _excel_safe(value) for key, value in row.items()})
            jsonl_file.write(json.dumps(row, ensure_ascii=False) + "\n")
            if progress and count % BATCH == 0:
                progress(count)
    for fmt, path in paths.items():
        os.replace(temporary[fmt], path)
    return paths, count


def _report_font() -> str:
    """The registered name of the CJK font for report PDFs: the TrueType font of
    settings.REPORT_PDF_FONT, embedded (subset) in the file. Without it, the PDF still comes out
    in the CID font STSong-Light, which is not embedded and which some readers cannot show."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfbase.ttfonts import TTFError, TTFont

    path = str(getattr(settings, "REPORT_PDF_FONT", "") or "")
    index = int(getattr(settings, "REPORT_PDF_FONT_INDEX", 0) or 0)
    name = _REPORT_FONTS.get((path, index))
    if name:
        return name
    try:
        font = TTFont(f"ReportCJK{len(_REPORT_FONTS)}", path, subfontIndex=index)
    except (OSError, TTFError) as error:
        logger.warning(
            "Report PDF font %r (index %d) cannot be read (%s): falling back to the non-embedded %s. "
            "Install fonts-wqy-microhei or set REPORT_PDF_FONT.",
            path,
            index,
            error,
            FALLBACK_CJK_FONT,
        )
        if FALLBACK_CJK_FONT not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(UnicodeCIDFont(FALLBACK_CJK_FONT))
        return FALLBACK_CJK_FONT
    pdfmetrics.registerFont(font)
    _REPORT_FONTS[(path, index)] = font.fontName
    return font.fontName


def check_report_font(app_configs=None, **kwargs):
    """System check: the report PDF's font file is there (else PDFs fall back to a non-embedded font)."""
    from django.core.checks import Warning as CheckWarning

    path = str(getattr(settings, "REPORT_PDF_FONT", "") or "")
    if path and Path(path).is_file():
        return []
    return [
        CheckWarning(
            f"REPORT_PDF_FONT {path!r} is not a file: report PDFs fall back to {FALLBACK_CJK_FONT}, "
            "which is not embedded.",
            hint="Install the Debian package fonts-wqy-microhei, or point REPORT_PDF_FONT at a CJK TrueType font.",
            id="consultations.W001",
        )
    ]


def report_filename(draft: DraftPage) -> str:
    """“<title>意见处理情况.pdf”, without characters a file system refuses."""
    name = _("%(title)s how comments were handled") % {"title": draft.title}
    return re.sub(r'[\\/:*?"<>|\x00-\x1f]+', " ", name).strip()[:150] + ".pdf"


def report_pdf(report: Report) -> bytes:
    """The public report as a PDF of as many A4 pages as it needs, with the page's tables:
    figures, positions, themes with decisions and reasons, campaigns, comments per article."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import CondPageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    font = _report_font()
    body = ParagraphStyle("body", fontName=font, fontSize=10.5, leading=16, wordWrap="CJK")
    small = ParagraphStyle("small", parent=body, fontSize=9, leading=13)
    title = ParagraphStyle("title", parent=body, fontSize=16, leading=24, spaceAfter=6)
    heading = ParagraphStyle("heading", parent=body, fontSize=12.5, leading=20, spaceBefore=10, spaceAfter=4)
    note = ParagraphStyle("note", parent=body, spaceBefore=4)
    attribution = ParagraphStyle("attribution", parent=small, spaceBefore=4, spaceAfter=6, textColor="#555555")
    number = ParagraphStyle("number", parent=small, alignment=2)  # right-aligned

    def p(text, style=body) -> Paragraph:
        return Paragraph(escape(str(text)).replace("\n", "<br/>"), style)

    def table(header: list[str], rows: list[list], widths: list[float]) -> Table:
        numeric = {i for i, cell in enumerate(rows[0]) if isinstance(cell, int)} if rows else set()
        cells = [[p(text, small) for text in header]]
        cells += [[p(cell, number if i in numeric else small) for i, cell in enumerate(row)] for row in rows]
        grid = Table(cells, colWidths=[w * mm for w in widths], repeatRows=1, splitInRow=1)
        grid.setStyle(
            TableStyle(
                [
                    ("FONTNAME", (0, 0), (-1, -1), font),  # else Helvetica is referenced, not embedded
                    ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f0f0f0")),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        return grid

    draft = report.draft
    stance_labels = dict(Stance.choices)
    statement = strip_tags(re.sub(r"</p>|<br\s*/?>", "\n", draft.report_statement or "")).strip()
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
    ]
    if statement:
        story.append(p(html.unescape(statement)))
    for notice in draft_notices(draft):  # comments from another consultation: where from, and their licence
        link = f" {_('The original discussion:')} {notice.url}" if notice.url else ""
        story.append(p(notice.text + link, attribution))
    story += [
        p(
            _("%(people)d people made %(comments)d comments (%(rejected)d not published after moderation).")
            % {"people": report.commenters, "comments": report.comments, "rejected": report.rejected}
        ),
    ]
    if report.campaigns:
        story.append(
            p(
                _(
                    "%(from_campaigns)d of the published comments belong to %(campaigns)d mass campaigns; "
                    "counting each campaign once, there are %(weighted)d distinct comments."
                )
                % {
                    "from_campaigns": report.from_campaigns,
                    "campaigns": len(report.campaigns),
                    "weighted": report.weighted,
                }
            )
        )
    story += [
        CondPageBreak(35 * mm),  # a heading starts a new page rather than end one
        p(_("Positions"), heading),
        table(
            [_("Position"), _("Comments")],
            [[stance_labels[s], n] for s, n in report.stance_split.items()],
            [120, 50],
        ),
        CondPageBreak(35 * mm),
        p(_("Themes and decisions"), heading),
    ]
    if report.themes:
        rows = []
        for index, summary in enumerate(report.themes, start=1):
            theme = summary.theme
            decision = theme.get_decision_display()
            if theme.adopted_in:
                decision += "\n" + _("taken up in %(label)s of the %(version)s") % {
                    "label": theme.adopted_in.label,
                    "version": theme.adopted_in.version.label,
                }
            rows.append([index, theme.title, summary.size, summary.weighted, decision, theme.reason or "—"])
        story.append(
            table(
                ["", _("Theme"), _("Comments"), _("Counting each campaign once"), _("Decision"), _("Reason")],
                rows,
                [8, 38, 16, 20, 26, 62],
            )
        )
    else:
        story.append(p(_("No themes have been recorded.")))
    if report.unthemed:
        story.append(
            p(
                ngettext(
                    "%(n)s comment was not grouped into a theme.",
                    "%(n)s comments were not grouped into a theme.",
                    report.unthemed,
                )
                % {"n": report.unthemed},
                note,
            )
        )
    if report.campaigns:
        story += [CondPageBreak(35 * mm), p(_("Campaigns"), heading)]
        rows = []
        for each in report.campaigns:
            added = "\n".join(f"· {text}" for text in each.additions) or "—"
            if each.with_additions > len(each.additions):
                added += "\n" + _("and %(n)d more") % {"n": each.with_additions - len(each.additions)}
            rows.append([each.campaign.form_text, each.signers, each.with_additions, added])
        story.append(
            table(
                [_("Form text"), _("Signers"), _("Added their own words"), _("What they added")], rows, [62, 16, 22, 70]
            )
        )
    story += [
        CondPageBreak(35 * mm),
        p(_("Comments per article"), heading),
        table(
            [_("Article"), _("Comments"), _("Counting each campaign once")],
            [[row.provision.label, row.comments, row.weighted] for row in report.articles]
            + [[_("Whole draft"), report.whole_draft, report.whole_draft_weighted]],
            [90, 40, 40],
        ),
        Spacer(1, 8 * mm),
        p(_("Generated %(when)s by Sunshine.") % {"when": timezone.localtime().strftime("%Y-%m-%d %H:%M")}),
    ]

    def footer(canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont(font, 8.5)
        canvas.setFillColor(colors.grey)
        canvas.drawString(20 * mm, 10 * mm, draft.title)
        canvas.drawRightString(A4[0] - 20 * mm, 10 * mm, _("Page %(page)d") % {"page": doc.page})
        canvas.restoreState()

    buffer = io.BytesIO()
    SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=_("How the comments on “%(title)s” were handled") % {"title": draft.title},
        author=draft.drafting_body,
        initialFontName=font,  # no reference to a non-embedded Helvetica either
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        bottomMargin=18 * mm,
    ).build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


@task()
def build_open_data(draft_id: int) -> None:
    """Regenerate a draft's open-data files (queued when its handling report is published)."""
    draft = DraftPage.objects.filter(pk=draft_id).first()
    if draft is not None:
        write_open_data(draft)
