"""What the report channel puts in the search index: reports, for inspectors only (never public, no reporter
identity in them). Registered from ReportsConfig.ready."""

from __future__ import annotations

from django.db.models import QuerySet

from search.documents import DocumentType, SearchDocument, register


def reports() -> QuerySet:
    from reports.models import Report

    return Report.objects.all()


def report_document(report) -> SearchDocument:
    """Reports are for inspectors only: never public, and the reporter's identity is not in them."""
    return SearchDocument(
        doc_type="report",
        pk=report.pk,
        title=f"{report.subject_unit} {report.subject_post}".strip(),
        text=report.description,
        url=f"/reports/cases/{report.public_id}/",
        created=report.received_at,
        public=False,
        keywords={"status": [report.state]},
        region=report.region_id or "",
    )


REPORT = DocumentType("report", "reports.Report", reports, report_document)


def register_documents() -> None:
    """Index reports (from AppConfig.ready)."""
    register(REPORT)
